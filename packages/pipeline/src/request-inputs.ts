import { UnrecoverableError, type Job } from 'bullmq';
import { ConfigError, parseConfig, type Config } from '@scheduler/core';
import { realDatabaseFile } from './database-file';
import { OrganizationDirectory, UnknownOrganizationError, type OrganizationLocator } from './organization-directory';
import { refuseUnknownStateCodes } from './state-rule-codes';
import type { OrganizationFiles } from './thread-tasks';

/** A configuration carried by a job: a bad one fails the job at once, naming the key. */
export const configOfPayload = (raw: unknown, job: Job): Config => {
  try {
    return refuseUnknownStateCodes(parseConfig(raw, `job ${job.id} config`), `job ${job.id} config`);
  } catch (error) {
    if (error instanceof ConfigError) throw new UnrecoverableError(error.message);
    throw error;
  }
};

/** An organization the locator does not know fails its job at once: no retry will make it appear. */
export const filesOf = (locator: OrganizationLocator, organization: string): OrganizationFiles => {
  try {
    return { organization, databasePath: locator.databasePath(organization), stagingPath: locator.stagingPath(organization) };
  } catch (error) {
    if (!(error instanceof UnknownOrganizationError)) throw error;
    // Jobs of an organization another live fleet lists are handed to it (served-organizations.ts): none does.
    const elsewhere = locator instanceof OrganizationDirectory ? ', and no other live fleet on this Redis lists it' : '';
    throw new UnrecoverableError(`${error.message}${elsewhere}`);
  }
};

/**
 * A request of `scheduler run` or `reschedule` names its database file. One for another file than the one this
 * worker serves the organization from fails at once, rather than be committed to this worker's file (a run of a
 * copy, let through in the moments after Redis lost the fleets' lists, before the client could see them).
 */
export const refuseAnotherFile = (files: OrganizationFiles, databaseFile: string | undefined): void => {
  const here = realDatabaseFile(files.databasePath);
  if (databaseFile === undefined || databaseFile === here) return;
  throw new UnrecoverableError(
    `organization ${files.organization} is served here from ${here}, not ${databaseFile}, the file this request is for: ` +
      'run that file, or give the command a SCHEDULER_QUEUE_PREFIX of its own',
  );
};
