import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { catchUpDay, fnv1a, NO_DAY, SENDER_STATUSES, type HistoryEmail } from '../src/index';
import { refAnniversary, refDateOf, refEpochDay, refFnv1a, refIso } from './support/reference';
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

/** Cases of each property below. */
const RUNS = 2000;

/**
 * RULES.md §4 catch-up, read from its text: a late email goes to the first
 * day d ≥ today with epochDay(d) mod S = hash mod S; one due before its event
 * (ideal < E) whose d is after E goes out today.
 */
const ruleSendDay = (ideal: number, event: number, today: number, spreadDays: number, keyHash: number): number => {
  if (ideal >= today) return ideal;
  let d = today;
  while (d % spreadDays !== keyHash % spreadDays) d++;
  return ideal < event && d > event ? today : d;
};

describe('§4 candidates', () => {
  describe('when a contact has a birth date', () => {
    it('sends the birthday email 14 days before the next birthday, due by the birthday', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { birthDate: '1980-07-20' }))), 'birthday');
      expect(iso(email.eventDay!)).toBe('2026-07-20');
      expect(iso(email.day)).toBe('2026-07-06');
      expect(iso(email.deadline)).toBe('2026-07-20');
      expect(email).toMatchObject({ status: 'pre-scheduled', priority: 10, emailTemplate: 'birthday_v1', smsTemplate: null, campaignInstanceId: null });
    });

    it('takes the number of days before from timing.birthday_email_days_before', () => {
      const context = world({ today: '2026-06-01', config: { ...NO_AEP, timing: { birthday_email_days_before: 7 } } });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { birthDate: '1980-07-20' }))), 'birthday');
      expect(iso(email.day)).toBe('2026-07-13');
    });

    it('uses the configured templates and priority', () => {
      const context = world({
        today: '2026-06-01',
        config: { ...NO_AEP, templates: { birthday: { email: 'bday_v2', sms: 'bday_sms' } }, priorities: { birthday: 3 } },
      });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { birthDate: '1980-07-20' }))), 'birthday');
      expect(email).toMatchObject({ emailTemplate: 'bday_v2', smsTemplate: 'bday_sms', priority: 3 });
    });
  });

  describe('when a contact has an effective date', () => {
    it('sends the effective-date email 30 days before the next anniversary, due by the anniversary', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { effectiveDate: '2012-08-15' }))), 'effective_date');
      expect(iso(email.eventDay!)).toBe('2026-08-15');
      expect(iso(email.day)).toBe('2026-07-16');
      expect(iso(email.deadline)).toBe('2026-08-15');
      expect(email.priority).toBe(20);
    });

    it('takes the number of days before from timing.effective_date_days_before', () => {
      const context = world({ today: '2026-06-01', config: { ...NO_AEP, timing: { effective_date_days_before: 45 } } });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { effectiveDate: '2012-08-15' }))), 'effective_date');
      expect(iso(email.day)).toBe('2026-07-01');
    });
  });

  describe('when AEP dates are configured', () => {
    const aepLines = (today: string, aep: object): string[] =>
      linesOf(emailsFor(world({ today, config: { aep } }), inputsOf(contactIn('IL'))));

    it('sends on Sep 15 of this year while it is still ahead, without a deadline', () => {
      const context = world({ today: '2026-06-01' });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL'))), 'aep');
      expect(iso(email.day)).toBe('2026-09-15');
      expect(iso(email.eventDay!)).toBe('2026-09-15');
      expect(email.deadline).toBe(NO_DAY);
      expect(email.priority).toBe(30);
    });

    it('counts an AEP date of today as its next occurrence', () => {
      expect(aepLines('2026-09-15', {})).toEqual(['aep 2026-09-15 pre-scheduled']);
      expect(aepLines('2026-09-16', {})).toEqual(['aep 2027-09-15 pre-scheduled']);
    });

    it('sends nothing when aep.years does not list the next occurrence year', () => {
      expect(aepLines('2026-06-01', { years: [2027] })).toEqual([]);
      expect(aepLines('2026-06-01', { years: [2026, 2027] })).toEqual(['aep 2026-09-15 pre-scheduled']);
      expect(aepLines('2026-09-16', { years: [2026] })).toEqual([]);
      expect(aepLines('2026-09-16', { years: [2027] })).toEqual(['aep 2027-09-15 pre-scheduled']);
    });

    it('moves a Feb 29 AEP date to Feb 28 in common years', () => {
      expect(aepLines('2026-06-01', { dates: [{ month: 2, day: 29 }] })).toEqual(['aep 2027-02-28 pre-scheduled']);
      expect(aepLines('2027-03-01', { dates: [{ month: 2, day: 29 }] })).toEqual(['aep 2028-02-29 pre-scheduled']);
    });

    it('sends one email per configured date', () => {
      expect(aepLines('2026-06-01', { dates: [{ month: 10, day: 1 }, { month: 9, day: 15 }] })).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'aep 2026-10-01 pre-scheduled',
      ]);
    });
  });

  describe('when the ideal date is before today (catch-up)', () => {
    it('places a late email on the first day ≥ today whose epoch day ≡ hash(key) mod 7', () => {
      // Contact 2, birthday 2026-06-20, ideal 2026-06-06: hash('2|birthday|2026-06-20') mod 7 = 3,
      // and 2026-06-14 is epoch day 20618 ≡ 3 (mod 7), the first such day from 2026-06-10.
      expect(fnv1a('2|birthday|2026-06-20') % 7).toBe(3);
      const context = world({ today: '2026-06-10', config: NO_AEP });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { id: 2, birthDate: '1980-06-20' }))), 'birthday');
      expect(iso(email.day)).toBe('2026-06-14');
    });

    it('keeps a late email on the same date from one day to the next', () => {
      for (const today of ['2026-06-10', '2026-06-11', '2026-06-12', '2026-06-13', '2026-06-14']) {
        const context = world({ today, config: NO_AEP });
        const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { id: 2, birthDate: '1980-06-20' }))), 'birthday');
        expect(iso(email.day), `on ${today}`).toBe('2026-06-14');
      }
    });

    it('sends a late email due before its event today when its slot falls after the event', () => {
      // Birthday 2026-06-12: contact 3's slot would be 2026-06-14 (residue 3), past the deadline.
      const late = (id: number): string =>
        iso(onlyOf(emailsFor(world({ today: '2026-06-10', config: NO_AEP }), inputsOf(contactIn('IL', { id, birthDate: '1980-06-12' }))), 'birthday').day);
      expect(late(3)).toBe('2026-06-10');
      // Contact 2's slot (residue 1) is the birthday itself: allowed.
      expect(late(2)).toBe('2026-06-12');
      // Contact 4's slot (residue 0) is 2026-06-11.
      expect(late(4)).toBe('2026-06-11');
    });

    it('lets a late email whose ideal date is not before its event land after it', () => {
      // A campaign with days_before_event 0 has no deadline: residue 3 gives 2026-06-14.
      const context = world({
        today: '2026-06-10',
        config: NO_AEP,
        campaignTypes: [campaignType('newsletter')],
        campaignInstances: [campaignInstance(1, 'newsletter')],
      });
      const email = onlyOf(
        emailsFor(context, inputsOf(contactIn('IL', { id: 1 }), { targets: [target(1, '2026-05-01')] })),
        'campaign_newsletter',
      );
      expect(iso(email.day)).toBe('2026-06-14');
      expect(email.deadline).toBe(NO_DAY);
    });

    it('spreads over catch_up_spread_days days', () => {
      // hash('1|birthday|2026-06-20') mod 30 = 7; 2026-06-13 is epoch day 20617 ≡ 7 (mod 30).
      const context = world({ today: '2026-06-10', config: { ...NO_AEP, load_balancing: { catch_up_spread_days: 30 } } });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { id: 1, birthDate: '1980-06-20' }))), 'birthday');
      expect(iso(email.day)).toBe('2026-06-13');
    });

    it('computes the slot from the residue formula alone', () => {
      const today = day('2026-06-10'); // epoch day 20614 ≡ 6 (mod 7)
      const ideal = day('2026-06-01');
      expect(iso(catchUpDay(ideal, NO_DAY, today, 7, 0))).toBe('2026-06-11');
      expect(iso(catchUpDay(ideal, NO_DAY, today, 7, 5))).toBe('2026-06-16');
      expect(iso(catchUpDay(ideal, NO_DAY, today, 7, 6))).toBe('2026-06-10');
      expect(iso(catchUpDay(ideal, NO_DAY, today, 7, 13))).toBe('2026-06-10');
      expect(iso(catchUpDay(ideal, NO_DAY, today, 7, 4294967295))).toBe('2026-06-14'); // 2^32 − 1 ≡ 3 (mod 7), as 2026-06-14
      expect(iso(catchUpDay(ideal, day('2026-06-15'), today, 7, 5))).toBe('2026-06-10');
      expect(iso(catchUpDay(ideal, day('2026-06-16'), today, 7, 5))).toBe('2026-06-16');
      expect(iso(catchUpDay(ideal, NO_DAY, today, 1, 12345))).toBe('2026-06-10');
    });

    it('places any email by the residue rule and its deadline, whatever the ideal date, event, spread and hash (property)', () => {
      const today = fc.integer({ min: refEpochDay(2020, 1, 1), max: refEpochDay(2035, 12, 31) });
      fc.assert(
        fc.property(
          today,
          fc.integer({ min: -400, max: 60 }),
          fc.integer({ min: -30, max: 400 }),
          fc.oneof(fc.constant(7), fc.integer({ min: 1, max: 366 })),
          fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1)),
          (todayDay, idealOffset, daysBefore, spreadDays, keyHash) => {
            const ideal = todayDay + idealOffset;
            const event = ideal + daysBefore;
            const deadline = ideal < event ? event : NO_DAY;
            const expected = ruleSendDay(ideal, event, todayDay, spreadDays, keyHash);
            expect(catchUpDay(ideal, deadline, todayDay, spreadDays, keyHash), `ideal ${refIso(ideal)} E ${refIso(event)} today ${refIso(todayDay)} S ${spreadDays} hash ${keyHash}`).toBe(expected);
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('dates every birthday and effective-date email by the rule, its key hashed as contact_id|type|E (property)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: refEpochDay(2024, 1, 1), max: refEpochDay(2031, 12, 31) }),
          fc.integer({ min: 1, max: 60 }),
          fc.oneof(fc.integer({ min: -40, max: 40 }), fc.constant(null)),
          fc.integer({ min: 1, max: 5000 }),
          fc.integer({ min: 0, max: 45 }),
          fc.oneof(fc.constant(7), fc.integer({ min: 1, max: 30 })),
          (todayDay, yearsBack, offset, id, daysBefore, spreadDays) => {
            // An event in a past year that recurs within 40 days of today, or a Feb 29 (offset null).
            const now = refDateOf(todayDay);
            const eventDay =
              offset === null
                ? refEpochDay(now.year - (now.year % 4) - 4 * (1 + (yearsBack % 24)), 2, 29)
                : refEpochDay(now.year - yearsBack, now.month, now.day) + offset;
            const contact = contactIn('IL', { id, birthDate: refIso(eventDay), effectiveDate: refIso(eventDay) });
            const config = {
              ...NO_AEP,
              timing: { birthday_email_days_before: daysBefore, effective_date_days_before: daysBefore },
              load_balancing: { catch_up_spread_days: spreadDays },
            };
            const emails = emailsFor(world({ today: refIso(todayDay), config }), inputsOf(contact));
            const { month, day: dayOfMonth } = refDateOf(eventDay);
            const thisYear = refAnniversary(month, dayOfMonth, refDateOf(todayDay).year);
            const event = thisYear >= todayDay ? thisYear : refAnniversary(month, dayOfMonth, refDateOf(todayDay).year + 1);
            for (const type of ['birthday', 'effective_date']) {
              const email = onlyOf(emails, type);
              const hash = refFnv1a(`${id}|${type}|${refIso(event)}`);
              expect(email.keyHash).toBe(hash);
              expect(refIso(email.day), `${type} of ${refIso(eventDay)} on ${refIso(todayDay)}`).toBe(
                refIso(ruleSendDay(event - daysBefore, event, todayDay, spreadDays, hash)),
              );
              expect(email.deadline).toBe(daysBefore > 0 ? event : NO_DAY);
            }
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('leaves an email that is not late on its ideal date', () => {
      expect(iso(catchUpDay(day('2026-06-10'), NO_DAY, day('2026-06-10'), 7, 0))).toBe('2026-06-10');
      expect(iso(catchUpDay(day('2026-07-01'), NO_DAY, day('2026-06-10'), 7, 0))).toBe('2026-07-01');
    });
  });

  describe('when history holds the same email', () => {
    const birthdayAfter = (row: HistoryEmail): string[] =>
      linesOf(emailsFor(world({ today: '2026-06-01', config: NO_AEP }), inputsOf(contactIn('IL', { birthDate: '1980-07-20' }), { history: [row] })));

    it('produces no candidate when a row with the same key has a status the sender owns', () => {
      for (const status of ['scheduled', 'processing', 'sent', 'delivered', 'failed'] as const) {
        const row = historyRow({ id: 9, emailType: 'birthday', status, scheduled: '2026-07-06', event: '2026-07-20' });
        expect(birthdayAfter(row), status).toEqual([]);
      }
    });

    it("takes as history only what the sender touched: pre-scheduled and skipped are not sender statuses", () => {
      // The run replaces its own rows; the core's history input cannot even name them.
      expect([...SENDER_STATUSES].sort()).toEqual(['delivered', 'failed', 'processing', 'scheduled', 'sent']);
      const notHistory: readonly string[] = ['pre-scheduled', 'skipped'];
      for (const status of notHistory) expect((SENDER_STATUSES as readonly string[]).includes(status)).toBe(false);
      // Checked by tsc: a history row cannot carry the scheduler's own statuses.
      expectTypeOf<Extract<HistoryEmail['status'], 'pre-scheduled' | 'skipped'>>().toBeNever();
    });

    it('produces no candidate when the row holding its key or its date has a status the contract does not name', () => {
      // "a status other than pre-scheduled or skipped": a sender's own word (read as `other`) blocks too.
      const sameKey = historyRow({ id: 9, emailType: 'birthday', status: 'other', scheduled: '2026-07-01', event: '2026-07-20' });
      expect(birthdayAfter(sameKey)).toEqual([]);
      const sameDate = historyRow({ id: 9, emailType: 'birthday', status: 'other', scheduled: '2026-07-06', event: '2025-07-20' });
      expect(birthdayAfter(sameDate)).toEqual([]);
    });

    it("still produces this year's email when history holds last year's", () => {
      const row = historyRow({ id: 9, emailType: 'birthday', status: 'sent', scheduled: '2025-07-06', event: '2025-07-20' });
      expect(birthdayAfter(row)).toEqual(['birthday 2026-07-06 pre-scheduled']);
    });

    it('produces no candidate on a date a row of the same contact and type already holds', () => {
      // A promo for 2026-06-15 that balancing moved to 2026-06-20 holds that date.
      const context = world({
        today: '2026-06-01',
        config: NO_AEP,
        campaignTypes: [campaignType('promo')],
        campaignInstances: [campaignInstance(1, 'promo'), campaignInstance(2, 'promo')],
      });
      const held = historyRow({ id: 9, emailType: 'campaign_promo', status: 'scheduled', scheduled: '2026-06-20', event: '2026-06-15', campaignInstanceId: 1 });
      const emails = emailsFor(context, inputsOf(contactIn('IL'), { targets: [target(2, '2026-06-20')], history: [held] }));
      expect(emails).toEqual([]);
    });

    it('lets a row of another type on the same date be', () => {
      const row = historyRow({ id: 9, emailType: 'aep', status: 'scheduled', scheduled: '2026-07-06', event: '2026-07-06' });
      expect(birthdayAfter(row)).toEqual(['birthday 2026-07-06 pre-scheduled']);
    });
  });
});
