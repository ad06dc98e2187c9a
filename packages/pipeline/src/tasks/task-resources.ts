import { parseConfig, parseIsoDate, type Config } from '@scheduler/core';
import { createLogger, type Logger } from '../logger';
import type { OrganizationPort } from '../organization-port';
import { openOrganizationPort, type PortOptions } from '../sqlite-organization';
import { StagingStore } from '../staging/staging-store';
import type { TaskLogContext } from '../thread-tasks';

/** What the tasks of a compute thread share: its logger, the run's configuration and the files they open. */

let threadLogger: Logger | null = null;
export const loggerFor = (context: TaskLogContext): Logger => {
  threadLogger ??= createLogger({ level: context.level, toStderr: context.toStderr });
  const { level: _level, toStderr: _toStderr, ...bindings } = context;
  return threadLogger.child(bindings);
};

export const configOf = (configJson: string): Config => parseConfig(JSON.parse(configJson), 'the run configuration');

export const portOptions = (config: Config, readonly: boolean): PortOptions => ({
  readonly,
  timeZone: config.timezone,
  followupLookbackDays: config.timing.followup_lookback_days,
});

export const dayOf = (isoDate: string): number => {
  const day = parseIsoDate(isoDate);
  if (day === null) throw new Error(`as-of day ${isoDate} is not a calendar date`);
  return day;
};

// Both helpers close what they opened once `work` is done, including asynchronous work.
const closing = <T>(resource: { close(): void }, work: () => T): T => {
  let result: T;
  try {
    result = work();
  } catch (error) {
    resource.close();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => resource.close()) as T;
  resource.close();
  return result;
};

export const withPort = <T>(path: string, options: PortOptions, work: (port: OrganizationPort) => T): T => {
  const port = openOrganizationPort(path, options);
  return closing(port, () => work(port));
};

export const withStaging = <T>(path: string, work: (staging: StagingStore) => T): T => {
  const staging = new StagingStore(path);
  return closing(staging, () => work(staging));
};
