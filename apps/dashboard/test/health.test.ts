import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QUEUE_NAMES } from '@scheduler/queue';
import { startDashboard, type RunningDashboard } from '../src/index';
import { ORGANIZATION, dashboardOptions, scheduleOrganization, seededOrganization, type Organization } from './support/dashboard-world';
import { basicAuthorization } from './support/http-session';
import { parsePrometheusText } from './support/prometheus-text';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis';
import { OrganizationDirectory, createLogger, registerSchedules, startFleet } from '@scheduler/pipeline';
import { openOrganizationDb, schema } from '@scheduler/db';
import { gte } from 'drizzle-orm';

const authorization = basicAuthorization();
let redis: PrivateRedis;
let organization: Organization;
let dashboard: RunningDashboard;
let prefix: string;

beforeAll(async () => {
  redis = await startPrivateRedis();
  organization = seededOrganization(200);
  prefix = `test-health-${randomUUID()}`;
  const fleet = await startFleet({
    redisUrl: redis.url,
    locator: new OrganizationDirectory(organization.directory),
    config: organization.config,
    threads: 1,
    logger: createLogger({ level: 'silent' }),
    prefix,
  });
  dashboard = await startDashboard(dashboardOptions(organization, redis.url, prefix));
  try {
    await scheduleOrganization(organization, redis.url, prefix);
  } finally {
    await fleet.close();
  }
});

afterAll(async () => {
  await dashboard?.close();
  await redis?.kill();
  organization?.cleanup();
});

const health = async (): Promise<{ status: number; body: Record<string, any> }> => {
  const response = await fetch(`${dashboard.url}/healthz`, { headers: { authorization } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

describe('when everything is up', () => {
  test('/healthz is 200 with Redis, each database, the last run and the queues', async () => {
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.redis).toEqual({ reachable: true });
    expect(body.organizations).toEqual([
      { organization: ORGANIZATION, readable: true, lastCompletedRun: expect.objectContaining({ ageSeconds: expect.any(Number) }) },
    ]);
    expect(Object.keys(body.queues)).toEqual(['scheduler-requests', 'scheduler-chunks', 'scheduler-finalize', 'scheduler-backups']);
    expect(body.queues['scheduler-requests']).toMatchObject({ waiting: 0, failed: 0 });
  });

  test('/metrics is Prometheus text with runs, emails by status and type, chunk durations and queue depths', async () => {
    const scrape = async (): Promise<ReturnType<typeof parsePrometheusText>> => {
      const response = await fetch(`${dashboard.url}/metrics`, { headers: { authorization } });
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parsePrometheusText(await response.text());
    };
    // Aggregates are read after the first scrape asks for them; a later scrape has them.
    await scrape();
    const metrics = await scrape();
    const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
      metrics.samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, v]) => sample.labels[key] === v))?.value;
    expect(value('scheduler_redis_up')).toBe(1);
    expect(value('scheduler_runs', { organization: ORGANIZATION, status: 'completed' })).toBe(1);
    expect(value('scheduler_last_completed_run_duration_seconds', { organization: ORGANIZATION })).toBeGreaterThanOrEqual(0);
    expect(value('scheduler_emails', { organization: ORGANIZATION, status: 'pre-scheduled', email_type: 'birthday' })).toBeGreaterThan(0);
    expect(value('scheduler_queue_jobs', { queue: 'scheduler-chunks', state: 'failed' })).toBe(0);
    expect(value('scheduler_chunk_duration_seconds_count')).toBeGreaterThan(0);
    expect(metrics.types.get('scheduler_chunk_duration_seconds')).toBe('histogram');
  });
});

describe('rows another writer left with text that is no label', () => {
  test('/metrics counts them under `other`, summed, never the text itself', async () => {
    const odd = ['x'.repeat(5_000), 'nul\u0000byte', 'has space', 'line\nbreak'];
    const db = openOrganizationDb(organization.path);
    try {
      db.orm
        .insert(schema.emailSchedules)
        .values(odd.map((text, index) => ({ contactId: 1, emailType: text, scheduledSendDate: `2099-01-0${index + 1}`, status: text })))
        .run();
      // A dashboard of its own: this one's aggregate cache keeps its last read for 30 s after a change.
      const fresh = await startDashboard(dashboardOptions(organization, redis.url, prefix));
      const scrape = async (): Promise<string> => (await fetch(`${fresh.url}/metrics`, { headers: { authorization } })).text();
      let text: string;
      try {
        await scrape();
        text = await scrape();
      } finally {
        await fresh.close();
      }
      const others = parsePrometheusText(text).samples.filter((sample) => sample.name === 'scheduler_emails' && sample.labels.status === 'other');
      expect(others).toEqual([expect.objectContaining({ labels: { organization: ORGANIZATION, status: 'other', email_type: 'other' }, value: odd.length })]);
      expect(text).not.toContain('xxxxxxxxxx');
      expect(text).not.toContain('has space');
    } finally {
      db.orm.delete(schema.emailSchedules).where(gte(schema.emailSchedules.scheduledSendDate, '2099-01-01')).run();
      db.close();
    }
  });
});

describe('the nightly full runs', () => {
  test('/healthz and /metrics say that none is registered, a warning, and when the next fires once registered', async () => {
    const before = await health();
    expect(before.status).toBe(200);
    expect(before.body.nightly).toEqual({ registered: false, next: null });
    expect(before.body.warnings.join('\n')).toMatch(/nightly full runs are not registered.*scheduler nightly/);
    const scrapeRegistered = async (): Promise<number | undefined> => {
      const response = await fetch(`${dashboard.url}/metrics`, { headers: { authorization } });
      return parsePrometheusText(await response.text()).samples.find((sample) => sample.name === 'scheduler_nightly_registered')?.value;
    };
    expect(await scrapeRegistered()).toBe(0);

    await registerSchedules(redis.url, organization.config, { prefix });
    const after = await health();
    expect(after.body.nightly.registered).toBe(true);
    // 02:00 in Chicago is 07:00 or 08:00 UTC, within the next day.
    expect(after.body.nightly.next).toMatch(/T0[78]:00:00\.000Z$/);
    expect(Date.parse(after.body.nightly.next) - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    expect(after.body.warnings.join('\n')).not.toMatch(/nightly/);
    expect(await scrapeRegistered()).toBe(1);

    // Two days on, with no worker to take the night's job, BullMQ still holds that night as the next.
    const later = await startDashboard({ ...dashboardOptions(organization, redis.url, prefix), now: () => new Date(Date.now() + 2 * 24 * 3600_000) });
    try {
      const response = await fetch(`${later.url}/healthz`, { headers: { authorization } });
      const body = (await response.json()) as { warnings: string[]; nightly: { next: string } };
      expect(body.nightly.next).toBe(after.body.nightly.next);
      expect(body.warnings.join('\n')).toContain(`the nightly full runs were due at ${after.body.nightly.next} and no worker has taken them`);
    } finally {
      await later.close();
    }
  });
});

describe('a queue paused in Bull Board', () => {
  test('/healthz names it in a warning (still 200) and /metrics says 1 for it, 0 for the others, until it is resumed', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const finalize = new Queue(QUEUE_NAMES.finalize, { connection, prefix });
    const pausedOf = async (): Promise<Map<string, number | undefined>> => {
      const response = await fetch(`${dashboard.url}/metrics`, { headers: { authorization } });
      const samples = parsePrometheusText(await response.text()).samples.filter((sample) => sample.name === 'scheduler_queue_paused');
      return new Map(samples.map((sample) => [sample.labels.queue!, sample.value]));
    };
    try {
      await finalize.pause();
      const paused = await health();
      expect(paused.status).toBe(200);
      expect(paused.body.pausedQueues).toEqual(['scheduler-finalize']);
      expect(paused.body.warnings.join('\n')).toMatch(/queue scheduler-finalize is paused: its jobs wait until it is resumed/);
      expect(await pausedOf()).toEqual(
        new Map([
          ['scheduler-requests', 0],
          ['scheduler-chunks', 0],
          ['scheduler-finalize', 1],
          ['scheduler-backups', 0],
        ]),
      );

      await finalize.resume();
      const resumed = await health();
      expect(resumed.body.pausedQueues).toEqual([]);
      expect(resumed.body.warnings.join('\n')).not.toMatch(/paused/);
      expect((await pausedOf()).get('scheduler-finalize')).toBe(0);
    } finally {
      await finalize.resume();
      await finalize.close();
      connection.disconnect();
    }
  });
});

describe('when an organization database cannot be read', () => {
  test('/healthz is 503 naming it', async () => {
    const garbage = join(organization.directory, 'broken.sqlite');
    writeFileSync(garbage, 'this is not a database, only a file with the name of one');
    try {
      const { status, body } = await health();
      expect(status).toBe(503);
      expect(body.organizations).toContainEqual(expect.objectContaining({ organization: 'broken', readable: false }));
      expect(body.problems.join('\n')).toContain('broken');
    } finally {
      writeFileSync(garbage, '');
      (await import('node:fs')).rmSync(garbage);
    }
  });
});

describe('when the directory holds database files nothing serves', () => {
  test('/healthz warns of each (still 200) and the organizations page lists them with why', async () => {
    const unserved = [join(organization.directory, 'acme copy.sqlite'), join(organization.directory, 'acme.db')];
    for (const file of unserved) writeFileSync(file, readFileSync(organization.path));
    try {
      const { status, body } = await health();
      expect(status).toBe(200);
      expect(body.organizations.map(({ organization: name }: { organization: string }) => name)).toEqual([ORGANIZATION]);
      expect(body.unservedFiles).toEqual([
        { file: 'acme copy.sqlite', because: expect.stringContaining('no organization id') },
        { file: 'acme.db', because: expect.stringContaining(`served from ${ORGANIZATION}.sqlite`) },
      ]);
      expect(body.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^database file acme copy\.sqlite is not served: /)]));
      const page = await (await fetch(`${dashboard.url}/`, { headers: { authorization, accept: 'text/html' } })).text();
      expect(page).toContain('Database files not served');
      expect(page).toContain('<code>acme copy.sqlite</code>');
      expect(page).toContain('<code>acme.db</code>');
    } finally {
      for (const file of unserved) rmSync(file);
    }
    expect((await health()).body.unservedFiles).toEqual([]);
  });
});

describe('when the organization directory is gone (a volume not mounted)', () => {
  test('/metrics still answers, with the queues and the directory down; / and /healthz name the directory', async () => {
    const away = `${organization.directory}-away`;
    renameSync(organization.directory, away);
    try {
      const response = await fetch(`${dashboard.url}/metrics`, { headers: { authorization } });
      expect(response.status).toBe(200);
      const samples = parsePrometheusText(await response.text()).samples;
      const value = (name: string): number | undefined => samples.find((sample) => sample.name === name)?.value;
      expect(value('scheduler_organization_directory_up')).toBe(0);
      expect(value('scheduler_organizations')).toBe(0);
      expect(value('scheduler_redis_up')).toBe(1);
      expect(samples.some((sample) => sample.name === 'scheduler_queue_jobs')).toBe(true);

      const page = await fetch(`${dashboard.url}/`, { headers: { authorization, accept: 'text/html' } });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain(`the organization directory cannot be read: the organization directory ${organization.directory} does not exist`);
      const { status, body } = await health();
      expect(status).toBe(503);
      expect(body.problems.join('\n')).toContain(organization.directory);
    } finally {
      renameSync(away, organization.directory);
    }
    const again = await (await fetch(`${dashboard.url}/metrics`, { headers: { authorization } })).text();
    expect(parsePrometheusText(again).samples.find((sample) => sample.name === 'scheduler_organization_directory_up')?.value).toBe(1);
  });
});

describe('when Redis goes away', () => {
  test('/healthz turns 503 and says Redis is unreachable; the schedule pages still answer', async () => {
    await redis.kill();
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.status).toBe('unhealthy');
    expect(body.redis.reachable).toBe(false);
    expect(body.queues).toBeNull();
    const page = await fetch(`${dashboard.url}/organizations/${ORGANIZATION}`, { headers: { authorization } });
    expect(page.status).toBe(200);
    const metrics = await fetch(`${dashboard.url}/metrics`, { headers: { authorization } });
    expect(parsePrometheusText(await metrics.text()).samples).toContainEqual({ name: 'scheduler_redis_up', labels: {}, value: 0 });
  });
});
