import { Hono } from 'hono';
import type { DashboardEnv } from '../dashboard-env';
import type { DashboardMetrics } from '../health/dashboard-metrics';
import type { HealthReport } from '../health/health-report';

/** `/healthz` (JSON; 503 when unhealthy) and `/metrics` (Prometheus text). */
export const opsRoutes = (checkHealth: () => Promise<HealthReport>, metrics: DashboardMetrics): Hono<DashboardEnv> => {
  const app = new Hono<DashboardEnv>();
  app.get('/healthz', async (c) => {
    const report = await checkHealth();
    return c.json(report, report.status === 'ok' ? 200 : 503, { 'Cache-Control': 'no-store' });
  });
  app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }));
  return app;
};
