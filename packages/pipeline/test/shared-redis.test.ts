import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { committedRows, referenceRows } from './support/committed-schedule';
import { connectClient, newWorld } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

describe('when runs of several database files share one Redis', () => {
  let world: ReturnType<typeof newWorld>;

  beforeEach(() => {
    world = newWorld();
  });
  afterEach(() => world.cleanup());

  it('each run starts workers of its own and commits to its own file, though their jobs meet in the same queues', async () => {
    const organizations = ['north', 'south', 'east'];
    const databases = organizations.map((organization, index) => {
      const database = join(world.directory, `${organization}.sqlite`);
      writeOrganization(database, { contacts: 1_500, seed: index + 1, today: AS_OF });
      return database;
    });
    // One after the other, so that each finds the others' workers serving the queues before it starts.
    const clients = [];
    for (const database of databases) clients.push(await connectClient(database, world.prefix));
    try {
      const summaries = await Promise.all(clients.map((client, index) => client.fullRun(organizations[index]!, { asOf: AS_OF })));
      expect(summaries.map((summary) => [summary.organization, summary.status])).toEqual(
        organizations.map((organization) => [organization, 'completed']),
      );
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
    for (const database of databases) {
      expect(committedRows(database).map((row) => row.line)).toEqual(referenceRows(database, defaultConfig(), AS_OF).map((row) => row.line));
    }
  });
});
