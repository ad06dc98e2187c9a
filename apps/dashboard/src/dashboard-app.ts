import { readFileSync } from 'node:fs';
import type { Config } from '@scheduler/core';
import type { Logger } from '@scheduler/pipeline';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { DashboardError } from './dashboard-errors';
import type { DashboardEnv } from './dashboard-env';
import type { DashboardMetrics } from './health/dashboard-metrics';
import type { HealthReport } from './health/health-report';
import type { OrganizationViews } from './organizations/organization-views';
import { BULL_BOARD_PATH, bullBoardApp } from './queues/bull-board';
import type { FleetQueues } from './queues/fleet-queues';
import { actionRoutes } from './routes/action-routes';
import { authRoutes } from './routes/auth-routes';
import { chromeOf } from './routes/chrome';
import { opsRoutes } from './routes/ops-routes';
import { pageRoutes } from './routes/page-routes';
import type { AccessControl } from './security/access-control';
import { logChangeRequests } from './security/action-log';
import { guardBullBoardWrites } from './security/csrf';
import { errorPage, errorTitle } from './views/error-page';
import { layout } from './views/layout';

export interface DashboardAppOptions {
  readonly access: AccessControl;
  readonly views: OrganizationViews;
  readonly queues: FleetQueues;
  readonly metrics: DashboardMetrics;
  readonly checkHealth: () => Promise<HealthReport>;
  readonly config: Config;
  readonly readOnly: boolean;
  readonly secureCookies: boolean;
  readonly organizationsDir: string;
  readonly logger: Logger;
  readonly now: () => Date;
}

const STYLESHEET = readFileSync(new URL('../assets/dashboard.css', import.meta.url), 'utf8');

// Our pages load nothing but the stylesheet and run no script at all.
const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const wantsJson = (c: Context): boolean =>
  c.req.path.startsWith(`${BULL_BOARD_PATH}/api/`) || c.req.path === '/healthz' || c.req.path === '/metrics' || !(c.req.header('accept') ?? '').includes('text/html');

/**
 * The whole dashboard on one Hono app: security headers, sign-in, Bull
 * Board under /queues, the schedule pages, actions, health and metrics.
 * Errors become a page (or JSON) for people; stack traces go to the log only.
 */
export const createDashboardApp = (options: DashboardAppOptions): Hono<DashboardEnv> => {
  const { access, readOnly, logger } = options;
  const app = new Hono<DashboardEnv>();

  app.use('*', secureHeaders({ strictTransportSecurity: options.secureCookies ? 'max-age=31536000' : false, xFrameOptions: 'DENY' }));
  app.use('*', async (c, next) => {
    await next();
    if (!c.req.path.startsWith(BULL_BOARD_PATH)) c.header('Content-Security-Policy', PAGE_CSP);
    if (!c.req.path.startsWith('/assets/')) c.header('Cache-Control', 'no-store');
  });
  app.use('*', bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.text('request body too large\n', 413) }));
  app.get('/assets/dashboard.css', (c) => c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }));
  app.use('*', access.authenticate());
  app.use('*', logChangeRequests(logger));

  app.route('/', authRoutes(access, readOnly));
  app.route('/', opsRoutes(options.checkHealth, options.metrics));
  app.route('/', pageRoutes(options));
  app.route('/', actionRoutes(options));
  // Bull Board answers at /queues only: the same address with a trailing slash leads there.
  app.get(`${BULL_BOARD_PATH}/`, (c) => c.redirect(BULL_BOARD_PATH, 301));
  app.use(`${BULL_BOARD_PATH}/*`, guardBullBoardWrites(readOnly));
  app.route(BULL_BOARD_PATH, bullBoardApp(options.queues, { readOnly }));

  app.notFound((c) => {
    if (wantsJson(c)) return c.json({ error: 'not found' }, 404);
    return c.html(layout(chromeOf(c, readOnly, errorTitle(404)), errorPage(`There is no page at ${c.req.path}.`)), 404);
  });

  app.onError((error, c) => {
    const known = error instanceof DashboardError;
    const status = known ? error.status : error instanceof HTTPException ? error.status : 500;
    const message = known || (error instanceof HTTPException && status < 500) ? error.message : 'Something went wrong on our side; the dashboard log has the details.';
    if (status >= 500) logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    else logger.info({ method: c.req.method, path: c.req.path, status, reason: error.message }, 'request refused');
    if (wantsJson(c)) return c.json({ error: message }, status);
    return c.html(layout(chromeOf(c, readOnly, errorTitle(status)), errorPage(message)), status);
  });

  return app;
};
