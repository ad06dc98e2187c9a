import type { Config } from '@scheduler/core';
import type { Redis } from 'ioredis';
import type { ComputePool } from './compute-pool';
import type { Logger } from './logger';
import type { OrganizationLocator } from './organization-directory';
import type { TaskLogContext } from './thread-tasks';

/** What the handlers of a fleet's jobs share. */
export interface FleetContext {
  readonly pool: ComputePool;
  readonly locator: OrganizationLocator;
  /** The configuration of runs that do not bring their own. */
  readonly config: Config;
  /** Clock for "today" when a job names no as-of day. */
  readonly now: () => Date;
  readonly logger: Logger;
  /** The fleet's own connection, no worker's: planning locks and the fleets' lists of organizations. */
  readonly redis: Redis;
  /** BullMQ key prefix, when not the default. */
  readonly prefix: string | undefined;
  /** What a compute thread's log lines of a run carry. */
  readonly logContext: (runId: string, organization: string, chunk?: number) => TaskLogContext;
}
