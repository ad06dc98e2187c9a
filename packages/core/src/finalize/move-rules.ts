import { nextWindowStartAt, windowEndAt, windowYearAt } from '../rules/exclusion';
import { FLAG_RESPECTS_WINDOWS, type CandidateTable } from './candidate-table';

// Per email, in table order: a contact's emails share a cache line or two.
const EMAIL_STRIDE = 4;
const E_DEADLINE = 0;
const E_CONTACT = 1;
/** typeCode << 8 | flags. */
const E_TYPE_FLAGS = 2;
const E_DAY = 3;

// Per contact.
const CONTACT_STRIDE = 8;
const C_YEAR_ROUND_FROM = 0;
const C_ANCHOR_YEAR = 1;
/** anchorMonth | anchorDay << 8 | usesMonthStart << 16; anchorMonth 0 means no dated window. */
const C_ANCHOR = 2;
const C_DAYS_BEFORE = 3;
const C_DAYS_AFTER = 4;
const C_HISTORY_START = 5;
const C_HISTORY_END = 6;
/** 1 when two of the contact's emails, or an email and a history row, share a type. */
const C_SHARES_TYPES = 7;

/** No allowed day. */
export const NO_ALLOWED_DAY = -1;

/** Whether `day` is inside contact `c`'s exclusion (window or year-round). */
export const isExcludedAt = (table: CandidateTable, c: number, day: number): boolean =>
  day >= table.yearRoundFrom[c]! ||
  (table.windowAnchorMonth[c] !== 0 &&
    windowYearAt(
      table.windowAnchorYear[c]!,
      table.windowAnchorMonth[c]!,
      table.windowAnchorDay[c]!,
      table.windowUsesMonthStart[c] === 1,
      table.windowDaysBefore[c]!,
      table.windowDaysAfter[c]!,
      day,
    ) !== 0);

/**
 * RULES.md §9, "a move never breaks a rule": not before today, not past the
 * deadline, not into the contact's exclusion, not onto a same-type row of
 * the contact (one of the run's, either status, or a kept history row).
 *
 * Balancing visits emails in an order that is random in table order (by
 * hash), millions of times: read column by column, a visit touches a dozen
 * cache lines. So what a move reads is packed per email and per contact (two
 * lines a visit), and days move here and in the table together.
 */
export class MoveRules {
  private readonly email: Int32Array;
  private readonly contact: Int32Array;

  constructor(private readonly table: CandidateTable) {
    const n = table.emailCount;
    const email = new Int32Array(n * EMAIL_STRIDE);
    for (let e = 0, at = 0; e < n; e++, at += EMAIL_STRIDE) {
      email[at + E_DEADLINE] = table.deadline[e]!;
      email[at + E_CONTACT] = table.contactIndex[e]!;
      email[at + E_TYPE_FLAGS] = (table.typeCode[e]! << 8) | table.flags[e]!;
      email[at + E_DAY] = table.day[e]!;
    }
    const m = table.contactCount;
    const contact = new Int32Array(m * CONTACT_STRIDE);
    for (let c = 0, at = 0; c < m; c++, at += CONTACT_STRIDE) {
      contact[at + C_YEAR_ROUND_FROM] = table.yearRoundFrom[c]!;
      contact[at + C_ANCHOR_YEAR] = table.windowAnchorYear[c]!;
      contact[at + C_ANCHOR] =
        table.windowAnchorMonth[c]! | (table.windowAnchorDay[c]! << 8) | (table.windowUsesMonthStart[c]! << 16);
      contact[at + C_DAYS_BEFORE] = table.windowDaysBefore[c]!;
      contact[at + C_DAYS_AFTER] = table.windowDaysAfter[c]!;
      contact[at + C_HISTORY_START] = table.historyStart[c]!;
      contact[at + C_HISTORY_END] = table.historyStart[c + 1]!;
      contact[at + C_SHARES_TYPES] = sharesTypes(table, c) ? 1 : 0;
    }
    this.email = email;
    this.contact = contact;
  }

  /** Moves an email here; `writeDays` puts the days into the table. */
  moveTo(e: number, day: number): void {
    this.email[e * EMAIL_STRIDE + E_DAY] = day;
  }

  writeDays(): void {
    const { email, table } = this;
    for (let e = 0; e < table.emailCount; e++) table.day[e] = email[e * EMAIL_STRIDE + E_DAY]!;
  }

  mayMoveTo(e: number, day: number, today: number): boolean {
    return day >= today && this.nextAllowedDay(e, day - 1, today, day) === day;
  }

  /**
   * The first day in (`day`, `limit`] that email `e` may move to, or
   * NO_ALLOWED_DAY. A window is crossed in one step: an email piled up just
   * before its contact's window would otherwise test each of its days, on
   * every day of the pile it is carried through.
   */
  nextAllowedDay(e: number, day: number, today: number, limit: number): number {
    const { email, contact } = this;
    const at = e * EMAIL_STRIDE;
    const last = Math.min(limit, email[at + E_DEADLINE]!);
    const c = email[at + E_CONTACT]!;
    const typeFlags = email[at + E_TYPE_FLAGS]!;
    const ca = c * CONTACT_STRIDE;
    const respectsWindows = (typeFlags & FLAG_RESPECTS_WINDOWS) !== 0;
    const anchor = contact[ca + C_ANCHOR]!;
    const anchorMonth = anchor & 0xff;
    for (let candidate = Math.max(day + 1, today); candidate <= last; candidate++) {
      if (respectsWindows) {
        if (candidate >= contact[ca + C_YEAR_ROUND_FROM]!) return NO_ALLOWED_DAY;
        if (anchorMonth !== 0) {
          const anchorDay = (anchor >> 8) & 0xff;
          const usesMonthStart = (anchor >> 16) !== 0;
          const year = windowYearAt(
            contact[ca + C_ANCHOR_YEAR]!,
            anchorMonth,
            anchorDay,
            usesMonthStart,
            contact[ca + C_DAYS_BEFORE]!,
            contact[ca + C_DAYS_AFTER]!,
            candidate,
          );
          if (year !== 0) {
            candidate = windowEndAt(anchorMonth, anchorDay, usesMonthStart, contact[ca + C_DAYS_AFTER]!, year);
            continue;
          }
        }
      }
      if (!this.sameTypeRowOn(e, c, typeFlags >> 8, candidate)) return candidate;
    }
    return NO_ALLOWED_DAY;
  }

  /**
   * The last day of the run of allowed days that starts at `from` (an allowed
   * day of email `e`): its deadline, the day before its contact's next window
   * or year-round exclusion. Other rows of its type could break the run
   * anywhere (and move), so with those the run is `from` alone.
   */
  allowedThrough(e: number, from: number): number {
    const { email, contact } = this;
    const at = e * EMAIL_STRIDE;
    const ca = email[at + E_CONTACT]! * CONTACT_STRIDE;
    if (contact[ca + C_SHARES_TYPES] === 1) return from;
    let last = email[at + E_DEADLINE]!;
    if ((email[at + E_TYPE_FLAGS]! & FLAG_RESPECTS_WINDOWS) === 0) return last;
    last = Math.min(last, contact[ca + C_YEAR_ROUND_FROM]! - 1);
    const anchor = contact[ca + C_ANCHOR]!;
    if ((anchor & 0xff) === 0) return last;
    const windowStart = nextWindowStartAt(
      contact[ca + C_ANCHOR_YEAR]!,
      anchor & 0xff,
      (anchor >> 8) & 0xff,
      anchor >> 16 !== 0,
      contact[ca + C_DAYS_BEFORE]!,
      from,
    );
    return Math.min(last, windowStart - 1);
  }

  /** The contact's other emails are e's neighbours in table order. */
  private sameTypeRowOn(e: number, c: number, type: number, day: number): boolean {
    const { email, table } = this;
    for (let j = e - 1; j >= 0 && email[j * EMAIL_STRIDE + E_CONTACT] === c; j--) {
      if (email[j * EMAIL_STRIDE + E_TYPE_FLAGS]! >> 8 === type && email[j * EMAIL_STRIDE + E_DAY] === day) return true;
    }
    for (let j = e + 1; j < table.emailCount && email[j * EMAIL_STRIDE + E_CONTACT] === c; j++) {
      if (email[j * EMAIL_STRIDE + E_TYPE_FLAGS]! >> 8 === type && email[j * EMAIL_STRIDE + E_DAY] === day) return true;
    }
    const ca = c * CONTACT_STRIDE;
    for (let h = this.contact[ca + C_HISTORY_START]!; h < this.contact[ca + C_HISTORY_END]!; h++) {
      if (table.historyType[h] === type && table.historyScheduledDay[h] === day) return true;
    }
    return false;
  }
}

const sharesTypes = (table: CandidateTable, c: number): boolean => {
  const last = table.emailStart[c + 1]!;
  for (let i = table.emailStart[c]!; i < last; i++) {
    const type = table.typeCode[i]!;
    for (let j = i + 1; j < last; j++) if (table.typeCode[j] === type) return true;
    for (let h = table.historyStart[c]!; h < table.historyStart[c + 1]!; h++) if (table.historyType[h] === type) return true;
  }
  return false;
};
