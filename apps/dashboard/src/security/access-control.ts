import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { DashboardEnv } from '../dashboard-env';
import { basicCredentialsOf, credentialsMatch, type Credentials } from './credentials';
import { LoginThrottle } from './login-throttle';
import { SAFE_METHODS } from './request-origin';
import { SessionStore, type Session } from './session-store';

export interface AccessControlOptions {
  readonly credentials: Credentials;
  /** Cookies only over HTTPS (behind a TLS proxy): `Secure` and the `__Host-` prefix. */
  readonly secureCookies: boolean;
  readonly sessionIdleMs?: number;
  readonly sessionMaxAgeMs?: number;
  readonly now?: () => number;
}

export type SignInResult =
  | { readonly outcome: 'signed-in'; readonly session: Session }
  | { readonly outcome: 'refused' }
  | { readonly outcome: 'throttled'; readonly retryAfterSeconds: number };

/** Paths anyone may load: the sign-in page and the stylesheet it uses. */
const PUBLIC_PATHS: readonly RegExp[] = [/^\/login$/, /^\/assets\/[a-z0-9.-]+$/];
const REALM = 'Basic realm="Email scheduler dashboard", charset="UTF-8"';

/**
 * Who may use the dashboard: a browser signs in with the form and holds a
 * session cookie (HttpOnly, SameSite=Strict); scripts and Prometheus may
 * read (GET) with HTTP Basic. The same credentials serve both, and failed
 * attempts are throttled per client address.
 */
export class AccessControl {
  readonly sessions: SessionStore;
  private readonly throttle: LoginThrottle;
  private readonly sessionCookie: string;
  readonly loginCookie: string;

  constructor(private readonly options: AccessControlOptions) {
    this.sessions = new SessionStore({
      idleTimeoutMs: options.sessionIdleMs ?? 8 * 60 * 60 * 1000,
      maxAgeMs: options.sessionMaxAgeMs ?? 24 * 60 * 60 * 1000,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    this.throttle = new LoginThrottle({ maxFailures: 10, windowMs: 15 * 60 * 1000, ...(options.now === undefined ? {} : { now: options.now }) });
    this.sessionCookie = options.secureCookies ? '__Host-scheduler-session' : 'scheduler-session';
    this.loginCookie = options.secureCookies ? '__Host-scheduler-login' : 'scheduler-login';
  }

  /** Lets a request through with `user` and `session` set, or answers it: sign-in page for people, 401 for the rest. */
  authenticate(): MiddlewareHandler<DashboardEnv> {
    return async (c, next) => {
      if (PUBLIC_PATHS.some((path) => path.test(c.req.path))) return next();
      const session = this.sessions.find(getCookie(c, this.sessionCookie));
      if (session !== null) {
        c.set('session', session);
        c.set('user', session.user);
        return next();
      }
      const basic = basicCredentialsOf(c.req.header('authorization'));
      if (basic !== null && SAFE_METHODS.has(c.req.method)) {
        const client = clientAddress(c);
        const retryAfterMs = this.throttle.retryAfterMs(client);
        if (retryAfterMs > 0) return c.text('too many failed sign-ins; try again later\n', 429, { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) });
        if (credentialsMatch(this.options.credentials, basic.user, basic.password)) {
          this.throttle.recordSuccess(client);
          c.set('session', null);
          c.set('user', basic.user);
          return next();
        }
        this.throttle.recordFailure(client);
      }
      if (SAFE_METHODS.has(c.req.method) && (c.req.header('accept') ?? '').includes('text/html')) {
        return c.redirect(`/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`, 303);
      }
      return c.json({ error: 'authentication required' }, 401, { 'WWW-Authenticate': REALM });
    };
  }

  /** Checks the sign-in form's credentials; on success a new session (a fresh id: no fixation) and its cookie. */
  signIn(c: Context<DashboardEnv>, user: string, password: string): SignInResult {
    const client = clientAddress(c);
    const retryAfterMs = this.throttle.retryAfterMs(client);
    if (retryAfterMs > 0) return { outcome: 'throttled', retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
    if (!credentialsMatch(this.options.credentials, user, password)) {
      this.throttle.recordFailure(client);
      return { outcome: 'refused' };
    }
    this.throttle.recordSuccess(client);
    const session = this.sessions.create(user);
    setCookie(c, this.sessionCookie, session.id, this.cookieOptions());
    deleteCookie(c, this.loginCookie, this.cookieOptions());
    return { outcome: 'signed-in', session };
  }

  signOut(c: Context<DashboardEnv>): void {
    const session = c.get('session');
    if (session !== null) this.sessions.destroy(session.id);
    deleteCookie(c, this.sessionCookie, this.cookieOptions());
  }

  /** The sign-in form's double-submit token: the same random value in a cookie and in the form. */
  loginToken(c: Context<DashboardEnv>): string {
    const existing = getCookie(c, this.loginCookie);
    if (existing !== undefined && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString('base64url');
    setCookie(c, this.loginCookie, token, { ...this.cookieOptions(), maxAge: 60 * 60 });
    return token;
  }

  private cookieOptions(): { httpOnly: true; sameSite: 'Strict'; secure: boolean; path: '/' } {
    return { httpOnly: true, sameSite: 'Strict', secure: this.options.secureCookies, path: '/' };
  }
}

const clientAddress = (c: Context<DashboardEnv>): string => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
};
