import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig } from '@scheduler/core';
import { openOrganizationDb, readRunCheckpoint } from '@scheduler/db';
import { REQUEST_JOB_NAMES } from '@scheduler/queue';
import { NIGHTLY_CRON, OrganizationDirectory, fullRunId, registerSchedules, startFleet } from '../src/index';
import { advertisedOrganizations } from '../src/advertised-organizations';
import { newWorld, openHandQueues, redisUrl, startDirectoryFleet, until, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

describe('when the nightly job scheduler fires', () => {
  let world: ReturnType<typeof newWorld>;
  let queues: HandQueues;
  let requests: Queue;

  beforeEach(async () => {
    world = newWorld();
    queues = await openHandQueues(world.prefix);
    requests = queues.requests;
  });
  afterEach(async () => {
    await queues.close();
    world.cleanup();
  });

  it('is registered at 02:00 in the configured time zone, once however often it is registered', async () => {
    const config = defaultConfig();
    await registerSchedules(redisUrl(), config, { prefix: world.prefix });
    await registerSchedules(redisUrl(), config, { prefix: world.prefix });
    const schedulers = await requests.getJobSchedulers();
    const nightly = schedulers.filter((scheduler) => scheduler.name === REQUEST_JOB_NAMES.nightly);
    expect(nightly).toHaveLength(1);
    expect(nightly[0]).toMatchObject({ pattern: NIGHTLY_CRON, tz: 'America/Chicago' });
    // Tried again for half an hour (a volume re-attached, Redis restarted), not for seconds.
    const { attempts = 1, backoff } = (nightly[0]?.template?.opts ?? {}) as { attempts?: number; backoff?: { type: string; delay: number } };
    expect(backoff?.type).toBe('exponential');
    const triedFor = Array.from({ length: attempts - 1 }, (_, retry) => (backoff?.delay ?? 0) * 2 ** retry).reduce((sum, ms) => sum + ms, 0);
    expect(triedFor).toBeGreaterThanOrEqual(30 * 60_000);
  });

  // Where clocks fall back at 02:00 by half an hour, BullMQ (cron-parser) finds no next 02:00 and would add no
  // further nightly job, silently.
  it('refuses, naming the key, a time zone in which BullMQ cannot work out the next night, and registers nothing', async () => {
    const config = { ...defaultConfig(), timezone: 'Australia/Lord_Howe' };
    const registering = registerSchedules(redisUrl(), config, { prefix: world.prefix, now: Date.parse('2026-01-01T00:00:00Z') });
    await expect(registering).rejects.toThrow(ConfigError);
    await expect(registering).rejects.toMatchObject({ keys: ['timezone'], message: expect.stringMatching(/^timezone Australia\/Lord_Howe: .*2026-04-0/) });
    expect(await requests.getJobSchedulers()).toEqual([]);
  });

  /** Whether the organization's file holds a completed run of the day under its stable id, or under `suffix`. */
  const completedRun = (organization: string, day: string, suffix = ''): boolean => {
    const db = openOrganizationDb(join(world.directory, `${organization}.sqlite`), { readonly: true });
    try {
      return readRunCheckpoint(db, `${fullRunId(organization, day, defaultConfig())}${suffix}`)?.status === 'completed';
    } finally {
      db.close();
    }
  };
  const within = async (what: string, done: () => boolean): Promise<void> => {
    const deadline = Date.now() + 45_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  // 02:00:05 Chicago on 2026-11-28, when the fleet takes the job.
  const firing = () => new Date('2026-11-28T08:00:05Z');

  // RULES.md §1: today is the CT date when a run starts. BullMQ stamps a scheduler's job when it adds it: the
  // job firing on 2026-11-28 was added as the previous one ran, on 2026-11-27.
  it('runs every organization database of the directory as of the day it fires, not the day its job was added', async () => {
    for (const organization of ['acme', 'globex']) {
      writeOrganization(join(world.directory, `${organization}.sqlite`), { contacts: 300, today: '2026-11-28' });
    }
    const fleet = await startDirectoryFleet(world.directory, world.prefix, { threads: 2, now: firing });
    try {
      const job = await requests.add(REQUEST_JOB_NAMES.nightly, {}, { timestamp: Date.parse('2026-11-27T08:00:00Z') });
      await within('the nightly runs', () => completedRun('acme', '2026-11-28') && completedRun('globex', '2026-11-28'));
      expect(await job.waitUntilFinished(queues.requestEvents)).toEqual({ asOf: '2026-11-28', organizations: ['acme', 'globex'] });
      expect(completedRun('acme', '2026-11-27') || completedRun('globex', '2026-11-27')).toBe(false);
    } finally {
      await fleet.close();
    }
  });

  // README `run`: the same run asked for again runs again once what it reads has changed; a second nightly job
  // the same day (added by hand, or retried after a fix) is such a request.
  it('runs an organization again at a second nightly job the same day when its contacts changed since the first', async () => {
    const path = join(world.directory, 'acme.sqlite');
    writeOrganization(path, { contacts: 300, today: '2026-11-28' });
    const fleet = await startDirectoryFleet(world.directory, world.prefix, { threads: 2, now: firing });
    try {
      const first = await requests.add(REQUEST_JOB_NAMES.nightly, {});
      await first.waitUntilFinished(queues.requestEvents);
      await within('the first nightly run', () => completedRun('acme', '2026-11-28'));
      const db = openOrganizationDb(path);
      db.sqlite.exec("UPDATE contacts SET birth_date = '1955-12-25' WHERE id = (SELECT min(id) FROM contacts)");
      db.close();
      const checkpoints = (): number => {
        const reader = openOrganizationDb(path, { readonly: true });
        try {
          return (reader.sqlite.prepare("SELECT count(*) AS n FROM scheduler_checkpoints WHERE status = 'completed'").get() as { n: number }).n;
        } finally {
          reader.close();
        }
      };
      expect(checkpoints()).toBe(1);
      const second = await requests.add(REQUEST_JOB_NAMES.nightly, {});
      await second.waitUntilFinished(queues.requestEvents);
      await within('the second nightly run', () => checkpoints() === 2);
    } finally {
      await fleet.close();
    }
  });

  it('names, at the next nightly job, an organization the last one ran whose database file has gone since', async () => {
    for (const organization of ['acme', 'globex']) {
      writeOrganization(join(world.directory, `${organization}.sqlite`), { contacts: 100, today: '2026-11-28' });
    }
    const lines: { level: number; msg: string; organization?: string }[] = [];
    const fleet = await startFleet({
      redisUrl: redisUrl(),
      locator: new OrganizationDirectory(world.directory),
      config: defaultConfig(),
      threads: 1,
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) }),
      prefix: world.prefix,
      now: firing,
    });
    const gone = (): typeof lines => lines.filter((line) => /^the last nightly job ran organization/.test(line.msg));
    try {
      await (await requests.add(REQUEST_JOB_NAMES.nightly, {})).waitUntilFinished(queues.requestEvents);
      expect(gone()).toEqual([]);
      rmSync(join(world.directory, 'globex.sqlite'));
      // The fleet lists what it serves in Redis every 5 s, and the nightly job runs what any fleet lists.
      const redis = new Redis(redisUrl());
      try {
        await until(async () => !(await advertisedOrganizations(redis, world.prefix)).has('globex'), 15_000);
      } finally {
        redis.disconnect();
      }
      const second = await requests.add(REQUEST_JOB_NAMES.nightly, {});
      expect(await second.waitUntilFinished(queues.requestEvents)).toMatchObject({ organizations: ['acme'] });
      expect(gone()).toEqual([expect.objectContaining({ level: 40, organization: 'globex', msg: expect.stringMatching(/database file was removed or renamed/) })]);
      // Named once: the night after, it is no longer one the last nightly job ran.
      await (await requests.add(REQUEST_JOB_NAMES.nightly, {})).waitUntilFinished(queues.requestEvents);
      expect(gone()).toHaveLength(1);
    } finally {
      await fleet.close();
    }
  });

  // RULES.md §10: pending change-log rows trigger a reschedule, each organization's whatever another's file holds.
  it("polls every organization's campaign changes though one organization's file cannot be read, and names that one", async () => {
    writeFileSync(join(world.directory, 'aaa-broken.sqlite'), 'this is not a database, only a file with the name of one');
    writeOrganization(join(world.directory, 'acme.sqlite'), { contacts: 300, today: '2026-11-28' });
    const fleet = await startDirectoryFleet(world.directory, world.prefix, { now: firing });
    try {
      const poll = await requests.add(REQUEST_JOB_NAMES.pollChanges, {});
      const outcome = (await poll.waitUntilFinished(queues.requestEvents)) as { enqueued: string[]; unreadable?: string[] };
      expect(outcome.enqueued).toEqual([expect.stringMatching(/^changes-acme-\d+-\d+$/)]);
      expect(outcome.unreadable).toEqual([expect.stringMatching(/^aaa-broken: .*aaa-broken\.sqlite/)]);
    } finally {
      await fleet.close();
    }
  });
});
