/**
 * An independent reading of RULES.md §9 (the finalizer), written from the rule
 * text alone and sharing no code with packages/core/src/finalize: effective-date
 * smoothing, the daily-cap cascade, the frequency cap, and "a move never breaks
 * a rule". Deliberately simple and slow (day by day, email by email).
 *
 * It takes the run's emails as the per-contact rules hand them over (before
 * §9), each contact's exclusion as a predicate and its history rows, and
 * returns the emails with their final day, status and skip code.
 *
 * Where the text can be read two ways, the reading taken is the one argued
 * for in the differential test's report (its comments name the sentence).
 */
import type { Config } from '../../src/index';

export interface RefFinalizerEmail {
  readonly contactId: number;
  readonly emailType: string;
  readonly eventDay: number | null;
  day: number;
  /** Latest allowed send day, null when none (RULES.md §4). */
  readonly deadline: number | null;
  status: 'pre-scheduled' | 'skipped';
  skipCode: string | null;
  readonly priority: number;
  /** hash(key), RULES.md §1. */
  readonly keyHash: number;
  readonly respectsWindows: boolean;
  readonly isFollowup: boolean;
}

interface RefHistoryRow {
  readonly emailType: string;
  /** scheduled | processing | sent | delivered | failed */
  readonly status: string;
  /** `scheduled_send_date`: where the row sits in the table (one row per contact, type and date). */
  readonly scheduledDay: number;
  /** CT date of `actual_send_datetime`, else `scheduled_send_date`: its date for the frequency cap. */
  readonly sentDay: number;
}

export interface RefFinalizerContact {
  readonly id: number;
  /** Whether `d` is in the contact's exclusion window (year-round included), RULES.md §5. */
  readonly excluded: (d: number) => boolean;
  readonly history: readonly RefHistoryRow[];
}

export interface RefFinalizerSettings {
  readonly today: number;
  /** N: rows in `contacts`. */
  readonly contactRows: number;
  readonly dailySendPercentageCap: number;
  readonly edDailySoftLimit: number;
  readonly edSmoothingWindowDays: number;
  readonly overageThreshold: number;
  readonly maxEmailsPerPeriod: number;
  readonly periodDays: number;
}

/** §9's settings in a parsed configuration, with N = `contactRows`. */
export const refFinalizerSettingsOf = (config: Config, today: number, contactRows: number): RefFinalizerSettings => ({
  today,
  contactRows,
  dailySendPercentageCap: config.load_balancing.daily_send_percentage_cap,
  edDailySoftLimit: config.load_balancing.ed_daily_soft_limit,
  edSmoothingWindowDays: config.load_balancing.ed_smoothing_window_days,
  overageThreshold: config.load_balancing.overage_threshold,
  maxEmailsPerPeriod: config.frequency.max_emails_per_period,
  periodDays: config.frequency.period_days,
});

export interface RefFinalizerResult {
  readonly dailyCap: number;
  readonly edLimit: number;
  readonly emails: RefFinalizerEmail[];
  /** Days still over the threshold after the daily cap (nothing could move). */
  readonly daysLeftOver: number[];
  /** A pre-scheduled email inside its contact's window after some step: the invariant of §9. */
  readonly invariantBreaks: string[];
  /** How much each step did: emails smoothed, daily-cap moves, frequency-capped emails. */
  readonly counts: { smoothed: number; movedByDailyCap: number; frequencyCapped: number; smoothingBlocked: number; fixedOnOverDays: number };
}

const REF_LOOK_AHEAD_DAYS = 365;

/** A finite number as an exact fraction of its shortest decimal text (0.29 → 29/100). */
const decimalFraction = (x: number): { num: bigint; den: bigint } => {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(x));
  if (match === null) throw new Error(`not a decimal: ${x}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let num = BigInt(`${sign}${whole}${fraction}`);
  let den = 10n ** BigInt(fraction.length);
  const e = Number(exponent);
  if (e >= 0) num *= 10n ** BigInt(e);
  else den *= 10n ** BigInt(-e);
  return { num, den };
};

/** floor(a × b) on the decimal values of a and b (both ≥ 0). */
const refFloorProduct = (a: number, b: number): number => {
  const x = decimalFraction(a);
  const y = decimalFraction(b);
  return Number((x.num * y.num) / (x.den * y.den));
};

export const refFinalize = (
  settings: RefFinalizerSettings,
  contacts: readonly RefFinalizerContact[],
  input: readonly RefFinalizerEmail[],
  existing: ReadonlyMap<number, { all: number; effectiveDate: number }>,
): RefFinalizerResult => {
  const { today } = settings;
  const emails: RefFinalizerEmail[] = input.map((email) => ({ ...email }));
  const contactOf = new Map(contacts.map((contact) => [contact.id, contact]));
  const contact = (email: RefFinalizerEmail): RefFinalizerContact => {
    const found = contactOf.get(email.contactId);
    if (found === undefined) throw new Error(`no contact ${email.contactId}`);
    return found;
  };
  const invariantBreaks: string[] = [];
  const counts = { smoothed: 0, movedByDailyCap: 0, frequencyCapped: 0, smoothingBlocked: 0, fixedOnOverDays: 0 };
  const checkInvariant = (step: string) => {
    for (const email of emails) {
      if (email.status === 'pre-scheduled' && email.respectsWindows && contact(email).excluded(email.day)) {
        invariantBreaks.push(`${step}: contact ${email.contactId} ${email.emailType} on ${email.day} is in its window`);
      }
    }
  };

  // "cap = max(1, floor(N × daily_send_percentage_cap)); ed_limit = min(ed_daily_soft_limit, floor(0.3 × cap))"
  const dailyCap = Math.max(1, refFloorProduct(settings.contactRows, settings.dailySendPercentageCap));
  const edLimit = Math.min(settings.edDailySoftLimit, refFloorProduct(0.3, dailyCap));

  /**
   * "A move never breaks a rule. An email is never moved to a date before
   * today, into its contact's exclusion window, past its deadline (§4), or onto
   * a day where its contact already has a row of the same type (the run's,
   * either status, or a kept history row)".
   */
  const mayMoveTo = (email: RefFinalizerEmail, target: number): boolean => {
    if (target < today) return false;
    if (email.deadline !== null && target > email.deadline) return false;
    const owner = contact(email);
    if (email.respectsWindows && owner.excluded(target)) return false;
    for (const other of emails) {
      if (other !== email && other.contactId === email.contactId && other.emailType === email.emailType && other.day === target) return false;
    }
    for (const row of owner.history) {
      if (row.emailType === email.emailType && row.scheduledDay === target) return false;
    }
    return true;
  };

  // "Counting a day counts every pre-scheduled row of the run plus existing
  // scheduled/processing rows on that day. Skipped rows never count and never move."
  const preScheduledOn = (d: number, type?: string): RefFinalizerEmail[] =>
    emails.filter((email) => email.status === 'pre-scheduled' && email.day === d && (type === undefined || email.emailType === type));

  // 1. Effective-date smoothing.
  {
    const W = settings.edSmoothingWindowDays;
    const offsetOf = (email: RefFinalizerEmail) => (email.keyHash % W) - Math.floor(W / 2);
    const edCountOn = (d: number) => preScheduledOn(d, 'effective_date').length + (existing.get(d)?.effectiveDate ?? 0);
    const days = [...new Set(emails.filter((e) => e.status === 'pre-scheduled' && e.emailType === 'effective_date').map((e) => e.day))];
    const overDays = new Set(days.filter((d) => edCountOn(d) > edLimit));
    const movers = emails.filter((e) => e.status === 'pre-scheduled' && e.emailType === 'effective_date' && overDays.has(e.day));
    // Every target is judged against the rows as they were before smoothing.
    const targets = movers.map((email) => {
      const target = email.day + offsetOf(email);
      if (target === email.day) return email.day;
      if (mayMoveTo(email, target)) return target;
      counts.smoothingBlocked++;
      return email.day;
    });
    counts.smoothed += targets.filter((target, k) => target !== movers[k]!.day).length;
    movers.forEach((email, k) => (email.day = targets[k]!));
    checkInvariant('smoothing');
  }

  // 2. Daily cap.
  const daysLeftOver: number[] = [];
  {
    const threshold = refFloorProduct(dailyCap, settings.overageThreshold);
    /** The days after `from` a cap move may try: up to the deadline, or 365 days for an email without one. */
    const firstAllowedAfter = (email: RefFinalizerEmail, from: number): number | null => {
      const last = email.deadline === null ? from + REF_LOOK_AHEAD_DAYS : email.deadline;
      for (let target = from + 1; target <= last; target++) if (mayMoveTo(email, target)) return target;
      return null;
    };
    const lastDay = () => Math.max(today, ...emails.filter((e) => e.status === 'pre-scheduled').map((e) => e.day));
    for (let d = today; d <= lastDay(); d++) {
      const here = preScheduledOn(d);
      const existingRows = existing.get(d)?.all ?? 0;
      if (here.length + existingRows <= threshold) continue;
      // "keeps cap of them — existing rows and emails that cannot move first,
      // then lowest priority number, ties by hash(key) ascending"
      const fixed = here.filter((email) => firstAllowedAfter(email, d) === null);
      const movable = here
        .filter((email) => !fixed.includes(email))
        .sort((a, b) => a.priority - b.priority || a.keyHash - b.keyHash);
      const room = Math.max(0, dailyCap - existingRows - fixed.length);
      counts.fixedOnOverDays += fixed.length;
      for (const email of movable.slice(room)) {
        const target = firstAllowedAfter(email, d);
        if (target === null) throw new Error('reference: a movable email found no day');
        email.day = target;
        counts.movedByDailyCap++;
      }
      if (preScheduledOn(d).length + existingRows > threshold) daysLeftOver.push(d);
    }
    checkInvariant('daily cap');
  }

  // 3. Frequency cap.
  {
    const P = settings.periodDays;
    const max = settings.maxEmailsPerPeriod;
    const isFollowupType = (type: string) => type.startsWith('followup_');
    for (const owner of contacts) {
      const counted: number[] = owner.history
        .filter((row) => ['scheduled', 'processing', 'sent', 'delivered'].includes(row.status) && !isFollowupType(row.emailType))
        .map((row) => row.sentDay);
      const candidates = emails
        .filter((e) => e.contactId === owner.id && e.status === 'pre-scheduled' && !e.isFollowup)
        // "admitted in order of priority number, then date, then type"
        .sort((a, b) => a.priority - b.priority || a.day - b.day || (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0));
      for (const email of candidates) {
        // "in any period_days consecutive days at most max_emails_per_period emails"
        let breaks = false;
        for (let start = email.day - P + 1; start <= email.day && !breaks; start++) {
          const inWindow = counted.filter((d) => d >= start && d < start + P).length;
          if (inWindow + 1 > max) breaks = true;
        }
        if (breaks) {
          email.status = 'skipped';
          email.skipCode = 'frequency_cap';
          counts.frequencyCapped++;
        } else {
          counted.push(email.day);
        }
      }
    }
    checkInvariant('frequency cap');
  }

  return { dailyCap, edLimit, emails, daysLeftOver, invariantBreaks, counts };
};
