import type { SchedulingContext } from '../context';
import { catchUpDay } from '../dates/catch-up';
import { NO_DAY } from '../dates/epoch-day';
import { FLAG_FOLLOWUP, FLAG_RESPECTS_WINDOWS } from '../finalize/candidate-table';
import { windowReasonText, windowYearContaining, type Exclusion } from '../rules/exclusion';
import type { ContactEmails } from './contact-emails';
import type { HistoryIndex } from './history-index';

/**
 * Places one contact's emails as they are added: history blocking, catch-up
 * (unless the day is already final) and the exclusion check (RULES.md §4,
 * §5, §6). One instance serves contact after contact.
 */
export class Placement {
  exclusion: Exclusion | null = null;
  index: HistoryIndex | null = null;
  /**
   * Years whose dated window skipped at least one of the open contact's
   * emails (each earns a post-window email): the first `skippingWindowYearCount`.
   * One list serves every contact, so that a skip allocates nothing.
   */
  readonly skippingWindowYears: number[] = [];
  skippingWindowYearCount = 0;

  private readonly spreadDays: number;

  constructor(
    readonly context: SchedulingContext,
    readonly out: ContactEmails,
  ) {
    this.spreadDays = context.config.load_balancing.catch_up_spread_days;
  }

  /** Opens the contact in the table; its emails are placed next. */
  startContact(contactId: number, exclusion: Exclusion | null, index: HistoryIndex | null): void {
    this.out.begin(contactId, exclusion);
    this.exclusion = exclusion;
    this.index = index;
    this.skippingWindowYearCount = 0;
  }

  /** Places the email just added as row `e`: it stays (maybe skipped) or is taken back. */
  place(e: number, dayIsFinal: boolean): void {
    const { context, exclusion, index, out } = this;
    const table = out.table;
    if (index !== null) {
      const emailType = out.emailTypeAt(e);
      const eventDay = table.eventDay[e]!;
      const blocked =
        (table.flags[e]! & FLAG_FOLLOWUP) !== 0
          ? index.blocksFollowup(emailType, out.tieBreakerAt(e))
          : eventDay !== NO_DAY && index.blocksEvent(emailType, eventDay);
      if (blocked) return out.dropLast();
    }
    let day = table.day[e]!;
    if (!dayIsFinal && day < context.today) {
      day = catchUpDay(day, table.deadline[e]!, context.today, this.spreadDays, table.keyHash[e]!);
      table.day[e] = day;
    }
    if (index !== null && index.takes(out.emailTypeAt(e), day)) return out.dropLast();
    if ((table.flags[e]! & FLAG_RESPECTS_WINDOWS) === 0 || exclusion === null) return;
    if (day >= exclusion.yearRoundFrom) return out.skip(e, 'year_round', exclusion.yearRoundReason);
    if (exclusion.window === null) return;
    const year = windowYearContaining(exclusion.window, day);
    if (year === 0) return;
    out.skipInWindow(e, windowReasonText(exclusion, year));
    if ((table.flags[e]! & FLAG_FOLLOWUP) !== 0) return;
    this.addSkippingWindowYear(year);
  }

  private addSkippingWindowYear(year: number): void {
    const years = this.skippingWindowYears;
    for (let i = 0; i < this.skippingWindowYearCount; i++) if (years[i] === year) return;
    years[this.skippingWindowYearCount++] = year;
  }
}
