import { describe, expect, test } from 'vitest';
import { DashboardConfigError } from '../src/dashboard-errors';
import { accessCredentials, basicCredentialsOf, credentialsMatch } from '../src/security/credentials';
import { LoginThrottle } from '../src/security/login-throttle';
import { isLoopbackHost } from '../src/security/loopback-host';
import { localPath } from '../src/security/request-origin';
import { SessionStore } from '../src/security/session-store';

describe('listen addresses', () => {
  test.each(['127.0.0.1', '127.4.5.6', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  test.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1', '::ffff:10.0.0.1', ''])('%s is public', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  test('a public address without credentials is refused; loopback gets a password made up for the process', () => {
    expect(() => accessCredentials('0.0.0.0', null)).toThrow(DashboardConfigError);
    const made = accessCredentials('127.0.0.1', null);
    expect(made.generated).toBe(true);
    expect(accessCredentials('127.0.0.1', null).credentials.password).not.toBe(made.credentials.password);
    expect(accessCredentials('0.0.0.0', { user: 'ops', password: 'long enough secret' })).toEqual({
      credentials: { user: 'ops', password: 'long enough secret' },
      generated: false,
    });
  });
});

describe('credentials', () => {
  test('both the user and the password must match', () => {
    const expected = { user: 'ops', password: 'secret value' };
    expect(credentialsMatch(expected, 'ops', 'secret value')).toBe(true);
    expect(credentialsMatch(expected, 'ops', 'secret valu')).toBe(false);
    expect(credentialsMatch(expected, 'Ops', 'secret value')).toBe(false);
    expect(credentialsMatch(expected, '', '')).toBe(false);
  });

  test('HTTP Basic headers are read, a colon in the password included', () => {
    const header = `Basic ${Buffer.from('ops:pa:ss').toString('base64')}`;
    expect(basicCredentialsOf(header)).toEqual({ user: 'ops', password: 'pa:ss' });
    expect(basicCredentialsOf('Bearer abc')).toBeNull();
    expect(basicCredentialsOf(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeNull();
    expect(basicCredentialsOf(undefined)).toBeNull();
  });
});

describe('sessions', () => {
  const clock = (): { now: () => number; advance: (ms: number) => void } => {
    let at = 1_000_000;
    return { now: () => at, advance: (ms) => (at += ms) };
  };

  test('a session ends when idle too long, and when too old however used', () => {
    const time = clock();
    const store = new SessionStore({ idleTimeoutMs: 1_000, maxAgeMs: 5_000, now: time.now });
    const idle = store.create('ops');
    time.advance(1_001);
    expect(store.find(idle.id)).toBeNull();

    const busy = store.create('ops');
    for (let i = 0; i < 5; i++) {
      time.advance(900);
      expect(store.find(busy.id)?.user).toBe('ops');
    }
    time.advance(900);
    expect(store.find(busy.id)).toBeNull();
  });

  test('ids and CSRF tokens are random and distinct; a destroyed session is gone', () => {
    const store = new SessionStore({ idleTimeoutMs: 60_000, maxAgeMs: 60_000 });
    const a = store.create('ops');
    const b = store.create('ops');
    expect(new Set([a.id, a.csrfToken, b.id, b.csrfToken]).size).toBe(4);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    store.destroy(a.id);
    expect(store.find(a.id)).toBeNull();
    expect(store.find(undefined)).toBeNull();
  });

  test('beyond the limit, the least recently used session ends', () => {
    const store = new SessionStore({ idleTimeoutMs: 60_000, maxAgeMs: 60_000, maxSessions: 2 });
    const first = store.create('ops');
    const second = store.create('ops');
    store.find(first.id);
    store.create('ops');
    expect(store.find(second.id)).toBeNull();
    expect(store.find(first.id)).not.toBeNull();
  });
});

describe('sign-in throttling', () => {
  test('a client is held back after too many failures, until the oldest ages out; success clears it', () => {
    let at = 0;
    const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 1_000, now: () => at });
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterMs('a')).toBe(0);
      throttle.recordFailure('a');
      at += 100;
    }
    expect(throttle.retryAfterMs('a')).toBe(700);
    expect(throttle.retryAfterMs('b')).toBe(0);
    at += 701;
    expect(throttle.retryAfterMs('a')).toBe(0);
    throttle.recordFailure('a');
    throttle.recordSuccess('a');
    expect(throttle.retryAfterMs('a')).toBe(0);
  });
});

describe('returning after sign-in', () => {
  test('only to a path of this site', () => {
    expect(localPath('/organizations/acme?x=1')).toBe('/organizations/acme?x=1');
    expect(localPath('//evil.example/')).toBe('/');
    expect(localPath('/\\evil.example/')).toBe('/');
    expect(localPath('https://evil.example/')).toBe('/');
    expect(localPath('/\t/evil.example/')).toBe('/');
    expect(localPath('/\n\\evil.example/')).toBe('/');
    expect(localPath('\\\\evil.example/')).toBe('/');
    expect(localPath(undefined)).toBe('/');
  });
});
