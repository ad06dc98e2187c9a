import type { PendingChangesResult, PendingChangesTask } from '../thread-tasks';
import { withPort } from './task-resources';

/** The campaign changes waiting for a reschedule, by campaign instance. */
export const pendingChanges = (task: PendingChangesTask): PendingChangesResult =>
  withPort(task.files.databasePath, { readonly: true }, (port) => port.pendingChangesByInstance());
