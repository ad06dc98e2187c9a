import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '@scheduler/pipeline';
import { parseInteger } from '../arguments';
import type { CliEnv } from '../cli-env';
import { configFrom } from '../config-option';

interface DashboardCommandOptions {
  config?: string;
  host?: string;
  port?: number;
  readOnly?: boolean;
}

const parsePort = (value: string): number => {
  const port = parseInteger(value, 'must be a port number 0–65535');
  if (port < 0 || port > 65_535) throw new InvalidArgumentError('must be a port number 0–65535');
  return port;
};

/** `scheduler dashboard`: Bull Board and the schedule views on one port, until SIGTERM/SIGINT. */
export const registerDashboardCommand = (program: Command, env: () => CliEnv): void => {
  program
    .command('dashboard')
    .description('serve the ops web UI: Bull Board and the schedule views (DASHBOARD_HOST, default 127.0.0.1)')
    .option('--config <file>', 'configuration file (YAML or JSON); default SCHEDULER_CONFIG')
    .option('--host <address>', 'listen address (default DASHBOARD_HOST); a public one needs DASHBOARD_USER/DASHBOARD_PASSWORD')
    .option('--port <n>', 'port (default DASHBOARD_PORT, 8080)', parsePort)
    .option('--read-only', 'hide and refuse every action (default DASHBOARD_READ_ONLY)')
    .action(async (options: DashboardCommandOptions) => {
      const vars = env();
      const logger = createLogger({ level: vars.LOG_LEVEL, name: 'scheduler-dashboard' });
      // Loaded here, not at the top: every other command would pay its 1+ s import (Bull Board, the web server).
      const { startDashboard } = await import('@scheduler/dashboard');
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
    });
};
