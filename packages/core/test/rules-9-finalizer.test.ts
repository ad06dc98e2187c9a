import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enforceDailyCap } from '../src/finalize/daily-cap';
import { floorOfProduct } from '../src/finalize/decimal-floor';
import {
  dailyCapOf,
  exclusionFor,
  finalizeRun,
  InvariantViolation,
  parseConfig,
  scheduleOrganization,
  type CandidateTable,
  type ConfigInput,
  type ExistingDayCounts,
  type Exclusion,
  type HistoryEmail,
} from '../src/index';
import {
  campaignInstance,
  campaignType,
  candidate,
  contactIn,
  day,
  historyRow,
  inputsOf,
  iso,
  linesOf,
  onlyOf,
  tableLines,
  tableOf,
  target,
  world,
  type TableContact,
} from './support/world';

const TODAY = '2026-06-01';

const finalize = (table: CandidateTable, contactRowCount: number, config: ConfigInput = {}, existing: ExistingDayCounts = new Map()) =>
  finalizeRun({ table, today: day(TODAY), config: parseConfig(config), contactRowCount, existing });

/** Finalizes a table of `contacts`: the result, and each email's `date status` (lines) and date (days), in table order. */
const finalized = (contacts: readonly TableContact[], contactRowCount: number, config: ConfigInput = {}, existing?: ExistingDayCounts) => {
  const table = tableOf(contacts);
  const result = finalize(table, contactRowCount, config, existing);
  const lines = tableLines(table);
  return { result, lines, days: lines.map((line) => line.slice(0, 10)) };
};

/** The exclusion of a CA contact born on `birthDate`, under the default rules. */
const caExclusion = (birthDate: string): Exclusion =>
  exclusionFor(parseConfig({}).state_rules.CA, { state: 'CA', birthDay: day(birthDate), effectiveDay: null }, { preWindowExclusionDays: 60 })!;

/** A CA contact born 1970-09-09: its 2026 window is 2026-06-11..2026-11-08. */
const caWindowFrom0611 = (): Exclusion => caExclusion('1970-09-09');

/** Rows of `emailType` the sender holds on each of the days. */
const heldOn = (emailType: string, days: number[]): HistoryEmail[] =>
  days.map((held, k) => ({ ...historyRow({ id: 1000 + k, emailType, status: 'scheduled', scheduled: TODAY }), scheduledDay: held, sentDay: held }));

describe('§9 global balancing and frequency caps', () => {
  describe('when the daily cap and the effective-date limit are computed', () => {
    it('takes cap = max(1, floor(N × daily_send_percentage_cap)) over every contacts row', () => {
      const config = parseConfig({});
      expect(dailyCapOf(0, config)).toBe(1);
      expect(dailyCapOf(10, config)).toBe(1);
      expect(dailyCapOf(100, config)).toBe(7);
      expect(dailyCapOf(1000, config)).toBe(70);
      expect(dailyCapOf(1000, parseConfig({ load_balancing: { daily_send_percentage_cap: 0.05 } }))).toBe(50);
    });

    it('takes each floor of a product on the numbers as written, not on their binary approximations', () => {
      // 100 × 0.29 and 100 × 1.15 are 28.999… and 114.999… in binary floating point.
      expect(dailyCapOf(100, parseConfig({ load_balancing: { daily_send_percentage_cap: 0.29 } }))).toBe(29);
      expect(floorOfProduct(100, 1.15)).toBe(115);
      fc.assert(
        fc.property(fc.nat(10_000_000), fc.nat(1_000_000), fc.nat(6), (whole, digits, places) => {
          const exact = (BigInt(whole) * BigInt(digits)) / 10n ** BigInt(places);
          expect(floorOfProduct(whole, Number(`${digits}e-${places}`))).toBe(Number(exact));
        }),
        { numRuns: 2000 },
      );
    });

    it('takes ed_limit = min(ed_daily_soft_limit, floor(0.3 × cap))', () => {
      expect(finalize(tableOf([]), 1000)).toMatchObject({ dailyCap: 70, edDailyLimit: 15 });
      expect(finalize(tableOf([]), 1000, { load_balancing: { ed_daily_soft_limit: 10 } })).toMatchObject({ edDailyLimit: 10 });
      expect(finalize(tableOf([]), 100)).toMatchObject({ dailyCap: 7, edDailyLimit: 2 });
      expect(finalize(tableOf([]), 10)).toMatchObject({ dailyCap: 1, edDailyLimit: 0 });
    });
  });

  describe('when a day holds more effective_date emails than ed_limit (smoothing)', () => {
    // N = 100: cap 7, ed_limit 2, daily-cap threshold 8; W = 5 shifts by (hash mod 5) − 2.
    const ed = (on: string, keyHash: number, deadline = '2026-07-10') => candidate({ type: 'effective_date', on, keyHash, deadline });
    const smoothed = (contacts: readonly TableContact[], config: ConfigInput = {}, existing?: ExistingDayCounts) =>
      finalized(contacts, 100, config, existing);

    it('moves each of them by (hash mod W) − floor(W/2) days', () => {
      const { result, lines } = smoothed([
        { id: 1, emails: [ed('2026-06-10', 10)] },
        { id: 2, emails: [ed('2026-06-10', 6)] },
        { id: 3, emails: [ed('2026-06-10', 2)] },
        { id: 4, emails: [ed('2026-06-10', 9)] },
      ]);
      expect(result.smoothed).toBe(3);
      expect(lines).toEqual([
        '2026-06-08 pre-scheduled',
        '2026-06-09 pre-scheduled',
        '2026-06-10 pre-scheduled',
        '2026-06-12 pre-scheduled',
      ]);
    });

    it('leaves days at or under the limit alone', () => {
      const { result, lines } = smoothed([
        { id: 1, emails: [ed('2026-06-20', 10)] },
        { id: 2, emails: [ed('2026-06-20', 9)] },
      ]);
      expect(result.smoothed).toBe(0);
      expect(lines).toEqual(['2026-06-20 pre-scheduled', '2026-06-20 pre-scheduled']);
    });

    it('takes W from ed_smoothing_window_days', () => {
      // W = 3: hash 10 → +0, 9 → −1, 8 → +1.
      const { lines } = smoothed(
        [
          { id: 1, emails: [ed('2026-06-10', 10)] },
          { id: 2, emails: [ed('2026-06-10', 9)] },
          { id: 3, emails: [ed('2026-06-10', 8)] },
        ],
        { load_balancing: { ed_smoothing_window_days: 3 } },
      );
      expect(lines).toEqual(['2026-06-10 pre-scheduled', '2026-06-09 pre-scheduled', '2026-06-11 pre-scheduled']);
    });

    it('counts existing scheduled/processing effective_date rows on the day', () => {
      const { lines } = smoothed(
        [
          { id: 1, emails: [ed('2026-06-10', 10)] },
          { id: 2, emails: [ed('2026-06-10', 9)] },
        ],
        {},
        new Map([[day('2026-06-10'), { all: 1, effectiveDate: 1 }]]),
      );
      expect(lines).toEqual(['2026-06-08 pre-scheduled', '2026-06-12 pre-scheduled']);
    });

    it('neither counts nor moves skipped emails', () => {
      const { lines } = smoothed([
        { id: 1, emails: [ed('2026-06-10', 10)] },
        { id: 2, emails: [ed('2026-06-10', 9)] },
        { id: 3, emails: [candidate({ type: 'effective_date', on: '2026-06-10', keyHash: 6, status: 'skipped' })] },
      ]);
      expect(lines).toEqual(['2026-06-10 pre-scheduled', '2026-06-10 pre-scheduled', '2026-06-10 skipped']);
    });

    it('does not move an email before today', () => {
      const { lines } = smoothed([
        { id: 1, emails: [ed('2026-06-02', 10)] }, // −2 would be 2026-05-31
        { id: 2, emails: [ed('2026-06-02', 6)] },
        { id: 3, emails: [ed('2026-06-02', 13)] },
      ]);
      expect(lines).toEqual(['2026-06-02 pre-scheduled', '2026-06-01 pre-scheduled', '2026-06-03 pre-scheduled']);
    });

    it('does not move an email past its deadline', () => {
      const { lines } = smoothed([
        { id: 1, emails: [ed('2026-06-10', 9, '2026-06-11')] }, // +2 would pass the deadline
        { id: 2, emails: [ed('2026-06-10', 6)] },
        { id: 3, emails: [ed('2026-06-10', 13)] },
      ]);
      expect(lines).toEqual(['2026-06-10 pre-scheduled', '2026-06-09 pre-scheduled', '2026-06-11 pre-scheduled']);
    });

    it("does not move an email into its contact's exclusion window", () => {
      const { lines } = smoothed([
        { id: 1, exclusion: caWindowFrom0611(), emails: [ed('2026-06-10', 13)] }, // +1 would enter the window
        { id: 2, emails: [ed('2026-06-10', 6)] },
        { id: 3, emails: [ed('2026-06-10', 10)] },
      ]);
      expect(lines).toEqual(['2026-06-10 pre-scheduled', '2026-06-09 pre-scheduled', '2026-06-08 pre-scheduled']);
    });

    it("does not move an email onto a day holding its contact's skipped row of that type (the run's, either status)", () => {
      const { lines } = smoothed([
        { id: 1, emails: [ed('2026-06-10', 13), candidate({ type: 'effective_date', on: '2026-06-11', keyHash: 1, status: 'skipped' })] },
        { id: 2, emails: [ed('2026-06-10', 6)] },
        { id: 3, emails: [ed('2026-06-10', 10)] },
      ]);
      expect(lines).toEqual([
        '2026-06-10 pre-scheduled',
        '2026-06-11 skipped',
        '2026-06-09 pre-scheduled',
        '2026-06-08 pre-scheduled',
      ]);
    });

    it('does not move an email onto a day its contact already has a row of that type', () => {
      const { lines } = smoothed([
        { id: 1, emails: [ed('2026-06-10', 13)], history: heldOn('effective_date', [day('2026-06-11')]) },
        { id: 2, emails: [ed('2026-06-10', 6)] },
        { id: 3, emails: [ed('2026-06-10', 10)] },
      ]);
      expect(lines).toEqual(['2026-06-10 pre-scheduled', '2026-06-09 pre-scheduled', '2026-06-08 pre-scheduled']);
    });
  });

  describe('when a day holds more than floor(cap × overage_threshold) emails (daily cap)', () => {
    // N = 100 at 5 %: cap 5, threshold floor(5 × 1.2) = 6.
    const config: ConfigInput = { load_balancing: { daily_send_percentage_cap: 0.05 } };
    const bday = (on: string, priority: number, keyHash: number, deadline?: string) =>
      candidate({ type: 'birthday', on, priority, keyHash, ...(deadline === undefined ? {} : { deadline }) });
    const oneEach = (emails: ReturnType<typeof bday>[], firstId = 1) => emails.map((email, k) => ({ id: firstId + k, emails: [email] }));
    const dailyCapped = (contacts: readonly TableContact[], existing?: ExistingDayCounts) => finalized(contacts, 100, config, existing);
    /** Contacts 1–6, one birthday each on 2026-06-10: the day is at its threshold, so a seventh email there is one too many. */
    const atThreshold = () => oneEach([1, 2, 3, 4, 5, 6].map((hash) => bday('2026-06-10', 10, hash)));
    /** Seven birthdays on 2026-06-10, one over the threshold: the two of priority 30 and 40 (the 4th and 6th) move. */
    const oneOver = () =>
      oneEach([
        bday('2026-06-10', 10, 5),
        bday('2026-06-10', 10, 3),
        bday('2026-06-10', 20, 1),
        bday('2026-06-10', 30, 0),
        bday('2026-06-10', 10, 9),
        bday('2026-06-10', 40, 2),
        bday('2026-06-10', 20, 8),
      ]);

    it('leaves a day at the threshold alone', () => {
      expect(dailyCapped(atThreshold()).result.movedByDailyCap).toBe(0);
    });

    it('refuses a cap below 1 (no day could keep "cap" emails) at once, rather than moving emails without end', () => {
      for (const cap of [0, 0.5, -1]) {
        expect(() => enforceDailyCap(tableOf(oneOver()), new Map(), day(TODAY), cap, 1.2)).toThrow(/daily cap must be a whole number of at least 1/);
      }
    });

    it('keeps cap emails, lowest priority number first then hash ascending, and moves the rest to the next day', () => {
      const { result, days } = dailyCapped(oneOver());
      expect(result.movedByDailyCap).toBe(2);
      expect(days).toEqual([
        '2026-06-10',
        '2026-06-10',
        '2026-06-10',
        '2026-06-11',
        '2026-06-10',
        '2026-06-11',
        '2026-06-10',
      ]);
    });

    it('counts moved emails on the next day, where the cap applies again', () => {
      const { days } = dailyCapped([...oneOver(), ...oneEach([100, 101, 102, 103, 104].map((hash) => bday('2026-06-11', 10, hash)), 8)]);
      expect([days[3], days[5]]).toEqual(['2026-06-12', '2026-06-12']);
      expect(days.slice(7)).toEqual(Array(5).fill('2026-06-11'));
    });

    it('leaves the next day alone when the emails moved there bring it to its threshold, not over it', () => {
      const { result, days } = dailyCapped([...oneOver(), ...oneEach([100, 101, 102, 103].map((hash) => bday('2026-06-11', 10, hash)), 8)]);
      expect(result.movedByDailyCap).toBe(2);
      expect([days[3], days[5]]).toEqual(['2026-06-11', '2026-06-11']);
      expect(days.slice(7)).toEqual(Array(4).fill('2026-06-11'));
    });

    it('keeps the emails that cannot move first', () => {
      const { days } = dailyCapped(
        oneEach([
          bday('2026-06-10', 90, 0, '2026-06-10'),
          bday('2026-06-10', 90, 1, '2026-06-10'),
          bday('2026-06-10', 10, 1),
          bday('2026-06-10', 10, 2),
          bday('2026-06-10', 10, 3),
          bday('2026-06-10', 20, 0),
          bday('2026-06-10', 20, 4),
        ]),
      );
      expect(days).toEqual([
        '2026-06-10',
        '2026-06-10',
        '2026-06-10',
        '2026-06-10',
        '2026-06-10',
        '2026-06-11',
        '2026-06-11',
      ]);
    });

    it('counts existing rows on each day and keeps them first', () => {
      const three = () => oneEach([bday('2026-06-10', 10, 1), bday('2026-06-10', 10, 2), bday('2026-06-10', 10, 3)]);
      const nextDayFree = dailyCapped(three(), new Map([[day('2026-06-10'), { all: 4, effectiveDate: 0 }]]));
      expect(nextDayFree.days).toEqual(['2026-06-10', '2026-06-11', '2026-06-11']);

      const fullNextDay = dailyCapped(
        three(),
        new Map([
          [day('2026-06-10'), { all: 4, effectiveDate: 0 }],
          [day('2026-06-11'), { all: 6, effectiveDate: 0 }],
        ]),
      );
      expect(fullNextDay.days).toEqual(['2026-06-10', '2026-06-12', '2026-06-12']);
    });

    it('moves no email past its deadline: one that reaches it stays, even on a day over the cap', () => {
      const { result, days } = dailyCapped(
        oneEach([
          ...[1, 2, 3, 4, 5].map((hash) => bday('2026-06-10', 10, hash, '2026-06-10')),
          bday('2026-06-10', 90, 1, '2026-06-11'),
          bday('2026-06-10', 90, 2, '2026-06-11'),
          ...[1, 2, 3, 4, 5, 6].map((hash) => bday('2026-06-11', 10, hash, '2026-06-11')),
        ]),
      );
      expect(days.slice(5, 7)).toEqual(['2026-06-11', '2026-06-11']);
      expect(days.filter((date) => date === '2026-06-11')).toHaveLength(8);
      expect(result.daysLeftOverCap).toBe(1);
    });

    it('tries the days after the next one when the next is not allowed', () => {
      const { lines } = dailyCapped([
        ...atThreshold(),
        { id: 7, emails: [bday('2026-06-10', 90, 0)], history: heldOn('birthday', [day('2026-06-11'), day('2026-06-12')]) },
      ]);
      expect(lines[6]).toBe('2026-06-13 pre-scheduled');
    });

    it("skips a day holding its contact's skipped run row of that type (a campaign conflict's loser)", () => {
      // Day 06-10 holds 7 > 6: birthdays of hash 1–5 stay, hash 6 moves to 06-11; the campaign email
      // (priority 90) finds 06-11 taken by its contact's skipped campaign_promo row and goes to 06-12.
      const promo = (on: string, status: 'pre-scheduled' | 'skipped') => candidate({ type: 'campaign_promo', on, priority: 90, keyHash: 0, status });
      const { lines } = dailyCapped([...atThreshold(), { id: 7, emails: [promo('2026-06-10', 'pre-scheduled'), promo('2026-06-11', 'skipped')] }]);
      expect(lines).toEqual([
        ...Array(5).fill('2026-06-10 pre-scheduled'),
        '2026-06-11 pre-scheduled',
        '2026-06-12 pre-scheduled',
        '2026-06-11 skipped',
      ]);
    });

    it('does not move an email into its contact’s window, but past it', () => {
      const { days } = dailyCapped([...atThreshold(), { id: 7, exclusion: caWindowFrom0611(), emails: [bday('2026-06-10', 90, 0)] }]);
      expect(days).toEqual([...Array(5).fill('2026-06-10'), '2026-06-11', '2026-11-09']);
    });

    it('does not move an email into the window of next year that starts the day after, but past it', () => {
      // Born 1970-01-15 in CA: the 2027 window is 2026-10-17..2027-03-16, and begins in 2026.
      const exclusion = caExclusion('1970-01-15');
      const fullDay = oneEach([1, 2, 3, 4, 5, 6].map((hash) => bday('2026-10-16', 10, hash)));
      const { days } = dailyCapped([...fullDay, { id: 7, exclusion, emails: [bday('2026-10-16', 90, 0)] }]);
      expect(days).toEqual([...Array(5).fill('2026-10-16'), '2026-10-17', '2027-03-17']);
    });

    it('keeps the window of a contact born in year 0000 (regression: year 0 once meant "no window")', () => {
      // Born 0000-09-09 in CA: the 2026 window is 2026-06-11..2026-11-08.
      const exclusion = caExclusion('0000-09-09');
      const { lines } = dailyCapped([...atThreshold(), { id: 7, exclusion, emails: [bday('2026-06-10', 90, 0)] }]);
      expect(lines[6]).toBe('2026-11-09 pre-scheduled');
    });

    it('leaves an email that could only move into its window before its deadline where it is', () => {
      const { days } = dailyCapped([...atThreshold(), { id: 7, exclusion: caWindowFrom0611(), emails: [bday('2026-06-10', 90, 0, '2026-06-20')] }]);
      expect(days).toEqual([...Array(4).fill('2026-06-10'), '2026-06-11', '2026-06-11', '2026-06-10']);
    });

    it('looks at most 365 days past the day an email without a deadline is leaving', () => {
      const leaving = day('2026-06-10');
      const daysAfter = (count: number) => Array.from({ length: count }, (_, k) => leaving + 1 + k);
      const blockedFor = (count: number) =>
        dailyCapped([...atThreshold(), { id: 7, emails: [bday('2026-06-10', 90, 0)], history: heldOn('birthday', daysAfter(count)) }]).days[6];
      expect(blockedFor(364)).toBe('2027-06-10');
      expect(blockedFor(365)).toBe('2026-06-10');
    });

    it('neither counts nor moves skipped emails', () => {
      const { result } = dailyCapped([...atThreshold(), { id: 7, emails: [candidate({ type: 'birthday', on: '2026-06-10', status: 'skipped' })] }]);
      expect(result.movedByDailyCap).toBe(0);
    });

    it('spreads same-day emails over the days up to their deadline, in hash order, through scheduleOrganization', () => {
      // 20 contacts with the same birthday, N = 20: cap 1, threshold 1. Each birthday email is due by 2026-07-20.
      const contacts = Array.from({ length: 20 }, (_, k) => inputsOf(contactIn('IL', { id: k + 1, birthDate: '1980-07-20' })));
      const result = scheduleOrganization(world({ today: TODAY, config: { aep: { dates: [] } } }), contacts);
      const byDay = new Map<string, number>();
      for (const email of result.emails) byDay.set(iso(email.day), (byDay.get(iso(email.day)) ?? 0) + 1);
      const expected = new Map<string, number>();
      for (let d = day('2026-07-06'); d <= day('2026-07-19'); d++) expected.set(iso(d), 1);
      expected.set('2026-07-20', 6);
      expect(new Map([...byDay].sort())).toEqual(expected);
      const inDayOrder = [...result.emails].sort((a, b) => a.day - b.day || a.keyHash - b.keyHash);
      const inHashOrder = [...result.emails].sort((a, b) => a.keyHash - b.keyHash);
      expect(inDayOrder.slice(0, 14).map((email) => email.contactId)).toEqual(inHashOrder.slice(0, 14).map((email) => email.contactId));
    });
  });

  describe('when a contact would get too many emails in a period (frequency cap)', () => {
    // N = 1000: cap 70, no day is over. Default: at most 3 emails in any 30 consecutive days.
    const email = (type: string, on: string, priority: number, fields: { followup?: boolean; status?: 'skipped' } = {}) =>
      candidate({ type, on, priority, ...fields });
    const capped = (emails: ReturnType<typeof email>[], history: HistoryEmail[] = [], config: ConfigInput = {}) => {
      const { result, lines } = finalized([{ id: 1, emails, history }], 1000, config);
      return { skipped: [...result.frequencyCapped], lines };
    };

    it('skips the email that would be a fourth in 30 days, admitting by priority number first', () => {
      expect(
        capped([
          email('birthday', '2026-06-10', 10),
          email('effective_date', '2026-06-11', 20),
          email('aep', '2026-06-12', 30),
          email('post_window', '2026-06-13', 40),
        ]).skipped,
      ).toEqual([3]);
      expect(
        capped([
          email('campaign_d', '2026-06-10', 40),
          email('campaign_c', '2026-06-11', 30),
          email('campaign_b', '2026-06-12', 20),
          email('campaign_a', '2026-06-13', 10),
        ]).skipped,
      ).toEqual([0]);
    });

    it('admits by date on equal priority', () => {
      const result = capped(['2026-06-13', '2026-06-10', '2026-06-12', '2026-06-11'].map((on) => email('campaign_x', on, 10)));
      expect(result.skipped).toEqual([0]);
      expect(result.lines[0]).toBe('2026-06-13 skipped');
    });

    it('admits by type on equal priority and date', () => {
      const result = capped([
        email('campaign_b', '2026-06-10', 10),
        email('campaign_a', '2026-06-10', 10),
        email('campaign_p', '2026-06-11', 5),
        email('campaign_p', '2026-06-12', 5),
      ]);
      expect(result.skipped).toEqual([0]);
    });

    it('counts any 30 consecutive days', () => {
      expect(capped(['2026-06-10', '2026-06-20', '2026-06-30', '2026-07-10'].map((on) => email('campaign_x', on, 10))).skipped).toEqual([]);
      expect(capped(['2026-06-10', '2026-06-20', '2026-06-30', '2026-07-09'].map((on) => email('campaign_x', on, 10))).skipped).toEqual([3]);
    });

    it('takes the limit and the period from the configuration', () => {
      const config = { frequency: { max_emails_per_period: 1, period_days: 7 } };
      expect(capped([email('a', '2026-06-10', 10), email('b', '2026-06-16', 20), email('c', '2026-06-17', 30)], [], config).skipped).toEqual([1]);
    });

    it('counts a period of exactly period_days days, from a history email sent today', () => {
      const config = { frequency: { max_emails_per_period: 1, period_days: 7 } };
      const sentToday = [historyRow({ id: 1, emailType: 'aep', status: 'sent', scheduled: TODAY, sent: TODAY })];
      // 2026-06-01 .. 2026-06-07 are 7 days: a second email there is one too many; on 2026-06-08 it starts a new period.
      expect(capped([email('campaign_a', '2026-06-07', 10)], sentToday, config).skipped).toEqual([0]);
      expect(capped([email('campaign_a', '2026-06-08', 10)], sentToday, config).skipped).toEqual([]);
    });

    it('counts history rows, dated by their sent day', () => {
      // Scheduled long ago, sent on 2026-06-05 and 2026-06-07.
      const history = [
        historyRow({ id: 1, emailType: 'aep', status: 'sent', scheduled: '2026-04-01', sent: '2026-06-05' }),
        historyRow({ id: 2, emailType: 'birthday', status: 'delivered', scheduled: '2026-04-02', sent: '2026-06-07' }),
      ];
      expect(capped([email('campaign_a', '2026-06-10', 10), email('campaign_b', '2026-06-11', 20)], history).skipped).toEqual([1]);
    });

    it('counts scheduled and processing history rows on their day', () => {
      const history = [
        historyRow({ id: 1, emailType: 'aep', status: 'scheduled', scheduled: '2026-06-12' }),
        historyRow({ id: 2, emailType: 'birthday', status: 'processing', scheduled: '2026-06-01' }),
      ];
      expect(capped([email('campaign_a', '2026-06-10', 10), email('campaign_b', '2026-06-11', 20)], history).skipped).toEqual([1]);
    });

    it('counts neither failed history rows, nor rows of a status the contract does not name, nor follow-ups', () => {
      const history = [
        historyRow({ id: 1, emailType: 'aep', status: 'failed', scheduled: '2026-06-05' }),
        historyRow({ id: 2, emailType: 'followup_1_cold', status: 'sent', scheduled: '2026-06-06', initialEmailId: 9 }),
        historyRow({ id: 3, emailType: 'birthday', status: 'other', scheduled: '2026-06-07' }),
      ];
      const run = [email('a', '2026-06-10', 10), email('b', '2026-06-11', 20), email('c', '2026-06-12', 30)];
      expect(capped(run, history).skipped).toEqual([]);
    });

    it('neither counts nor caps the run’s follow-ups', () => {
      const result = capped([
        email('a', '2026-06-10', 10),
        email('b', '2026-06-11', 20),
        email('c', '2026-06-12', 30),
        email('followup_1_cold', '2026-06-13', 5, { followup: true }),
        email('followup_2_clicked_no_hq', '2026-06-14', 5, { followup: true }),
      ]);
      expect(result.skipped).toEqual([]);
    });

    it('does not count skipped emails', () => {
      const result = capped([
        email('a', '2026-06-10', 10),
        email('b', '2026-06-11', 20),
        email('c', '2026-06-12', 30, { status: 'skipped' }),
        email('d', '2026-06-13', 40),
      ]);
      expect(result.skipped).toEqual([]);
    });

    it('marks the email skipped with a reason starting frequency_cap', () => {
      const context = world({
        today: '2026-09-01',
        campaignTypes: [campaignType('promo', { priority: 60 })],
        campaignInstances: [campaignInstance(1, 'promo')],
      });
      const contact = contactIn('IL', { birthDate: '1980-09-20', effectiveDate: '2010-10-10' });
      const result = scheduleOrganization(context, [inputsOf(contact, { targets: [target(1, '2026-09-25')] })], { contactRowCount: 1000 });
      expect(linesOf(result.emails)).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'birthday 2026-09-06 pre-scheduled',
        'campaign_promo 2026-09-25 skipped',
        'effective_date 2026-09-10 pre-scheduled',
      ]);
      const promo = onlyOf(result.emails, 'campaign_promo');
      expect(promo.skipCode).toBe('frequency_cap');
      expect(promo.skipReason).toMatch(/^frequency_cap: /);
    });
  });

  describe('when a pre-scheduled email is inside its contact’s window', () => {
    it('refuses to finish the run', () => {
      const table = tableOf([{ id: 1, exclusion: caWindowFrom0611(), emails: [candidate({ type: 'birthday', on: '2026-06-15' })] }]);
      expect(() => finalize(table, 100)).toThrow(InvariantViolation);
    });

    it('accepts it when the email does not respect windows', () => {
      const table = tableOf([
        { id: 1, exclusion: caWindowFrom0611(), emails: [candidate({ type: 'campaign_loud', on: '2026-06-15', respectsWindows: false })] },
      ]);
      expect(() => finalize(table, 100)).not.toThrow();
    });
  });
});
