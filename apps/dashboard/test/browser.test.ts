import { Queue } from 'bullmq';
import { count } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { dailyCapOf } from '@scheduler/core';
import { openOrganizationDb, schema } from '@scheduler/db';
import { QUEUE_NAMES } from '@scheduler/queue';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, type LaunchedBrowser } from './support/chromium';
import { CREDENTIALS, ORGANIZATION, contactInWindow, startDashboardWorld, testRedisUrl, type DashboardWorld } from './support/dashboard-world';

let world: DashboardWorld;
let chromium: LaunchedBrowser;

beforeAll(async () => {
  [world, chromium] = await Promise.all([startDashboardWorld(), launchChromium()]);
});

afterAll(async () => {
  await chromium?.close();
  await world?.close();
});

const signIn = async (page: Page, baseUrl: string, path: string): Promise<void> => {
  await page.goto(`${baseUrl}${path}`);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
  await page.fill('input[name="user"]', CREDENTIALS.user);
  await page.fill('input[name="password"]', CREDENTIALS.password);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${baseUrl}${path}`);
};


/** Opens `path`, signing in first when this browser has not yet (a test run on its own). */
const openSignedIn = async (page: Page, path: string): Promise<void> => {
  await page.goto(`${world.dashboard.url}${path}`);
  if (new URL(page.url()).pathname === '/login') await signIn(page, world.dashboard.url, path);
};

describe('when a person signs in with a browser', () => {
  test('the sign-in form leads back to the page asked for, and the organization page charts the year against the daily cap', async () => {
    const page = await chromium.context.newPage();
    const base = world.dashboard.url;
    await signIn(page, base, `/organizations/${ORGANIZATION}`);

    const contacts = world.read((db) => db.orm.select({ rows: count() }).from(schema.contacts).get()!.rows);
    const cap = page.locator('svg.volume-chart g.cap');
    expect(await cap.getAttribute('data-cap')).toBe(String(dailyCapOf(contacts, world.organization.config)));
    expect(await page.locator('svg.volume-chart g.day').count()).toBeGreaterThan(100);
    expect(await page.locator('.legend-item').allTextContents()).toEqual(expect.arrayContaining(['birthday', 'effective_date', 'daily cap']));
    await expect.poll(() => page.locator('table.skips').textContent()).toContain('exclusion_window');
    expect(await page.locator('table.runs').textContent()).toContain('completed');
    await page.close();
  });

  test('a contact page shows every email with its reason and the exclusion window that applied', async () => {
    const page = await chromium.context.newPage();
    const contactId = contactInWindow(world);
    await page.goto(`${world.dashboard.url}/organizations/${ORGANIZATION}/contacts/${contactId}`);
    const skipped = page.locator('tr.status-row-skipped', { hasText: 'exclusion_window' }).first();
    const windowText = (await skipped.locator('.window').textContent()) ?? '';
    expect(windowText).toMatch(/^\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}$/);
    // The window the page computed with core is the one the scheduler wrote in the reason.
    const [start, end] = windowText.split(' – ');
    expect(await skipped.locator('.reason').textContent()).toContain(`${start} to ${end}`);
    expect(await page.locator('table.windows tbody tr').count()).toBeGreaterThan(0);
    await page.close();
  });

  test('rescheduling a contact enqueues a job and the page follows it to completion', async () => {
    const page = await chromium.context.newPage();
    const contactId = contactInWindow(world);
    await page.goto(`${world.dashboard.url}/organizations/${ORGANIZATION}/contacts/${contactId}`);
    await page.click('text=Reschedule this contact');
    await page.waitForURL(/\/jobs\//);
    await page.locator('.job-state[data-state="completed"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('table.summary-table').textContent()).toContain(`reschedule-${ORGANIZATION}`);
    await page.getByRole('link', { name: `Contact ${contactId}`, exact: true }).click();
    await page.waitForURL(`${world.dashboard.url}/organizations/${ORGANIZATION}/contacts/${contactId}`);
    expect(await page.locator('h1').textContent()).toBe(`Contact ${contactId}`);
    await page.close();
  });

  test("a reschedule held up by another writer's lock says why on its page, and completes once the lock goes", async () => {
    const page = await chromium.context.newPage();
    const contactId = contactInWindow(world);
    const holder = openOrganizationDb(world.organization.path);
    try {
      await page.goto(`${world.dashboard.url}/organizations/${ORGANIZATION}/contacts/${contactId}`);
      holder.sqlite.exec('BEGIN IMMEDIATE');
      await page.click('text=Reschedule this contact');
      await page.waitForURL(/\/jobs\//);
      await page.getByText(/Delayed: .* the organization's database is locked by another writer/).waitFor({ timeout: 40_000 });
      holder.sqlite.exec('COMMIT');
      await page.locator('.job-state[data-state="completed"]').waitFor({ timeout: 30_000 });
    } finally {
      if (holder.sqlite.inTransaction) holder.sqlite.exec('ROLLBACK');
      holder.close();
      await page.close();
    }
  }, 90_000);

  test('starting a full run follows the run through its chunks to the commit', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${world.dashboard.url}/organizations/${ORGANIZATION}`);
    await page.check('input[name="rerun"]');
    await page.click('text=Start a full run');
    await page.waitForURL(/\/jobs\/dashboard-rerun-/);
    await page.locator('.job-state[data-state="completed"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('table.summary-table').textContent()).toMatch(/Pre-scheduled\s*[\d,]+/);
    await page.close();
  });

  test("a full run whose backup has not started says so on its page, and completes once the backups queue is resumed", async () => {
    const page = await chromium.context.newPage();
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const backups = new Queue(QUEUE_NAMES.backups, { connection: redis, prefix: world.prefix });
    try {
      // As ops would in Bull Board.
      await backups.pause();
      await page.goto(`${world.dashboard.url}/organizations/${ORGANIZATION}`);
      await page.check('input[name="rerun"]');
      await page.click('text=Start a full run');
      await page.waitForURL(/\/jobs\/dashboard-rerun-/);
      await page.getByText(/Its finalizer is delayed: .* the run's backup has not started/).waitFor({ timeout: 40_000 });
      await backups.resume();
      await page.locator('.job-state[data-state="completed"]').waitFor({ timeout: 40_000 });
    } finally {
      await backups.resume();
      await backups.close();
      redis.disconnect();
      await page.close();
    }
  }, 90_000);

  test('starting a full run while that run is in flight follows the run, rather than reporting it completed', async () => {
    const pages = [await chromium.context.newPage(), await chromium.context.newPage()];
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const backups = new Queue(QUEUE_NAMES.backups, { connection: redis, prefix: world.prefix });
    try {
      // A changed contact makes the day's run due again; the paused backups hold it in flight.
      world.write((db) => db.sqlite.prepare("UPDATE contacts SET birth_date = '1962-08-05' WHERE id = (SELECT max(id) FROM contacts)").run());
      await backups.pause();
      await openSignedIn(pages[0]!, `/organizations/${ORGANIZATION}`);
      for (const page of pages) {
        await page.goto(`${world.dashboard.url}/organizations/${ORGANIZATION}`);
        await page.click('text=Start a full run');
        await page.waitForURL(/\/jobs\/dashboard-run-/);
        await page.getByText(/Its finalizer is delayed: .* the run's backup has not started/).waitFor({ timeout: 40_000 });
      }
      expect(await pages[1]!.locator('.job-state[data-state="completed"]').count()).toBe(0);
      await backups.resume();
      const runIds = [];
      for (const page of pages) {
        await page.locator('.job-state[data-state="completed"]').waitFor({ timeout: 40_000 });
        runIds.push(await page.locator('table.summary-table code').first().textContent());
      }
      expect(runIds[1]).toBe(runIds[0]);
    } finally {
      await backups.resume();
      await backups.close();
      redis.disconnect();
      for (const page of pages) await page.close();
    }
  }, 120_000);

  test('a reschedule whose queue is paused says so, and a full run whose finalizer was removed says it will not commit', async () => {
    const page = await chromium.context.newPage();
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const requests = new Queue(QUEUE_NAMES.requests, { connection: redis, prefix: world.prefix });
    const chunks = new Queue(QUEUE_NAMES.chunks, { connection: redis, prefix: world.prefix });
    const finalize = new Queue(QUEUE_NAMES.finalize, { connection: redis, prefix: world.prefix });
    try {
      await openSignedIn(page, `/organizations/${ORGANIZATION}/contacts/${contactInWindow(world)}`);
      await requests.pause();
      await page.click('text=Reschedule this contact');
      await page.waitForURL(/\/jobs\//);
      await page.getByText('its queue (scheduler-requests) is paused in Bull Board').waitFor({ timeout: 20_000 });
      await requests.resume();
      await page.locator('.job-state[data-state="completed"]').waitFor({ timeout: 30_000 });

      // As ops can in Bull Board, while the run's chunks wait.
      await chunks.pause();
      await page.goto(`${world.dashboard.url}/organizations/${ORGANIZATION}`);
      await page.check('input[name="rerun"]');
      await page.click('text=Start a full run');
      await page.waitForURL(/\/jobs\/dashboard-rerun-/);
      await page.locator('.job-state[data-state="running"]').waitFor({ timeout: 30_000 });
      const [finalizer] = await finalize.getWaitingChildren();
      await finalizer!.remove();
      await page.getByText(/finalizer is no longer in the queue .* never committed: ask for it again/).waitFor({ timeout: 20_000 });
    } finally {
      await requests.resume();
      await chunks.resume();
      for (const queue of [requests, chunks, finalize]) await queue.close();
      redis.disconnect();
      await page.close();
    }
  }, 120_000);

  test('starting a full run again after a contact changed runs it again, and while nothing changed answers with the run in force', async () => {
    const page = await chromium.context.newPage();
    const startRun = async (): Promise<string> => {
      await page.goto(`${world.dashboard.url}/organizations/${ORGANIZATION}`);
      await page.click('text=Start a full run');
      await page.waitForURL(/\/jobs\/dashboard-run-/);
      await page.locator('.job-state[data-state="completed"]').waitFor({ timeout: 30_000 });
      return (await page.locator('table.summary-table code').first().textContent()) ?? '';
    };
    const first = await startRun();
    expect(await startRun()).toBe(first);
    world.write((db) => db.sqlite.prepare("UPDATE contacts SET birth_date = '1961-07-04' WHERE id = (SELECT min(id) FROM contacts)").run());
    const afterChange = await startRun();
    expect(afterChange).not.toBe(first);
    expect(world.read((db) => db.sqlite.prepare("SELECT status FROM scheduler_checkpoints WHERE scheduler_run_id = ?").pluck().get(afterChange))).toBe(
      'completed',
    );
    await page.close();
  });
});

describe('when the dashboard is read-only', () => {
  test('no action is offered, and actions sent anyway are refused', async () => {
    await chromium.context.clearCookies();
    const page = await chromium.context.newPage();
    const base = world.readOnlyDashboard.url;
    const contactId = contactInWindow(world);
    await signIn(page, base, `/organizations/${ORGANIZATION}/contacts/${contactId}`);
    expect(await page.locator('.badge.read-only').isVisible()).toBe(true);
    expect(await page.locator('text=Reschedule this contact').count()).toBe(0);
    await page.goto(`${base}/organizations/${ORGANIZATION}`);
    expect(await page.locator('text=Start a full run').count()).toBe(0);

    // The session's token is on the page (sign-out form): a forged form with it is still refused.
    const token = await page.locator('input[name="_csrf"]').first().getAttribute('value');
    const refused = await page.request.post(`${base}/organizations/${ORGANIZATION}/contacts/${contactId}/reschedule`, {
      form: { _csrf: token! },
      headers: { 'sec-fetch-site': 'same-origin', accept: 'text/html' },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('read-only');

    // Bull Board's write endpoints answer 405 (its read-only mode, and ours in front of it).
    const retry = await page.request.put(`${base}/queues/api/queues/scheduler-requests/retry/failed`, {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(retry.status()).toBe(405);
    await page.goto(`${base}/queues`);
    await page.locator('text=scheduler-requests').first().waitFor();
    await page.close();
  });
});
