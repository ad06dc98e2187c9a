export { startFleet, type Fleet, type FleetOptions } from './fleet';
export { RunClient, RunFailedError, nameRescheduleRequest, type Progress, type RunClientOptions } from './run-client';
export { registerSchedules, nightlyRegistration, NIGHTLY_CRON } from './nightly-schedule';
export {
  OrganizationDirectory,
  SingleDatabase,
  UnknownOrganizationError,
  type OrganizationLocator,
  type UnservedFile,
} from './organization-directory';
export { createLogger, type Logger } from './logger';
export { formatRunSummary, type RunSummary } from './run-summary';
export { runStillToCommit, type RequestOutcome } from './request-outcome';
export { fullRunId, rerunId, rescheduleRunId, todayIn } from './run-identity';
export { finalizeJobId } from './run-flow';
export { RETRYING_JOB_OPTIONS } from './job-options';
export { refuseUnknownStateCodes } from './state-rule-codes';
