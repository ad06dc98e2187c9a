import { anniversaryOf } from '../dates/anniversary';
import { epochDay, formatIsoDate, NO_DAY, yearOf } from '../dates/epoch-day';

/**
 * A contact's exclusion, the output of its state's rule: at most one yearly
 * window around an anchor date, and a day from which every day is excluded.
 * Every rule kind reduces to this shape, so nothing downstream knows kinds.
 */
export interface Exclusion {
  readonly state: string;
  readonly window: ExclusionWindow | null;
  /** Every day ≥ this is excluded; `NO_DAY` when never, `ALWAYS` for year-round states. */
  readonly yearRoundFrom: number;
  /** The `skip_reason` of an email the year-round part excludes. */
  readonly yearRoundReason: string;
}

export interface ExclusionWindow {
  /** e.g. "birthday window". */
  readonly name: string;
  readonly anchorMonth: number;
  readonly anchorDay: number;
  /** No window exists for years before the anchor event first happens. */
  readonly anchorYear: number;
  /** The window is anchored on the 1st of the anchor month (NV). */
  readonly useMonthStart: boolean;
  /** Days before the anchor, `before + pre_window_exclusion_days`. */
  readonly daysBefore: number;
  readonly daysAfter: number;
}

export const ALWAYS = -NO_DAY;

/** The window's anchor day in `year`: the anniversary, or the 1st of its month (NV). */
const anchorAt = (anchorMonth: number, anchorDayOfMonth: number, useMonthStart: boolean, year: number): number =>
  useMonthStart ? epochDay(year, anchorMonth, 1) : anniversaryOf(anchorMonth, anchorDayOfMonth, year);

/**
 * The year Y whose window contains `day` (the earliest, should several), or 0.
 * RULES.md §5: only Y ∈ {year−1, year, year+1} with Y ≥ the anchor's year.
 * Takes plain numbers so that the finalizer's column store can call it too.
 */
export const windowYearAt = (
  anchorYear: number,
  anchorMonth: number,
  anchorDayOfMonth: number,
  useMonthStart: boolean,
  daysBefore: number,
  daysAfter: number,
  day: number,
): number => {
  const year = yearOf(day);
  for (let y = Math.max(year - 1, anchorYear); y <= year + 1; y++) {
    const anchor = anchorAt(anchorMonth, anchorDayOfMonth, useMonthStart, y);
    if (day >= anchor - daysBefore && day <= anchor + daysAfter) return y;
  }
  return 0;
};

/**
 * The first day after `day` on which a window starts, for a `day` outside
 * every window (the next year's window always starts after such a day).
 */
export const nextWindowStartAt = (
  anchorYear: number,
  anchorMonth: number,
  anchorDayOfMonth: number,
  useMonthStart: boolean,
  daysBefore: number,
  day: number,
): number => {
  const year = yearOf(day);
  const lastYear = Math.max(year + 1, anchorYear);
  for (let y = Math.max(year - 1, anchorYear); y < lastYear; y++) {
    const start = anchorAt(anchorMonth, anchorDayOfMonth, useMonthStart, y) - daysBefore;
    if (start > day) return start;
  }
  return anchorAt(anchorMonth, anchorDayOfMonth, useMonthStart, lastYear) - daysBefore;
};

/** The last day of the window of `year`, from the same plain numbers as `windowYearAt`. */
export const windowEndAt = (
  anchorMonth: number,
  anchorDayOfMonth: number,
  useMonthStart: boolean,
  daysAfter: number,
  year: number,
): number => anchorAt(anchorMonth, anchorDayOfMonth, useMonthStart, year) + daysAfter;

const anchorOf = (window: ExclusionWindow, year: number): number =>
  anchorAt(window.anchorMonth, window.anchorDay, window.useMonthStart, year);

export const windowYearContaining = (window: ExclusionWindow, day: number): number =>
  windowYearAt(
    window.anchorYear,
    window.anchorMonth,
    window.anchorDay,
    window.useMonthStart,
    window.daysBefore,
    window.daysAfter,
    day,
  );

export const windowStartOf = (window: ExclusionWindow, year: number): number => anchorOf(window, year) - window.daysBefore;
export const windowEndOf = (window: ExclusionWindow, year: number): number => anchorOf(window, year) + window.daysAfter;

export const isExcluded = (exclusion: Exclusion, day: number): boolean =>
  day >= exclusion.yearRoundFrom || (exclusion.window !== null && windowYearContaining(exclusion.window, day) !== 0);

/** A skip reason's text, and a number that stands for that text within the process. */
export interface ReasonText {
  readonly text: string;
  readonly id: number;
}

interface WindowReason extends ReasonText {
  readonly state: string;
  readonly name: string;
  readonly end: number;
}

// Contacts share windows (same state, same dates): one reason per window, so
// that the text is built once and tables can find it by its number. Keyed by
// the window's first day (a number hashes cheaply); the few windows starting
// that day are told apart by last day, state and name.
const reasonsByStart = new Map<number, WindowReason[]>();
let reasonCount = 0;

/** The `skip_reason` of an email inside the dated window of `year`, with its number. */
export const windowReasonText = (exclusion: Exclusion, year: number): ReasonText => {
  const window = exclusion.window!;
  const anchor = anchorOf(window, year);
  const start = anchor - window.daysBefore;
  const end = anchor + window.daysAfter;
  let reasons = reasonsByStart.get(start);
  if (reasons === undefined) reasonsByStart.set(start, (reasons = []));
  for (let i = 0; i < reasons.length; i++) {
    const reason = reasons[i]!;
    if (reason.end === end && reason.state === exclusion.state && reason.name === window.name) return reason;
  }
  const text = `exclusion_window: ${exclusion.state} ${window.name} ${formatIsoDate(start)} to ${formatIsoDate(end)}`;
  const reason: WindowReason = { text, id: reasonCount++, state: exclusion.state, name: window.name, end };
  reasons.push(reason);
  return reason;
};

/** The `skip_reason` of an email inside the dated window of `year`. */
const windowReason = (exclusion: Exclusion, year: number): string => windowReasonText(exclusion, year).text;

/** The `skip_reason` of an email on `day`, or null when the day is free. */
export const exclusionReason = (exclusion: Exclusion, day: number): string | null => {
  if (day >= exclusion.yearRoundFrom) return exclusion.yearRoundReason;
  if (exclusion.window === null) return null;
  const year = windowYearContaining(exclusion.window, day);
  return year === 0 ? null : windowReason(exclusion, year);
};
