import { contactPlacement, createSchedulingContext, scheduleContactInto, type CandidateTable, type Config, type ContactInputs } from '@scheduler/core';
import { zipToState } from '@scheduler/zip-states';
import type { Logger } from '../logger';
import type { OrganizationPort } from '../organization-port';
import { addCounts, countOutcome, emptyContactStats, type ContactStats } from '../run-stats';

/**
 * Per-contact rules over a list of contacts, into `table`: the chunk's (or a reschedule's) candidates.
 * `unreadable`: the counts of rows the reads of `contacts` left out (complete once they are all read).
 * `warnTo`: where the warnings about the campaign tables go; null when another chunk of the run gives them.
 */
export const scheduleContacts = (
  port: OrganizationPort,
  config: Config,
  today: number,
  contacts: Iterable<ContactInputs>,
  unreadable: Readonly<Record<string, number>>,
  table: CandidateTable,
  warnTo: Logger | null,
): { table: CandidateTable; stats: ContactStats } => {
  const { context, warnings } = createSchedulingContext({
    today,
    config,
    zipToState,
    campaignTypes: port.campaignTypes(),
    campaignInstances: port.campaignInstances(),
  });
  for (const warning of warnings) warnTo?.warn(warning);
  const placement = contactPlacement(context, table);
  const stats = emptyContactStats();
  for (const inputs of contacts) countOutcome(stats, scheduleContactInto(placement, inputs));
  addCounts(stats.unreadableRows, unreadable);
  return { table, stats };
};
