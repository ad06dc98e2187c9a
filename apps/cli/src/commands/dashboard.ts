import { startDashboard } from '@scheduler/dashboard';
import { createLogger } from '@scheduler/pipeline';
import { readEnv } from '../cli-env';
import { configFrom } from '../config-option';

export interface DashboardOptions {
  config?: string;
  host?: string;
  port?: number;
  readOnly?: boolean;
}

/** `scheduler dashboard`: Bull Board and the schedule views on one port, until SIGTERM/SIGINT. */
export const dashboardCommand = async (options: DashboardOptions): Promise<void> => {
  const vars = readEnv();
  const logger = createLogger({ level: vars.LOG_LEVEL, name: 'scheduler-dashboard' });
  const dashboard = await startDashboard({
    redisUrl: vars.REDIS_URL,
    organizationsDir: vars.SCHEDULER_ORGS_DIR,
    config: configFrom(options.config, vars.SCHEDULER_CONFIG),
    host: options.host ?? vars.DASHBOARD_HOST,
    port: options.port ?? vars.DASHBOARD_PORT,
    credentials:
      vars.DASHBOARD_USER === undefined || vars.DASHBOARD_PASSWORD === undefined
        ? null
        : { user: vars.DASHBOARD_USER, password: vars.DASHBOARD_PASSWORD },
    readOnly: options.readOnly === true || vars.DASHBOARD_READ_ONLY === true,
    secureCookies: vars.DASHBOARD_SECURE_COOKIES === true,
    maxRunAgeHours: vars.DASHBOARD_MAX_RUN_AGE_HOURS === 0 ? null : vars.DASHBOARD_MAX_RUN_AGE_HOURS,
    logger,
    prefix: vars.SCHEDULER_QUEUE_PREFIX,
  });
  process.stderr.write(`dashboard: ${dashboard.url}/\n`);
  if (dashboard.access.generated) {
    // Shown once, to whoever started it: loopback only (a public address refuses to start without credentials).
    process.stderr.write(
      `dashboard: no DASHBOARD_USER/DASHBOARD_PASSWORD set; sign in as "${dashboard.access.credentials.user}" ` +
        `with password ${dashboard.access.credentials.password} (valid until this process stops)\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'stopping the dashboard');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await dashboard.close();
};
