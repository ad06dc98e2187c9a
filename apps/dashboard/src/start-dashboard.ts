import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from '@scheduler/core';
import { OrganizationDirectory, type Logger } from '@scheduler/pipeline';
import { checkRedisReachable } from '@scheduler/queue';
import { createDashboardApp } from './dashboard-app';
import { DashboardMetrics } from './health/dashboard-metrics';
import { checkHealth } from './health/health-report';
import { OrganizationReader } from './organizations/organization-reader';
import { OrganizationViews } from './organizations/organization-views';
import { AggregateCache } from './organizations/aggregate-cache';
import { AggregatePool } from './organizations/aggregate-pool';
import { FleetQueues } from './queues/fleet-queues';
import { AccessControl } from './security/access-control';
import { accessCredentials, type AccessCredentials, type Credentials } from './security/credentials';

export interface DashboardOptions {
  readonly redisUrl: string;
  /** The organization databases (SCHEDULER_ORGS_DIR). */
  readonly organizationsDir: string;
  /** For the daily cap, the state rules and "today" (the workers' own configuration, SCHEDULER_CONFIG). */
  readonly config: Config;
  /** Listen address; anything but loopback requires `credentials`. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Null: on loopback only, a password is made up for this process. */
  readonly credentials: Credentials | null;
  /** Hide and refuse every action, ours and Bull Board's. */
  readonly readOnly: boolean;
  /** Served over HTTPS (a TLS proxy in front): Secure cookies and HSTS. */
  readonly secureCookies: boolean;
  /** `/healthz` fails when an organization's last completed run is older; null never judges the age. */
  readonly maxRunAgeHours: number | null;
  readonly logger: Logger;
  /** BullMQ key prefix of the fleet (default `bull`). */
  readonly prefix?: string;
  readonly now?: () => Date;
}

export interface RunningDashboard {
  readonly url: string;
  readonly port: number;
  readonly access: AccessCredentials;
  close(): Promise<void>;
}

const listen = (server: ServerType): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });

/**
 * Starts the ops dashboard: refuses a public address without credentials
 * (DashboardConfigError) and an unreachable Redis, then serves until `close`.
 */
export const startDashboard = async (options: DashboardOptions): Promise<RunningDashboard> => {
  const access = accessCredentials(options.host, options.credentials);
  await checkRedisReachable(options.redisUrl);
  const now = options.now ?? (() => new Date());
  const reader = new OrganizationReader(new OrganizationDirectory(options.organizationsDir));
  const pool = new AggregatePool();
  const views = new OrganizationViews(reader, pool, new AggregateCache({ minRefreshMs: 30_000 }), options.config, now);
  const queues = new FleetQueues(options.redisUrl, options.logger, options.prefix);
  const metrics = new DashboardMetrics({
    redisUrl: options.redisUrl,
    queues,
    views,
    logger: options.logger,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  const app = createDashboardApp({
    access: new AccessControl({ credentials: access.credentials, secureCookies: options.secureCookies }),
    views,
    queues,
    metrics,
    checkHealth: () =>
      checkHealth({
        redisUrl: options.redisUrl,
        queues,
        views,
        maxRunAgeMs: options.maxRunAgeHours === null ? null : options.maxRunAgeHours * 60 * 60 * 1000,
        now,
      }),
    config: options.config,
    readOnly: options.readOnly,
    secureCookies: options.secureCookies,
    organizationsDir: options.organizationsDir,
    logger: options.logger,
    now,
  });

  const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port });
  const release = async (): Promise<void> => {
    await metrics.close();
    await queues.close();
    await pool.close();
    reader.close();
  };
  let address: AddressInfo;
  try {
    address = await listen(server);
  } catch (error) {
    await release();
    throw new Error(`cannot listen on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  options.logger.info({ url: `http://${host}:${address.port}/`, readOnly: options.readOnly }, 'dashboard listening');
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    access,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of browsers would hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await release();
    },
  };
};
