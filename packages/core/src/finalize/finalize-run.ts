import type { Config } from '../config/config-schema';
import type { CandidateTable } from './candidate-table';
import { enforceDailyCap } from './daily-cap';
import { floorOfProduct } from './decimal-floor';
import type { ExistingDayCounts } from './day-counts';
import { smoothEffectiveDates } from './ed-smoothing';
import { enforceFrequencyCap } from './frequency-cap';
import { assertScheduleInvariants } from './invariants';
import { MoveRules } from './move-rules';

export interface FinalizeInput {
  readonly table: CandidateTable;
  readonly today: number;
  readonly config: Config;
  /** N of RULES.md §9: every row of `contacts`, usable or not. */
  readonly contactRowCount: number;
  readonly existing: ExistingDayCounts;
}

export interface FinalizeResult {
  readonly dailyCap: number;
  readonly edDailyLimit: number;
  readonly smoothed: number;
  readonly movedByDailyCap: number;
  readonly daysLeftOverCap: number;
  /** Indexes of the emails the frequency cap skipped. */
  readonly frequencyCapped: readonly number[];
}

const frequencyCapReason = (config: Config): string =>
  `frequency_cap: more than ${config.frequency.max_emails_per_period} emails in ${config.frequency.period_days} days`;

/** The daily cap of RULES.md §9: max(1, floor(N × daily_send_percentage_cap)). */
export const dailyCapOf = (contactRowCount: number, config: Config): number =>
  Math.max(1, floorOfProduct(contactRowCount, config.load_balancing.daily_send_percentage_cap));

/** The most emails a day may hold before the daily cap moves some on (RULES.md §9.2): floor(cap × overage_threshold). */
export const dailyCapThresholdOf = (dailyCap: number, config: Config): number =>
  floorOfProduct(dailyCap, config.load_balancing.overage_threshold);

/**
 * The organization-wide steps of RULES.md §9, in order, over the run's table
 * (changed in place): effective-date smoothing, the daily cap, the frequency
 * cap. The exclusion invariant is checked after every step.
 */
export const finalizeRun = ({ table, today, config, contactRowCount, existing }: FinalizeInput): FinalizeResult => {
  const balancing = config.load_balancing;
  const dailyCap = dailyCapOf(contactRowCount, config);
  const edDailyLimit = Math.min(balancing.ed_daily_soft_limit, floorOfProduct(0.3, dailyCap));
  assertScheduleInvariants(table, today, 'candidate generation');
  const moves = new MoveRules(table);
  const smoothed = smoothEffectiveDates(table, existing, today, edDailyLimit, balancing.ed_smoothing_window_days, moves);
  assertScheduleInvariants(table, today, 'effective-date smoothing');
  const cap = enforceDailyCap(table, existing, today, dailyCap, balancing.overage_threshold, moves);
  assertScheduleInvariants(table, today, 'the daily cap');
  const frequencyCapped = enforceFrequencyCap(
    table,
    config.frequency.period_days,
    config.frequency.max_emails_per_period,
  );
  const reason = table.textIndexOf(frequencyCapReason(config));
  for (const e of frequencyCapped) table.skipReason[e] = reason;
  assertScheduleInvariants(table, today, 'the frequency cap');
  return {
    dailyCap,
    edDailyLimit,
    smoothed,
    movedByDailyCap: cap.moved,
    daysLeftOverCap: cap.daysLeftOver,
    frequencyCapped,
  };
};
