import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { openOrganizationDb, readRunCheckpoint } from '@scheduler/db';
import { OrganizationDirectory, createLogger, startFleet } from '../src/index';
import { committedRows } from './support/committed-schedule';
import { connectClient, newWorld, redisUrl, startDirectoryFleet } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';
import { RedisLink } from './support/redis-link';

const AS_OF = '2026-11-28';

const checkpointStatus = (database: string, runId: string): string | undefined => {
  const db = openOrganizationDb(database, { readonly: true });
  try {
    return readRunCheckpoint(db, runId)?.status;
  } finally {
    db.close();
  }
};

describe('`run` asked again for a run the queue already holds', () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;

  beforeEach(() => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 1_500, today: AS_OF });
  });
  afterEach(() => world.cleanup());

  /** Another database file of the organization, in a directory of its own (not the fleet's). */
  const anotherFile = (contacts: number): string => {
    const otherDirectory = join(world.directory, 'other');
    mkdirSync(otherDirectory);
    const other = join(otherDirectory, 'acme.sqlite');
    writeOrganization(other, { contacts, today: AS_OF });
    return other;
  };

  it('runs again an attempt that failed for good, and commits (RULES.md §10: a retry completes the run)', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      // Where the backups go, a plain file: every attempt of the run fails.
      writeFileSync(join(world.directory, 'backups'), 'not a directory');
      await expect(client.fullRun('acme', { asOf: AS_OF })).rejects.toThrow(/backup/);
      expect(committedRows(database)).toEqual([]);
      rmSync(join(world.directory, 'backups'), { force: true });

      const summary = await client.fullRun('acme', { asOf: AS_OF });

      expect(summary.status).toBe('completed');
      expect(checkpointStatus(database, summary.run_id)).toBe('completed');
      expect(committedRows(database).length).toBeGreaterThan(1_500);
    } finally {
      await client.close();
    }
  }, 150_000);

  it('runs in this file a run completed for another file of the same name (CONTRACT.md: exit 0 only when committed)', async () => {
    const other = anotherFile(1_500);
    const first = await connectClient(database, world.prefix);
    try {
      await first.fullRun('acme', { asOf: AS_OF });
    } finally {
      await first.close();
    }
    expect(committedRows(other)).toEqual([]);

    const second = await connectClient(other, world.prefix);
    try {
      const summary = await second.fullRun('acme', { asOf: AS_OF });
      expect(checkpointStatus(other, summary.run_id)).toBe('completed');
      expect(committedRows(other)).toEqual(committedRows(database));
    } finally {
      await second.close();
    }
  }, 150_000);

  it('refuses, before anything is enqueued, a run of a file whose organization a fleet serves from another file', async () => {
    const other = anotherFile(1_500);
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    try {
      const client = await connectClient(other, world.prefix);
      try {
        await expect(client.fullRun('acme', { asOf: AS_OF })).rejects.toThrow(/served by a running fleet from .*acme\.sqlite, not .*other/);
        await expect(client.rescheduleContacts('acme', [1], AS_OF)).rejects.toThrow(/served by a running fleet/);
      } finally {
        await client.close();
      }
    } finally {
      await fleet.close();
    }
    for (const file of [database, other]) {
      const db = openOrganizationDb(file, { readonly: true });
      try {
        expect(db.sqlite.prepare('SELECT count(*) FROM scheduler_checkpoints').pluck().get(), file).toBe(0);
      } finally {
        db.close();
      }
    }
  }, 150_000);

  it('runs through a fleet a run of a link to the fleet\'s own file: one file, however it is named', async () => {
    const linkDirectory = join(world.directory, 'linked');
    mkdirSync(linkDirectory);
    const link = join(linkDirectory, 'acme.sqlite');
    symlinkSync(database, link);
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    try {
      const client = await connectClient(link, world.prefix, { startLocalWorkers: false });
      try {
        const summary = await client.fullRun('acme', { asOf: AS_OF });
        expect(summary.status).toBe('completed');
        expect(checkpointStatus(database, summary.run_id)).toBe('completed');
      } finally {
        await client.close();
      }
    } finally {
      await fleet.close();
    }
    expect(committedRows(database).length).toBeGreaterThan(1_500);
  }, 150_000);

  it('refuses it too once Redis has lost the fleet\'s list of organizations (a restart without its data)', async () => {
    const other = anotherFile(200);
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    const redis = new Redis(redisUrl());
    try {
      // What the restart does to the fleet's keys; its connections stay up here, so nothing tells it.
      await redis.del(`${world.prefix}:scheduler:organizations`);
      const client = await connectClient(other, world.prefix);
      try {
        await expect(client.fullRun('acme', { asOf: AS_OF })).rejects.toThrow(/served by a running fleet from .*acme\.sqlite, not .*other/);
      } finally {
        await client.close();
      }
    } finally {
      redis.disconnect();
      await fleet.close();
    }
    expect(committedRows(database)).toEqual([]);
    expect(committedRows(other)).toEqual([]);
  }, 150_000);

  it.each([true, false])(
    'never commits it to the fleet\'s file when the run is asked for as the fleet comes back after Redis lost its data (local workers: %s)',
    async (startLocalWorkers) => {
      const other = anotherFile(200);
      // The fleet's connections go through a link that a Redis restart cuts: they come back 3 s later.
      const link = await RedisLink.start(redisUrl());
      const fleet = await startFleet({
        redisUrl: link.url,
        locator: new OrganizationDirectory(world.directory),
        config: defaultConfig(),
        threads: 1,
        logger: createLogger({ level: 'silent' }),
        prefix: world.prefix,
      });
      const redis = new Redis(redisUrl());
      try {
        link.dropAll(3_000);
        await redis.del(`${world.prefix}:scheduler:organizations`);
        // Nothing tells the client of the fleet: no list, no workers attached.
        const client = await connectClient(other, world.prefix, { startLocalWorkers });
        try {
          const outcome = await client.fullRun('acme', { asOf: AS_OF }).catch((error: unknown) => error);
          // Its own workers may take the request first and commit it where it was asked for; else it is refused: by
          // the fleet, or by the client once the fleet's list is back.
          if (outcome instanceof Error) expect(outcome.message).toMatch(/served here from .*acme\.sqlite, not .*other|served by a running fleet from/);
          else expect(checkpointStatus(other, (outcome as { run_id: string }).run_id)).toBe('completed');
          if (!startLocalWorkers) expect(outcome).toBeInstanceOf(Error);
        } finally {
          await client.close();
        }
      } finally {
        redis.disconnect();
        await fleet.close();
        await link.close();
      }
      expect(committedRows(database)).toEqual([]);
    },
    150_000,
  );

  it('refuses, running it in neither file, a run that the serving workers of another file of the same name take', async () => {
    const other = anotherFile(1_500);
    // The workers of this client serve `database`; the second client finds them and starts none of its own.
    const serving = await connectClient(database, world.prefix);
    try {
      const client = await connectClient(other, world.prefix);
      try {
        await expect(client.fullRun('acme', { asOf: AS_OF })).rejects.toThrow(/served here from .*acme\.sqlite, not .*other/);
      } finally {
        await client.close();
      }
    } finally {
      await serving.close();
    }
    expect(committedRows(other)).toEqual([]);
    const db = openOrganizationDb(database, { readonly: true });
    try {
      expect(db.sqlite.prepare('SELECT count(*) FROM scheduler_checkpoints').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  }, 150_000);
});
