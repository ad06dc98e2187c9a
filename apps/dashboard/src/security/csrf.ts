import type { MiddlewareHandler } from 'hono';
import { ActionRefusedError } from '../dashboard-errors';
import type { DashboardEnv } from '../dashboard-env';
import { formBody } from '../form-body';
import { sameSecret } from './credentials';
import { SAFE_METHODS, isSameOrigin } from './request-origin';

/** Token comparison in constant time. */
export const tokensEqual = (sent: unknown, expected: string): boolean =>
  typeof sent === 'string' && sent.length > 0 && sameSecret(sent, expected);

/**
 * Every state-changing form needs the session's CSRF token in `_csrf`, and
 * a browser that names the request's origin must name ours. HTTP Basic
 * alone changes nothing: a browser would send it on a forged request too.
 */
export const requireFormToken: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  const session = c.get('session');
  if (session === null) throw new ActionRefusedError('changes need a signed-in session: sign in with the form, not HTTP Basic', 403);
  if (isSameOrigin(c) === false) throw new ActionRefusedError('refused a request sent from another site', 403);
  const body = await formBody(c);
  if (!tokensEqual(body._csrf, session.csrfToken)) {
    throw new ActionRefusedError('the form is missing its security token or it is out of date: reload the page and try again', 403);
  }
  await next();
};

/**
 * Bull Board's own API cannot send our token: its writes need a session,
 * a browser that says the request is same-origin (besides the SameSite
 * cookie), and a dashboard that is not read-only (on top of Bull Board's
 * own per-queue read-only mode).
 */
export const guardBullBoardWrites =
  (readOnly: boolean): MiddlewareHandler<DashboardEnv> =>
  async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    if (readOnly) return c.json({ error: 'the dashboard is read-only' }, 405);
    if (c.get('session') === null) return c.json({ error: 'changes need a signed-in session' }, 403);
    if (isSameOrigin(c) !== true) return c.json({ error: 'refused a request not sent from the dashboard itself' }, 403);
    return next();
  };
