import { STATUS_PRE_SCHEDULED, type CandidateTable, type FinalizeResult } from '@scheduler/core';
import type { ContactStats } from './run-stats';

/** CONTRACT.md's run summary (`--json`), plus what balancing did. */
export interface RunSummary {
  run_id: string;
  organization: string;
  kind: 'full' | 'contacts';
  status: 'completed';
  as_of: string;
  contacts: {
    total: number;
    usable: number;
    invalid: Record<string, number>;
    bad_dates: Record<string, number>;
    state_disagreements: number;
    malformed_campaign_triggers: number;
    /** Contacts skipped because JavaScript cannot hold their id exactly (beyond ±(2^53 − 1)); not in `total`. */
    ids_out_of_range: number;
    /** The ids a contact reschedule was asked for that are no contact of the organization; their rows, if any, are gone. */
    not_found?: number[];
    /** Rows of the contacts' send history, targets, clicks and answers left out (or read in part) as unreadable, by `table.reason`. */
    unreadable_rows: Record<string, number>;
  };
  emails: {
    pre_scheduled: number;
    skipped: number;
    by_type: Record<string, number>;
    by_skip_reason: Record<string, number>;
  };
  balancing: {
    daily_cap: number;
    ed_daily_limit: number;
    smoothed: number;
    moved_by_daily_cap: number;
    days_left_over_cap: number;
    frequency_capped: number;
  };
  /** Rows inserted, changed in place (moved to another day, say), deleted, and kept as they were (`updated` is absent from summaries kept before it was counted apart). */
  writes: { inserted: number; updated?: number; deleted: number; kept: number };
  duration_ms: number;
  /** Set on the summary answering a request for a run that had committed before it: that request ran nothing. */
  already_completed?: true;
}

const increment = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Counts the rows of a finalized table by status, type and skip reason code. */
export const emailCounts = (table: CandidateTable): RunSummary['emails'] => {
  const emails: RunSummary['emails'] = { pre_scheduled: 0, skipped: 0, by_type: {}, by_skip_reason: {} };
  for (let e = 0; e < table.emailCount; e++) {
    increment(emails.by_type, table.typeNames[table.typeCode[e]!]!);
    if (table.status[e] === STATUS_PRE_SCHEDULED) {
      emails.pre_scheduled++;
      continue;
    }
    emails.skipped++;
    const reason = table.textAt(table.skipReason[e]!) ?? '';
    increment(emails.by_skip_reason, reason.slice(0, Math.max(0, reason.indexOf(':'))) || 'unknown');
  }
  return emails;
};

export const contactSummary = (stats: ContactStats, idsOutOfRange = 0): RunSummary['contacts'] => ({
  total: stats.total,
  usable: stats.usable,
  invalid: { ...stats.invalid },
  bad_dates: { ...stats.badDates },
  state_disagreements: stats.stateDisagreements,
  malformed_campaign_triggers: stats.malformedTriggers,
  ids_out_of_range: idsOutOfRange,
  unreadable_rows: { ...stats.unreadableRows },
});

export const balancingSummary = (result: FinalizeResult): RunSummary['balancing'] => ({
  daily_cap: result.dailyCap,
  ed_daily_limit: result.edDailyLimit,
  smoothed: result.smoothed,
  moved_by_daily_cap: result.movedByDailyCap,
  days_left_over_cap: result.daysLeftOverCap,
  frequency_capped: result.frequencyCapped.length,
});

const formatCount = (n: number): string => n.toLocaleString('en-US');

/** `1 row`, `2 rows`: a count with its noun in the number it takes. */
const counted = (n: number, noun: string): string => `${formatCount(n)} ${n === 1 ? noun : `${noun}s`}`;

/** Ids of contacts not found that a terminal summary shows. */
const NOT_FOUND_SHOWN = 10;

/** The summary as a person reads it on a terminal. */
export const formatRunSummary = (summary: RunSummary): string => {
  const lines = [
    summary.already_completed === true
      ? `Run ${summary.run_id} had completed already, in ${(summary.duration_ms / 1000).toFixed(1)} s (as of ${summary.as_of}); ` +
        'nothing ran again (--rerun runs it again). Its summary:'
      : `Run ${summary.run_id} ${summary.status} in ${(summary.duration_ms / 1000).toFixed(1)} s (as of ${summary.as_of})`,
    `  contacts   ${formatCount(summary.contacts.total)} read, ${formatCount(summary.contacts.usable)} usable`,
  ];
  const invalid = Object.entries(summary.contacts.invalid).filter(([, n]) => n > 0);
  if (invalid.length > 0) lines.push(`  unusable   ${invalid.map(([reason, n]) => `${reason} ${formatCount(n)}`).join(', ')}`);
  const badDates = Object.entries(summary.contacts.bad_dates).filter(([, n]) => n > 0);
  if (badDates.length > 0) lines.push(`  bad dates  ${badDates.map(([reason, n]) => `${reason} ${formatCount(n)}`).join(', ')}`);
  const notFound = summary.contacts.not_found ?? [];
  if (notFound.length > 0) {
    const more = notFound.length > NOT_FOUND_SHOWN ? ` and ${formatCount(notFound.length - NOT_FOUND_SHOWN)} more` : '';
    lines.push(`  not found  contact ${notFound.slice(0, NOT_FOUND_SHOWN).join(', ')}${more}`);
  }
  if (summary.contacts.ids_out_of_range > 0) {
    lines.push(`  bad ids    ${counted(summary.contacts.ids_out_of_range, 'contact')} skipped: id beyond ±(2^53 − 1)`);
  }
  // A summary kept from before these were counted has none.
  const unreadable = Object.entries(summary.contacts.unreadable_rows ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (unreadable.length > 0) {
    lines.push(`  unreadable ${unreadable.map(([reason, n]) => `${reason} ${formatCount(n)}`).join(', ')} (rows left out or read in part)`);
  }
  lines.push(
    `  emails     ${formatCount(summary.emails.pre_scheduled)} pre-scheduled, ${formatCount(summary.emails.skipped)} skipped`,
  );
  const types = Object.entries(summary.emails.by_type).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [type, n] of types) lines.push(`    ${type.padEnd(28)} ${formatCount(n).padStart(12)}`);
  const reasons = Object.entries(summary.emails.by_skip_reason).sort(([a], [b]) => (a < b ? -1 : 1));
  if (reasons.length > 0) lines.push(`  skipped    ${reasons.map(([code, n]) => `${code} ${formatCount(n)}`).join(', ')}`);
  const b = summary.balancing;
  lines.push(
    `  balancing  daily cap ${formatCount(b.daily_cap)}, ${counted(b.smoothed, 'effective-date email')} smoothed, ` +
      `${counted(b.moved_by_daily_cap, 'move')} for the daily cap, ${formatCount(b.frequency_capped)} frequency-capped`,
  );
  lines.push(
    `  written    ${counted(summary.writes.inserted, 'row')} inserted, ${formatCount(summary.writes.updated ?? 0)} changed, ${formatCount(summary.writes.deleted)} deleted, ${formatCount(summary.writes.kept)} unchanged`,
  );
  return lines.join('\n');
};
