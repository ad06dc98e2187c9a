import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QUEUE_NAMES } from '@scheduler/queue';
import { DashboardConfigError, startDashboard } from '../src/index';
import { ORGANIZATION, dashboardOptions, seededOrganization, startDashboardWorld, testRedisUrl, type DashboardWorld } from './support/dashboard-world';
import { basicAuthorization, postForm, signIn, type HttpSession } from './support/http-session';

let world: DashboardWorld;
let base: string;
let session: HttpSession;

/** What the dashboard logged (pino JSON lines). */
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  world = await startDashboardWorld({ dashboardLogger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) }) });
  base = world.dashboard.url;
  session = await signIn(base);
});

afterAll(async () => {
  await world?.close();
});

const html = { accept: 'text/html' };
const sameOrigin = { 'sec-fetch-site': 'same-origin' };

describe('when a request brings no credentials', () => {
  test('a page sends the browser to the sign-in form, and comes back to it after', async () => {
    const response = await fetch(`${base}/organizations/${ORGANIZATION}?x=1`, { headers: html, redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/organizations/${ORGANIZATION}?x=1`)}`);
  });

  test.each(['/metrics', '/healthz', '/queues/api/queues', `/organizations/${ORGANIZATION}`])('%s answers 401 to a script', async (path) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  test('an action is refused', async () => {
    const response = await postForm(base, `/organizations/${ORGANIZATION}/runs`, { asOf: world.organization.today }, sameOrigin);
    expect(response.status).toBe(401);
  });

  test('a wrong password is refused, by HTTP Basic and by the form', async () => {
    expect((await fetch(`${base}/healthz`, { headers: { authorization: basicAuthorization('ops', 'wrong') } })).status).toBe(401);
    const form = await fetch(`${base}/login`);
    const cookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
    const token = /name="_login" value="([^"]+)"/.exec(await form.text())![1]!;
    const response = await postForm(base, '/login', { _login: token, user: 'ops', password: 'wrong', next: '/' }, { cookie, ...sameOrigin });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie().some((value) => value.startsWith('scheduler-session='))).toBe(false);
  });

  test('the sign-in form itself needs its token (no login CSRF)', async () => {
    const response = await postForm(base, '/login', { user: 'ops', password: 'correct horse battery staple' }, sameOrigin);
    expect(response.status).toBe(403);
  });
});

describe('when a script reads with HTTP Basic', () => {
  test('it may read, and may not act', async () => {
    const authorization = basicAuthorization();
    expect((await fetch(`${base}/organizations/${ORGANIZATION}`, { headers: { authorization } })).status).toBe(200);
    const response = await postForm(base, `/organizations/${ORGANIZATION}/runs`, { asOf: world.organization.today }, { authorization, ...sameOrigin });
    expect(response.status).toBe(401);
  });
});

describe('when Bull Board is asked for', () => {
  test('at /queues/ it sends the browser to /queues, where it answers', async () => {
    const authorization = basicAuthorization();
    const slash = await fetch(`${base}/queues/`, { headers: { authorization }, redirect: 'manual' });
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/queues');
    expect((await fetch(`${base}/queues`, { headers: { authorization } })).status).toBe(200);
  });
});

describe('when a signed-in session posts', () => {
  const reschedule = `/organizations/${ORGANIZATION}/contacts/1/reschedule`;

  test('the session cookie is HttpOnly and SameSite=Strict', () => {
    expect(session.setCookie).toMatch(/; HttpOnly/);
    expect(session.setCookie).toMatch(/; SameSite=Strict/);
  });

  test('a form without the CSRF token is refused', async () => {
    const response = await postForm(base, reschedule, {}, { cookie: session.cookie, ...sameOrigin, ...html });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('security token');
  });

  test('a form with a wrong token is refused', async () => {
    const response = await postForm(base, reschedule, { _csrf: `${session.csrfToken}x` }, { cookie: session.cookie, ...sameOrigin });
    expect(response.status).toBe(403);
  });

  test('a form sent from another site is refused even with the token', async () => {
    const response = await postForm(base, reschedule, { _csrf: session.csrfToken }, { cookie: session.cookie, 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
  });

  test('a payload the job schema refuses is refused with the field named', async () => {
    const response = await postForm(
      base,
      `/organizations/${ORGANIZATION}/runs`,
      { _csrf: session.csrfToken, asOf: '2026-02-30' },
      { cookie: session.cookie, ...sameOrigin, ...html },
    );
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('asOf');
    expect(page).not.toMatch(/at .*\.ts:\d+/);
  });

  test('a form with the token enqueues the request and redirects to its progress', async () => {
    const response = await postForm(base, reschedule, { _csrf: session.csrfToken }, { cookie: session.cookie, ...sameOrigin });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/jobs\/\d+$/);
  });

  test("a button's request is logged with who asked and the job it enqueued, and the job says who asked", async () => {
    const response = await postForm(base, `/organizations/${ORGANIZATION}/runs`, { _csrf: session.csrfToken, asOf: world.organization.today }, { cookie: session.cookie, ...sameOrigin });
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(logged.filter((line) => line.msg === 'dashboard change requested' && line.location === location)).toEqual([
      expect.objectContaining({ user: 'ops', method: 'POST', path: `/organizations/${ORGANIZATION}/runs`, status: 303 }),
    ]);
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const requests = new Queue(QUEUE_NAMES.requests, { connection, prefix: world.prefix });
    try {
      const job = await requests.getJob(decodeURIComponent(location.replace(/^\/jobs\//, '')));
      expect(job?.data).toMatchObject({ organization: ORGANIZATION, requestedBy: 'dashboard:ops' });
    } finally {
      await requests.close();
      connection.disconnect();
    }
  });

  // RULES §1: today is the day a run starts. A page loaded before midnight and sent after it must not name the day before.
  test('a full run asked for with the date left empty is enqueued with no day, for the worker to take the day it starts', async () => {
    const response = await postForm(base, `/organizations/${ORGANIZATION}/runs`, { _csrf: session.csrfToken, asOf: '' }, { cookie: session.cookie, ...sameOrigin });
    expect(response.status).toBe(303);
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const requests = new Queue(QUEUE_NAMES.requests, { connection, prefix: world.prefix });
    try {
      const job = await requests.getJob(decodeURIComponent(response.headers.get('location')!.replace(/^\/jobs\//, '')));
      expect(job?.data).toEqual({ organization: ORGANIZATION, requestedBy: 'dashboard:ops' });
    } finally {
      await requests.close();
      connection.disconnect();
    }
  });

  test("Bull Board's write API needs the request to come from the dashboard's own pages", async () => {
    const retry = `${base}/queues/api/queues/scheduler-requests/retry/failed`;
    expect((await fetch(retry, { method: 'PUT', headers: { cookie: session.cookie } })).status).toBe(403);
    expect((await fetch(retry, { method: 'PUT', headers: { cookie: session.cookie, 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await fetch(retry, { method: 'PUT', headers: { authorization: basicAuthorization(), ...sameOrigin } })).status).toBe(401);
    expect((await fetch(retry, { method: 'PUT', headers: { cookie: session.cookie, ...sameOrigin } })).status).toBeLessThan(300);
    // Each change a signed-in user asks for is logged, refused or not (a request without good credentials gets no further).
    const asked = logged.filter((line) => line.msg === 'dashboard change requested' && line.path === '/queues/api/queues/scheduler-requests/retry/failed');
    expect(asked.map((line) => [line.user, line.method, line.status])).toEqual([
      ['ops', 'PUT', 403],
      ['ops', 'PUT', 403],
      ['ops', 'PUT', expect.any(Number)],
    ]);
    expect(asked[2]!.status).toBeLessThan(300);
  });

  test('signing out ends the session', async () => {
    const own = await signIn(base);
    const out = await postForm(base, '/logout', { _csrf: own.csrfToken }, { cookie: own.cookie, ...sameOrigin });
    expect(out.status).toBe(303);
    expect((await fetch(`${base}/`, { headers: { cookie: own.cookie } })).status).toBe(401);
  });
});

describe('when something is wrong', () => {
  test('an unknown page, organization or contact is a 404 page, never a stack trace', async () => {
    for (const path of ['/nowhere', '/organizations/nobody', `/organizations/${ORGANIZATION}/contacts/999999999`, '/jobs/no-such-job']) {
      const response = await fetch(`${base}${path}`, { headers: { cookie: session.cookie, ...html } });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('<h1>Not found</h1>');
    }
  });

  test("a body that is not a readable form is refused as the sender's mistake (400), not ours", async () => {
    const broken = { 'content-type': 'multipart/form-data; boundary=cut', ...sameOrigin, ...html };
    const body = '--cut\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nno closing boundary';
    for (const [path, cookie] of [
      [`/organizations/${ORGANIZATION}/contacts/1/reschedule`, session.cookie],
      ['/login', ''],
    ] as const) {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: { ...broken, cookie }, body });
      expect(response.status, path).toBe(400);
      expect(await response.text(), path).toContain('the form could not be read');
    }
  });
});

describe('when the dashboard starts', () => {
  test('it refuses a public address without credentials', async () => {
    const organization = seededOrganization(1);
    try {
      const options = { ...dashboardOptions(organization, testRedisUrl(), 'unused'), credentials: null };
      await expect(startDashboard({ ...options, host: '0.0.0.0' })).rejects.toThrow(DashboardConfigError);
      await expect(startDashboard({ ...options, host: '0.0.0.0' })).rejects.toThrow(/DASHBOARD_USER/);
      const local = await startDashboard({ ...options, host: '127.0.0.1' });
      expect(local.access.generated).toBe(true);
      expect(local.access.credentials.password.length).toBeGreaterThanOrEqual(20);
      await local.close();
    } finally {
      organization.cleanup();
    }
  });
});
