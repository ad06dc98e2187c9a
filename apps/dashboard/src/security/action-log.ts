import type { MiddlewareHandler } from 'hono';
import type { Logger } from '@scheduler/pipeline';
import type { DashboardEnv } from '../dashboard-env';
import { SAFE_METHODS } from './request-origin';

/**
 * Ops' trail of what was asked of the dashboard: every request with good credentials that may change something
 * (its buttons; Bull Board's retry, remove, promote, pause, clean; signing out), who asked, and how it
 * ended, refused or not. A button's answer leads to the job it enqueued (`location`).
 */
export const logChangeRequests =
  (logger: Logger): MiddlewareHandler<DashboardEnv> =>
  async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    await next();
    // Signing in, the one request let through without credentials, changes nothing of the fleet's.
    const user = c.get('user');
    if (user === undefined) return;
    const location = c.res.headers.get('location');
    logger.info({ user, method: c.req.method, path: c.req.path, status: c.res.status, ...(location === null ? {} : { location }) }, 'dashboard change requested');
  };
