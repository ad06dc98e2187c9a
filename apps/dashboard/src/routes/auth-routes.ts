import { Hono } from 'hono';
import type { DashboardEnv } from '../dashboard-env';
import type { AccessControl } from '../security/access-control';
import { requireFormToken, tokensEqual } from '../security/csrf';
import { isSameOrigin, localPath } from '../security/request-origin';
import { getCookie } from 'hono/cookie';
import { formBody } from '../form-body';
import { layout } from '../views/layout';
import { loginPage } from '../views/login-page';

/** Sign-in (a form, with a double-submit token against login CSRF) and sign-out. */
export const authRoutes = (access: AccessControl, readOnly: boolean): Hono<DashboardEnv> => {
  const app = new Hono<DashboardEnv>();
  const chrome = { title: 'Sign in', user: null, csrfToken: null, readOnly };

  app.get('/login', (c) => {
    const next = localPath(c.req.query('next'));
    return c.html(layout(chrome, loginPage({ loginToken: access.loginToken(c), next, error: null })));
  });

  app.post('/login', async (c) => {
    const body = await formBody(c);
    const next = localPath(body.next);
    const again = (error: string, status: 400 | 401 | 403 | 429, headers: Record<string, string> = {}): Response | Promise<Response> => {
      const page = layout(chrome, loginPage({ loginToken: access.loginToken(c), next, error }));
      return c.html(page, status, headers);
    };
    const expected = getCookie(c, access.loginCookie);
    if (isSameOrigin(c) === false || expected === undefined || !tokensEqual(body._login, expected)) {
      return again('The sign-in form expired or was not sent from this site. Please sign in again.', 403);
    }
    const result = access.signIn(c, typeof body.user === 'string' ? body.user : '', typeof body.password === 'string' ? body.password : '');
    switch (result.outcome) {
      case 'signed-in':
        return c.redirect(next, 303);
      case 'throttled':
        return again(`Too many failed attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} min.`, 429, {
          'Retry-After': String(result.retryAfterSeconds),
        });
      case 'refused':
        return again('Wrong user or password.', 401);
    }
  });

  app.post('/logout', requireFormToken, (c) => {
    access.signOut(c);
    return c.redirect('/login', 303);
  });

  return app;
};
