import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isExcluded, RULE_KINDS, scheduleContact, StateRuleSchema, type ConfigInput, type ContactRecord, type Exclusion } from '../src/index';
import { refAnniversary, refDateOf, refEpochDay, refIso } from './support/reference';
import {
  campaignInstance,
  campaignType,
  contactIn,
  day,
  emailsFor,
  historyRow,
  inputsOf,
  iso,
  linesOf,
  NO_AEP,
  onlyOf,
  target,
  world,
} from './support/world';

/** The exclusion a contact ends up with on `today` under `config`. */
const exclusionOf = (contact: ContactRecord, today = '2026-06-01', config: ConfigInput = {}): Exclusion => {
  const outcome = scheduleContact(world({ today, config }), inputsOf(contact));
  if (!outcome.usable || outcome.exclusion === null) throw new Error('expected an exclusion');
  return outcome.exclusion;
};

/** Which of the days are excluded, as `date: yes|no`. */
const excludedOn = (exclusion: Exclusion, dates: string[]): string[] =>
  dates.map((date) => `${date}: ${isExcluded(exclusion, day(date)) ? 'yes' : 'no'}`);

/** Cases of each property below. */
const RUNS = 3000;

/** An anchor date, often Feb 29 (of leap years 1904–2096) or within a week of a year end. */
const anchorArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: refEpochDay(1930, 1, 1), max: refEpochDay(2034, 12, 31) }),
  fc.integer({ min: 476, max: 524 }).map((quarter) => refEpochDay(quarter * 4, 2, 29)),
  fc.tuple(fc.integer({ min: 1930, max: 2034 }), fc.integer({ min: -7, max: 7 })).map(([year, offset]) => refEpochDay(year, 1, 1) + offset),
);

/**
 * RULES.md §5, read from its text: `d` is excluded when it lies in
 * [a − before − pre, a + after] (inclusive) for some Y ∈ {d.year − 1, d.year,
 * d.year + 1} with Y ≥ the anchor's year, a = anniversary(A, Y) or the 1st of
 * its month.
 */
const ruleExcludes = (anchorDay: number, monthStart: boolean, before: number, after: number, pre: number, d: number): boolean => {
  const anchor = refDateOf(anchorDay);
  const year = refDateOf(d).year;
  return [year - 1, year, year + 1].some((y) => {
    if (y < anchor.year) return false;
    const a = monthStart ? refEpochDay(y, anchor.month, 1) : refAnniversary(anchor.month, anchor.day, y);
    return d >= a - before - pre && d <= a + after;
  });
};

describe('§5 state exclusion windows', () => {
  describe('when any day is checked against a dated window', () => {
    it('excludes exactly the days of [a − before − pre_window_exclusion_days, a + after] of some Y ≥ A.year among d.year − 1 … d.year + 1 (property)', () => {
      fc.assert(
        fc.property(
          anchorArb,
          fc.constantFrom('birthday_window' as const, 'effective_date_window' as const),
          fc.boolean(),
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 0, max: 90 }),
          fc.oneof(fc.constant(60), fc.integer({ min: 0, max: 150 })),
          fc.integer({ min: -450, max: 450 }),
          (anchorDay, kind, monthStart, before, after, pre, offset) => {
            // The day checked lies around the anchor's anniversary in 2026, or around the anchor itself when later.
            const around = Math.max(anchorDay, refAnniversary(refDateOf(anchorDay).month, refDateOf(anchorDay).day, 2026));
            const d = around + offset;
            // A birth date must not be after today: today is the later of the anchor and 2026-01-01.
            const today = refIso(Math.max(anchorDay, refEpochDay(2026, 1, 1)));
            const config: ConfigInput = {
              aep: { dates: [] },
              timing: { pre_window_exclusion_days: pre },
              state_rules: { CA: { kind, before, after, use_month_start: monthStart } },
            };
            const anchorText = refIso(anchorDay);
            const contact = contactIn('CA', kind === 'birthday_window' ? { birthDate: anchorText } : { effectiveDate: anchorText });
            const exclusion = exclusionOf(contact, today, config);
            const label = `${kind} ${anchorText} month start ${monthStart} before ${before} after ${after} pre ${pre}: ${refIso(d)}`;
            expect(isExcluded(exclusion, d), label).toBe(ruleExcludes(anchorDay, monthStart, before, after, pre, d));
          },
        ),
        { numRuns: RUNS },
      );
    });
  });

  describe('when the anchor is Feb 29 and the year is common (MO)', () => {
    it('anchors the window on Feb 28 in common years and on Feb 29 in leap years', () => {
      const exclusion = exclusionOf(contactIn('MO', { effectiveDate: '2020-02-29' }));
      // 2027: a = 2027-02-28, window 2026-11-30 (a − 90) .. 2027-04-02 (a + 33).
      // 2028: a = 2028-02-29, window 2027-12-01 (a − 90) .. 2028-04-02 (a + 33).
      expect(excludedOn(exclusion, ['2026-11-29', '2026-11-30', '2027-04-02', '2027-04-03', '2027-11-30', '2027-12-01', '2028-04-02', '2028-04-03'])).toEqual([
        '2026-11-29: no',
        '2026-11-30: yes',
        '2027-04-02: yes',
        '2027-04-03: no',
        '2027-11-30: no',
        '2027-12-01: yes',
        '2028-04-02: yes',
        '2028-04-03: no',
      ]);
    });
  });

  describe('when a contact born 1990-06-15 (effective date 2015-03-10) is scheduled on 2026-06-01, in each state of the default table', () => {
    // RULES.md §5's table, worked by hand: [a − before − 60, a + after] around 2026-06-15 (NV: 2026-06-01; MO: 2026-03-10).
    const WINDOWS: [state: string, first: string, last: string][] = [
      ['CA', '2026-03-17', '2026-08-14'],
      ['ID', '2026-04-16', '2026-08-17'],
      ['KY', '2026-04-16', '2026-08-14'],
      ['MD', '2026-04-16', '2026-07-15'],
      ['NV', '2026-04-02', '2026-07-31'],
      ['OK', '2026-04-16', '2026-08-14'],
      ['OR', '2026-04-16', '2026-07-16'],
      ['VA', '2026-04-16', '2026-07-15'],
      ['MO', '2025-12-10', '2026-04-12'],
    ];
    const dayBefore = (date: string) => iso(day(date) - 1);
    const dayAfter = (date: string) => iso(day(date) + 1);

    it.each(WINDOWS)('%s excludes %s through %s, and no day either side', (state, first, last) => {
      const contact = contactIn(state, { birthDate: '1990-06-15', effectiveDate: '2015-03-10' });
      expect(excludedOn(exclusionOf(contact), [dayBefore(first), first, last, dayAfter(last)])).toEqual([
        `${dayBefore(first)}: no`,
        `${first}: yes`,
        `${last}: yes`,
        `${dayAfter(last)}: no`,
      ]);
    });
  });

  describe('when a CA contact born 1990-06-15 is scheduled on 2026-06-01', () => {
    const contact = contactIn('CA', { birthDate: '1990-06-15' });

    it('excludes 2026-03-17 through 2026-08-14 (30 + 60 days before, 60 after)', () => {
      expect(excludedOn(exclusionOf(contact), ['2026-03-16', '2026-03-17', '2026-06-15', '2026-08-14', '2026-08-15'])).toEqual([
        '2026-03-16: no',
        '2026-03-17: yes',
        '2026-06-15: yes',
        '2026-08-14: yes',
        '2026-08-15: no',
      ]);
    });

    it('skips the birthday email at its date with an exclusion_window reason naming the state', () => {
      const birthday = onlyOf(emailsFor(world({ today: '2026-06-01' }), inputsOf(contact)), 'birthday');
      expect(birthday).toMatchObject({ status: 'skipped', skipCode: 'exclusion_window', day: day('2026-06-01') });
      expect(birthday.skipReason).toMatch(/^exclusion_window: /);
      expect(birthday.skipReason).toContain('CA');
    });

    it('sends a post_window email on 2026-08-15 and leaves the AEP email alone', () => {
      expect(linesOf(emailsFor(world({ today: '2026-06-01' }), inputsOf(contact)))).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'birthday 2026-06-01 skipped',
        'post_window 2026-08-15 pre-scheduled',
      ]);
    });
  });

  describe('when the state anchors on the 1st of the birth month (NV)', () => {
    const contact = contactIn('NV', { birthDate: '1985-07-20' });

    it('runs the window from 60 days before July 1 to 60 days after it', () => {
      expect(
        excludedOn(exclusionOf(contact, '2026-05-01'), ['2026-05-01', '2026-05-02', '2026-05-10', '2026-08-30', '2026-08-31', '2026-09-10']),
      ).toEqual(['2026-05-01: no', '2026-05-02: yes', '2026-05-10: yes', '2026-08-30: yes', '2026-08-31: no', '2026-09-10: no']);
    });

    it('skips the birthday email and sends the post_window email on 2026-08-31', () => {
      expect(linesOf(emailsFor(world({ today: '2026-05-01' }), inputsOf(contact)))).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'birthday 2026-07-06 skipped',
        'post_window 2026-08-31 pre-scheduled',
      ]);
    });
  });

  describe('when the state anchors on the 1st of a December birth month (NV)', () => {
    const contact = contactIn('NV', { birthDate: '1980-12-20' });

    it('runs the window from 60 days before Dec 1 to 60 days after it, into the next year', () => {
      expect(excludedOn(exclusionOf(contact, '2026-09-01'), ['2026-10-01', '2026-10-02', '2027-01-30', '2027-01-31'])).toEqual([
        '2026-10-01: no',
        '2026-10-02: yes',
        '2027-01-30: yes',
        '2027-01-31: no',
      ]);
    });

    it('skips the birthday email and sends the post_window email on 2027-01-31', () => {
      expect(linesOf(emailsFor(world({ today: '2026-12-01', config: NO_AEP }), inputsOf(contact)))).toEqual([
        'birthday 2026-12-06 skipped',
        'post_window 2027-01-31 pre-scheduled',
      ]);
    });
  });

  describe('when the rule is an effective-date window (MO)', () => {
    it('excludes 30 + 60 days before the effective-date anniversary through 33 days after', () => {
      const exclusion = exclusionOf(contactIn('MO', { effectiveDate: '2015-09-10' }));
      expect(excludedOn(exclusion, ['2026-06-11', '2026-06-12', '2026-10-13', '2026-10-14'])).toEqual([
        '2026-06-11: no',
        '2026-06-12: yes',
        '2026-10-13: yes',
        '2026-10-14: no',
      ]);
    });

    it('skips every email in the window, birthday included, and sends one post_window email', () => {
      const contact = contactIn('MO', { birthDate: '1970-07-04', effectiveDate: '2015-09-10' });
      expect(linesOf(emailsFor(world({ today: '2026-06-01' }), inputsOf(contact)))).toEqual([
        'aep 2026-09-15 skipped',
        'birthday 2026-06-20 skipped',
        'effective_date 2026-08-11 skipped',
        'post_window 2026-10-14 pre-scheduled',
      ]);
    });

    it('puts no window on a contact without an effective date', () => {
      const contact = contactIn('MO', { birthDate: '1970-07-04' });
      expect(linesOf(emailsFor(world({ today: '2026-06-01' }), inputsOf(contact)))).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'birthday 2026-06-20 pre-scheduled',
      ]);
    });
  });

  describe('when a window crosses a year end', () => {
    it("starts a January birthday's window in the previous October (CA)", () => {
      const exclusion = exclusionOf(contactIn('CA', { birthDate: '1980-01-10' }), '2026-11-01');
      expect(excludedOn(exclusion, ['2026-10-11', '2026-10-12', '2026-12-31', '2027-03-11', '2027-03-12'])).toEqual([
        '2026-10-11: no',
        '2026-10-12: yes',
        '2026-12-31: yes',
        '2027-03-11: yes',
        '2027-03-12: no',
      ]);
    });

    it('skips a birthday email sent in December for a January birthday', () => {
      const contact = contactIn('CA', { birthDate: '1980-01-10' });
      expect(linesOf(emailsFor(world({ today: '2026-11-01' }), inputsOf(contact)))).toEqual([
        'aep 2027-09-15 pre-scheduled',
        'birthday 2026-12-27 skipped',
        'post_window 2027-03-12 pre-scheduled',
      ]);
    });

    it("starts a January birthday's window in the previous November (KY)", () => {
      const exclusion = exclusionOf(contactIn('KY', { birthDate: '1980-01-20' }), '2026-11-01');
      expect(excludedOn(exclusion, ['2026-11-20', '2026-11-21', '2027-03-21', '2027-03-22'])).toEqual([
        '2026-11-20: no',
        '2026-11-21: yes',
        '2027-03-21: yes',
        '2027-03-22: no',
      ]);
    });

    it("carries a December birthday's window into the next year", () => {
      const contact = contactIn('CA', { birthDate: '1980-12-20' });
      const exclusion = exclusionOf(contact, '2026-12-01');
      expect(excludedOn(exclusion, ['2026-09-20', '2026-09-21', '2027-01-15', '2027-02-18', '2027-02-19'])).toEqual([
        '2026-09-20: no',
        '2026-09-21: yes',
        '2027-01-15: yes',
        '2027-02-18: yes',
        '2027-02-19: no',
      ]);
      expect(linesOf(emailsFor(world({ today: '2026-12-01' }), inputsOf(contact)))).toEqual([
        'aep 2027-09-15 pre-scheduled',
        'birthday 2026-12-06 skipped',
        'post_window 2027-02-19 pre-scheduled',
      ]);
    });
  });

  describe('when the anchor event has not happened yet', () => {
    it('has no window in years before a future effective date (MO)', () => {
      const contact = contactIn('MO', { effectiveDate: '2027-09-10' });
      // A 2026 window would be 2026-06-12..2026-10-13 and would hold the AEP email.
      expect(excludedOn(exclusionOf(contact), ['2026-09-15', '2027-06-11', '2027-06-12', '2027-10-13', '2027-10-14'])).toEqual([
        '2026-09-15: no',
        '2027-06-11: no',
        '2027-06-12: yes',
        '2027-10-13: yes',
        '2027-10-14: no',
      ]);
      expect(linesOf(emailsFor(world({ today: '2026-06-01' }), inputsOf(contact)))).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'effective_date 2027-08-11 skipped',
        'post_window 2027-10-14 pre-scheduled',
      ]);
    });

    it('has no window in years before the birth year of a contact born this year', () => {
      const exclusion = exclusionOf(contactIn('CA', { birthDate: '2026-01-20' }));
      // The 2025 window would be 2024-10-22..2025-03-21; the 2026 one is 2025-10-22..2026-03-21.
      expect(excludedOn(exclusion, ['2025-02-01', '2026-01-01', '2026-03-21', '2026-03-22'])).toEqual([
        '2025-02-01: no',
        '2026-01-01: yes',
        '2026-03-21: yes',
        '2026-03-22: no',
      ]);
    });
  });

  describe('when a contact lacks the anchor date', () => {
    it('has no window', () => {
      const outcome = scheduleContact(world({ today: '2026-06-01' }), inputsOf(contactIn('CA', { effectiveDate: '2012-08-15' })));
      expect(outcome).toMatchObject({ usable: true, exclusion: null });
      expect(outcome.usable && linesOf(outcome.emails)).toEqual(['aep 2026-09-15 pre-scheduled', 'effective_date 2026-07-16 pre-scheduled']);
    });

    it('has no window when its birth date is invalid', () => {
      const outcome = scheduleContact(world({ today: '2026-06-01' }), inputsOf(contactIn('CA', { birthDate: '1990-06-31' })));
      expect(outcome).toMatchObject({ usable: true, exclusion: null, badDates: ['invalid_birth_date'] });
    });
  });

  describe('when the state is year-round', () => {
    const yearRoundWorld = () =>
      world({
        today: '2026-06-01',
        campaignTypes: [campaignType('respectful'), campaignType('loud', { respectExclusionWindows: false })],
        campaignInstances: [campaignInstance(1, 'respectful'), campaignInstance(2, 'loud')],
      });

    it('skips every email that respects windows, with a year_round reason, and sends no post_window email', () => {
      for (const state of ['CT', 'MA', 'NY', 'WA']) {
        const contact = contactIn(state, { birthDate: '1980-07-20', effectiveDate: '2012-08-15' });
        const emails = emailsFor(yearRoundWorld(), inputsOf(contact, { targets: [target(1, '2026-06-20'), target(2, '2026-06-25')] }));
        expect(linesOf(emails), state).toEqual([
          'aep 2026-09-15 skipped',
          'birthday 2026-07-06 skipped',
          'campaign_loud 2026-06-25 pre-scheduled',
          'campaign_respectful 2026-06-20 skipped',
          'effective_date 2026-07-16 skipped',
        ]);
        for (const email of emails.filter((candidate) => candidate.status === 'skipped')) {
          expect(email.skipCode).toBe('year_round');
          expect(email.skipReason).toMatch(/^year_round: /);
        }
      }
    });

    it('skips follow-ups too', () => {
      const contact = contactIn('NY');
      const initial = historyRow({ id: 5, emailType: 'aep', status: 'sent', scheduled: '2026-06-09', event: '2026-06-09' });
      const emails = emailsFor(world({ today: '2026-06-10', config: NO_AEP }), inputsOf(contact, { history: [initial] }));
      expect(linesOf(emails)).toEqual(['followup_1_cold 2026-06-11 skipped']);
      expect(emails[0]!.skipCode).toBe('year_round');
    });
  });

  describe('when a campaign type does not respect exclusion windows', () => {
    const campaignWorld = (config: ConfigInput = {}) =>
      world({
        today: '2026-06-01',
        config,
        campaignTypes: [campaignType('respectful'), campaignType('loud', { respectExclusionWindows: false })],
        campaignInstances: [campaignInstance(1, 'respectful'), campaignInstance(2, 'loud')],
      });

    it('sends its emails inside the window while campaigns that respect it are skipped', () => {
      const contact = contactIn('CA', { birthDate: '1990-06-15' });
      const emails = emailsFor(campaignWorld(), inputsOf(contact, { targets: [target(1, '2026-06-25'), target(2, '2026-06-20')] }));
      expect(linesOf(emails)).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'birthday 2026-06-01 skipped',
        'campaign_loud 2026-06-20 pre-scheduled',
        'campaign_respectful 2026-06-25 skipped',
        'post_window 2026-08-15 pre-scheduled',
      ]);
    });

    it('earns no post_window email, since nothing was skipped', () => {
      const contact = contactIn('CA', { birthDate: '1990-06-15' });
      const birthdayHeld = historyRow({ id: 3, emailType: 'birthday', status: 'scheduled', scheduled: '2026-06-01', event: '2026-06-15' });
      const emails = emailsFor(campaignWorld(NO_AEP), inputsOf(contact, { targets: [target(2, '2026-06-20')], history: [birthdayHeld] }));
      expect(linesOf(emails)).toEqual(['campaign_loud 2026-06-20 pre-scheduled']);
    });
  });

  describe('when a follow-up falls in the window', () => {
    const birthdayHeld = historyRow({ id: 3, emailType: 'birthday', status: 'scheduled', scheduled: '2026-06-01', event: '2026-06-15' });

    it('is skipped, and earns no post_window email', () => {
      const contact = contactIn('CA', { birthDate: '1990-06-15' });
      const sentBirthday = historyRow({ id: 3, emailType: 'birthday', status: 'sent', scheduled: '2026-06-01', event: '2026-06-15' });
      const emails = emailsFor(world({ today: '2026-06-10', config: NO_AEP }), inputsOf(contact, { history: [sentBirthday] }));
      expect(linesOf(emails)).toEqual(['followup_1_cold 2026-06-11 skipped']);
      expect(emails[0]!.skipCode).toBe('exclusion_window');
    });

    it('is skipped even when its parent campaign ignores windows', () => {
      const contact = contactIn('CA', { birthDate: '1990-06-15' });
      const context = world({
        today: '2026-06-10',
        config: NO_AEP,
        campaignTypes: [campaignType('loud', { respectExclusionWindows: false })],
        campaignInstances: [campaignInstance(2, 'loud')],
      });
      const sentLoud = historyRow({ id: 4, emailType: 'campaign_loud', status: 'sent', scheduled: '2026-06-09', event: '2026-06-09', campaignInstanceId: 2 });
      const emails = emailsFor(context, inputsOf(contact, { history: [birthdayHeld, sentLoud] }));
      expect(linesOf(emails)).toEqual(['followup_1_cold 2026-06-11 skipped']);
    });
  });

  describe('when a state has the year_round_from_age rule (a kind added in one place)', () => {
    const config: ConfigInput = { state_rules: { TX: { kind: 'year_round_from_age', min_age: 76 } } };

    it('is one of the rule kinds and a valid state rule', () => {
      expect(RULE_KINDS.map((kind) => kind.schema.shape.kind.value)).toContain('year_round_from_age');
      expect(StateRuleSchema.parse({ kind: 'year_round_from_age', min_age: 76 })).toEqual({ kind: 'year_round_from_age', min_age: 76 });
    });

    it('skips every email from the 76th birthday on, with a year_round reason and no post_window email', () => {
      const emails = emailsFor(world({ today: '2026-06-01', config }), inputsOf(contactIn('TX', { birthDate: '1950-08-01' })));
      expect(linesOf(emails)).toEqual(['aep 2026-09-15 skipped', 'birthday 2026-07-18 pre-scheduled']);
      expect(onlyOf(emails, 'aep').skipReason).toMatch(/^year_round: /);
    });

    it('leaves younger contacts and contacts without a birth date alone', () => {
      const younger = emailsFor(world({ today: '2026-06-01', config }), inputsOf(contactIn('TX', { birthDate: '1960-01-01' })));
      expect(linesOf(younger)).toEqual(['aep 2026-09-15 pre-scheduled', 'birthday 2026-12-18 pre-scheduled']);
      const outcome = scheduleContact(world({ today: '2026-06-01', config }), inputsOf(contactIn('TX')));
      expect(outcome).toMatchObject({ usable: true, exclusion: null });
    });

    it('reaches the age on Feb 28 in a common year for a contact born on Feb 29', () => {
      const exclusion = exclusionOf(contactIn('TX', { birthDate: '1952-02-29' }), '2026-01-01', {
        state_rules: { TX: { kind: 'year_round_from_age', min_age: 74 } },
      });
      expect(excludedOn(exclusion, ['2026-02-27', '2026-02-28'])).toEqual(['2026-02-27: no', '2026-02-28: yes']);
    });
  });
});
