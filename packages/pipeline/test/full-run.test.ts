import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { openOrganizationDb, readRunCheckpoint, seedOrganization } from '@scheduler/db';
import { fullRunId, type RunSummary } from '../src/index';
import { committedRows, invariantViolations, referenceRows } from './support/committed-schedule';
import { REQUEST_JOB_NAMES } from '@scheduler/queue';
import { configWith, connectClient, newWorld, openHandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

const checkpointCount = (path: string): number => {
  const db = openOrganizationDb(path, { readonly: true });
  try {
    return db.sqlite.prepare('SELECT count(*) FROM scheduler_checkpoints').pluck().get() as number;
  } finally {
    db.close();
  }
};

describe('when an organization is scheduled through the flow', () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;

  const fullRunWith = async (prefix: string): Promise<RunSummary> => {
    const client = await connectClient(database, prefix);
    try {
      return await client.fullRun('acme', { asOf: AS_OF });
    } finally {
      await client.close();
    }
  };

  beforeEach(() => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 3_000, today: AS_OF });
  });
  afterEach(() => world.cleanup());

  it('commits exactly what the rules decide, and every invariant of RULES.md holds on the committed rows', async () => {
    // The realistic seed: every kind of bad row, leap days, campaigns, history, clicks and answers.
    const seeded = join(world.directory, 'seeded.sqlite');
    seedOrganization(seeded, { contacts: 4_000, seed: 3, asOf: AS_OF });
    const config = configWith({ batch_size: 700 });
    const client = await connectClient(seeded, world.prefix, { config });
    try {
      const summary = await client.fullRun('seeded', { asOf: AS_OF });
      expect(summary.status).toBe('completed');
      expect(summary.contacts.total).toBe(4_000);
      expect(Object.values(summary.contacts.invalid).every((count) => count > 0)).toBe(true);
    } finally {
      await client.close();
    }
    const committed = committedRows(seeded);
    expect(committed.length).toBeGreaterThan(8_000);
    const db = openOrganizationDb(seeded, { readonly: true });
    const checkpoint = readRunCheckpoint(db, fullRunId('seeded', AS_OF, config));
    db.close();
    expect(checkpoint).toMatchObject({ status: 'completed', contactsProcessed: 4_000 });
    expect(checkpoint?.contactsChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(checkpoint?.schedulesBeforeChecksum).not.toBeNull();
    expect(checkpoint?.schedulesAfterChecksum).not.toBe(checkpoint?.schedulesBeforeChecksum);
    expect(committed.map((row) => row.line)).toEqual(referenceRows(seeded, config, AS_OF).map((row) => row.line));
    expect(invariantViolations(seeded, config, AS_OF)).toEqual([]);
  });

  it('commits what the rules decide for the fixture organization too', async () => {
    const config = configWith({ batch_size: 700 });
    const client = await connectClient(database, world.prefix, { config });
    try {
      const summary = await client.fullRun('acme', { asOf: AS_OF });
      expect(summary.status).toBe('completed');
      expect(summary.contacts.total).toBe(3_000);
      expect(summary.contacts.total - summary.contacts.usable).toBe(
        Object.values(summary.contacts.invalid).reduce((sum, n) => sum + n, 0),
      );
    } finally {
      await client.close();
    }
    const committed = committedRows(database);
    expect(committed.length).toBeGreaterThan(5_000);
    expect(committed.map((row) => row.line)).toEqual(referenceRows(database, config, AS_OF).map((row) => row.line));
    expect(invariantViolations(database, config, AS_OF)).toEqual([]);
  });

  it('commits identical rows for batch sizes 500 and 50,000 and for 1 and 4 threads', async () => {
    const outcomes: string[][] = [];
    for (const [batchSize, threads] of [
      [500, 1],
      [50_000, 4],
      [500, 4],
    ] as const) {
      const client = await connectClient(database, `${world.prefix}-${batchSize}-${threads}`, {
        config: configWith({ batch_size: batchSize }),
        threads,
      });
      try {
        // The configuration differs (batch_size), so each is a run of its own.
        await client.fullRun('acme', { asOf: AS_OF });
      } finally {
        await client.close();
      }
      outcomes.push(committedRows(database).map((row) => row.line));
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
  });

  it('changes nothing when run again the same day', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      const first = await client.fullRun('acme', { asOf: AS_OF });
      const before = committedRows(database);
      const again = await client.fullRun('acme', { asOf: AS_OF, rerun: true });
      expect(again.run_id).not.toBe(first.run_id);
      expect(again.writes).toEqual({ inserted: 0, updated: 0, deleted: 0, kept: before.length });
      expect(committedRows(database)).toEqual(before);
    } finally {
      await client.close();
    }
  });

  it('runs a run enqueued twice once', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      const [first, second] = await Promise.all([
        client.fullRun('acme', { asOf: AS_OF }),
        client.fullRun('acme', { asOf: AS_OF }),
      ]);
      expect(second.run_id).toBe(first.run_id);
      expect(first.already_completed).toBeUndefined();
      // Asked once more after the commit: the same summary, saying that this request ran nothing.
      const third = await client.fullRun('acme', { asOf: AS_OF });
      expect(third).toEqual({ ...first, already_completed: true });
      expect(checkpointCount(database)).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('answers a request taken again after its worker died with the run it had planned, though the inputs changed since', async () => {
    const client = await connectClient(database, world.prefix);
    const queues = await openHandQueues(world.prefix);
    try {
      const first = await client.fullRun('acme', { asOf: AS_OF });
      const db = openOrganizationDb(database);
      db.sqlite.exec("UPDATE contacts SET birth_date = '1951-03-10' WHERE id = 42");
      db.close();
      // What a request job holds when its worker died after planning the run: the job is taken again, no attempt of it finished.
      await queues.requests.pause();
      const request = await queues.requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF });
      await request.updateProgress({ runId: first.run_id, attemptsMade: 0 });
      await queues.requests.resume();

      const outcome = (await request.waitUntilFinished(queues.requestEvents)) as { runId: string; status: string };
      expect(outcome).toMatchObject({ runId: first.run_id, status: 'already-completed' });
      expect(checkpointCount(database)).toBe(1);
      // Asked for afresh, the run runs again for the change.
      const asked = await client.fullRun('acme', { asOf: AS_OF });
      expect(asked.run_id).not.toBe(first.run_id);
    } finally {
      await queues.requests.resume();
      await queues.close();
      await client.close();
    }
  });

  it('runs again when what the completed run read has changed since, and once per change', async () => {
    const config = defaultConfig();
    const first = await fullRunWith(world.prefix);
    // The sender sends a row and the application changes a contact: the same day's run must see both.
    const db = openOrganizationDb(database);
    const [sent, contactId] = db.sqlite
      .prepare(`SELECT id, contact_id FROM email_schedules WHERE status = 'pre-scheduled' ORDER BY scheduled_send_date, id LIMIT 1`)
      .raw()
      .get() as [number, number];
    db.sqlite.prepare(`UPDATE email_schedules SET status = 'sent', actual_send_datetime = ? WHERE id = ?`).run(`${AS_OF} 15:00:00`, sent);
    const changed = db.sqlite.prepare(`SELECT id FROM contacts WHERE id <> ? AND id IN (SELECT contact_id FROM email_schedules) LIMIT 1`).pluck().get(contactId) as number;
    db.sqlite.prepare(`UPDATE contacts SET email = 'not an email' WHERE id = ?`).run(changed);
    db.close();

    // Another client (no request of the first run held): the workers see the change when they plan.
    const second = await fullRunWith(`${world.prefix}-other`);
    expect(second.run_id).not.toBe(first.run_id);
    expect(second.contacts.invalid.invalid_email).toBe((first.contacts.invalid.invalid_email ?? 0) + 1);
    expect(committedRows(database).map((row) => row.line)).toEqual(referenceRows(database, config, AS_OF).map((row) => row.line));
    const after = committedRows(database);
    expect(after.some((row) => row.line.startsWith(`${changed}|`))).toBe(false);

    // The first client holds the first run's request: it asks again under the inputs the file holds now.
    const third = await fullRunWith(world.prefix);
    expect(third.run_id).toBe(second.run_id);
    expect(committedRows(database)).toEqual(after);
    expect(checkpointCount(database)).toBe(2);
  });

  it('runs again, once, when another run has replaced its rows since', async () => {
    const config = defaultConfig();
    const LATER = '2027-01-20';
    const client = await connectClient(database, world.prefix);
    const asked: RunSummary[] = [];
    try {
      const expectHolds = (asOf: string): void =>
        expect(committedRows(database).map((row) => row.line)).toEqual(referenceRows(database, config, asOf).map((row) => row.line));
      // Back and forth between two days: each time, the day asked for is what the file holds afterwards.
      for (const asOf of [AS_OF, LATER, AS_OF, LATER, AS_OF]) {
        asked.push(await client.fullRun('acme', { asOf }));
        expectHolds(asOf);
        // Every row the run left is one it inserted, changed in place or kept.
        const { inserted, updated = 0, kept } = asked.at(-1)!.writes;
        expect(inserted + updated + kept).toBe(committedRows(database).length);
      }
      // Another day moves rows rather than delete and insert them.
      expect(asked[1]!.writes.updated).toBeGreaterThan(0);
      expect(new Set(asked.map((summary) => summary.run_id)).size).toBe(5);
      // Asked for once more, by this client (it holds the request) and by another: the run in force answers.
      const last = asked.at(-1)!;
      expect((await client.fullRun('acme', { asOf: AS_OF })).run_id).toBe(last.run_id);
      expect((await fullRunWith(`${world.prefix}-other`)).run_id).toBe(last.run_id);
      expectHolds(AS_OF);
    } finally {
      await client.close();
    }
    expect(checkpointCount(database)).toBe(5);
  });

  it('uses the default configuration when none is given', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      await client.fullRun('acme', { asOf: AS_OF });
    } finally {
      await client.close();
    }
    expect(invariantViolations(database, defaultConfig(), AS_OF)).toEqual([]);
  });
});
