import type { SchedulingContext } from './context';
import { CandidateTable } from './finalize/candidate-table';
import type { ExistingDayCounts } from './finalize/day-counts';
import { finalizeRun, type FinalizeResult } from './finalize/finalize-run';
import { contactPlacement, scheduleContactWithEmails, type ContactOutcome } from './schedule-contact';
import type { ContactInputs, EmailCandidate } from './types';

export interface ScheduledEmail extends EmailCandidate {
  readonly contactId: number;
}

/**
 * Writes the finalizer's decisions back onto the candidates, which must be in
 * the table's order (the table was filled from them).
 */
const applyFinalDecisions = (
  table: CandidateTable,
  emails: readonly EmailCandidate[],
  result: FinalizeResult,
): void => {
  for (let e = 0; e < table.emailCount; e++) emails[e]!.day = table.day[e]!;
  for (const e of result.frequencyCapped) {
    const email = emails[e]!;
    email.status = 'skipped';
    email.skipCode = 'frequency_cap';
    email.skipReason = table.textAt(table.skipReason[e]!);
  }
};

export interface OrganizationSchedule {
  readonly outcomes: readonly ContactOutcome[];
  readonly emails: readonly ScheduledEmail[];
  readonly finalize: FinalizeResult;
}

/**
 * The whole of RULES.md for one organization, in memory: the reference the
 * distributed pipeline must agree with, and what the tests exercise.
 */
export const scheduleOrganization = (
  context: SchedulingContext,
  contacts: readonly ContactInputs[],
  options: { contactRowCount?: number; existing?: ExistingDayCounts } = {},
): OrganizationSchedule => {
  const ordered = [...contacts].sort((a, b) => a.contact.id - b.contact.id);
  const table = new CandidateTable();
  const placement = contactPlacement(context, table);
  const emails: ScheduledEmail[] = [];
  const outcomes = ordered.map((inputs) => {
    const outcome = scheduleContactWithEmails(placement, inputs);
    if (outcome.usable) for (const email of outcome.emails) emails.push(Object.assign(email, { contactId: outcome.contactId }));
    return outcome;
  });
  const finalize = finalizeRun({
    table,
    today: context.today,
    config: context.config,
    contactRowCount: options.contactRowCount ?? contacts.length,
    existing: options.existing ?? new Map(),
  });
  applyFinalDecisions(table, emails, finalize);
  return { outcomes, emails, finalize };
};
