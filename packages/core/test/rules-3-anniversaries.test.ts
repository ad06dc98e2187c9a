import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anniversaryOf, nextAnniversary } from '../src/index';
import { refAnniversary, refDateOf, refEpochDay, refIso } from './support/reference';
import { contactIn, day, emailsFor, inputsOf, iso, NO_AEP, onlyOf, world } from './support/world';

/** Cases of each property below. */
const RUNS = 3000;

/** A calendar date, often on a day a hurried reading gets wrong: Feb 29, Feb 28, Mar 1, Dec 31, Jan 1. */
const eventDateArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: refEpochDay(1900, 1, 1), max: refEpochDay(2100, 12, 31) }),
  fc
    .tuple(fc.integer({ min: 1900, max: 2100 }), fc.constantFrom([2, 28], [3, 1], [12, 31], [1, 1]))
    .map(([year, [month, dayOfMonth]]) => refEpochDay(year, month!, dayOfMonth!)),
  // Feb 29 of the leap years 1904–2096 (1900 and 2100 are common).
  fc.integer({ min: 476, max: 524 }).map((quarter) => refEpochDay(quarter * 4, 2, 29)),
);

/** "today", often on a year end or around Feb 29 of leap and common years (2100 is common). */
const todayArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: refEpochDay(2000, 1, 1), max: refEpochDay(2100, 12, 31) }),
  fc
    .tuple(fc.integer({ min: 2000, max: 2100 }), fc.constantFrom([2, 28], [3, 1], [12, 31], [1, 1]))
    .map(([year, [month, dayOfMonth]]) => refEpochDay(year, month!, dayOfMonth!)),
  fc.integer({ min: 500, max: 524 }).map((quarter) => refEpochDay(quarter * 4, 2, 29)),
);

/** RULES.md §3, read from its text: this year's anniversary if it is ≥ today, else next year's. */
const ruleNext = (eventDay: number, today: number): number => {
  const event = refDateOf(eventDay);
  const year = refDateOf(today).year;
  const thisYear = refAnniversary(event.month, event.day, year);
  return thisYear >= today ? thisYear : refAnniversary(event.month, event.day, year + 1);
};

const next = (event: string, today: string): string => iso(nextAnniversary(day(event), day(today)));

describe('§3 anniversaries', () => {
  describe('when the event is Feb 29', () => {
    it('falls on Feb 28 in common years and on Feb 29 in leap years', () => {
      expect(iso(anniversaryOf(2, 29, 2027))).toBe('2027-02-28');
      expect(iso(anniversaryOf(2, 29, 2028))).toBe('2028-02-29');
      expect(iso(anniversaryOf(2, 29, 2100))).toBe('2100-02-28');
      expect(iso(anniversaryOf(2, 29, 2000))).toBe('2000-02-29');
      expect(iso(anniversaryOf(2, 28, 2028))).toBe('2028-02-28');
    });

    it('sends a Feb 29 birthday email 14 days before Feb 28 in a common year', () => {
      const context = world({ today: '2027-01-10', config: NO_AEP });
      const birthday = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { birthDate: '1992-02-29' }))), 'birthday');
      expect(iso(birthday.eventDay!)).toBe('2027-02-28');
      expect(iso(birthday.day)).toBe('2027-02-14');
    });

    it('recurs on Feb 28 in common years and on Feb 29 in leap years for a past Feb 29 effective date', () => {
      const edOn = (today: string) =>
        onlyOf(emailsFor(world({ today, config: NO_AEP }), inputsOf(contactIn('IL', { effectiveDate: '2020-02-29' }))), 'effective_date');
      // 2027 is common: E = 2027-02-28, sent 30 days before (Jan 29).
      expect([iso(edOn('2026-06-01').eventDay!), iso(edOn('2026-06-01').day)]).toEqual(['2027-02-28', '2027-01-29']);
      // 2028 is leap: E = 2028-02-29, sent 30 days before (Jan 30).
      expect([iso(edOn('2027-06-01').eventDay!), iso(edOn('2027-06-01').day)]).toEqual(['2028-02-29', '2028-01-30']);
      // 2100 is common (divisible by 100, not by 400): Feb 28.
      expect(iso(edOn('2099-06-01').eventDay!)).toBe('2100-02-28');
    });

    it('sends a Feb 29 birthday email 14 days before Feb 29 in a leap year', () => {
      const context = world({ today: '2028-01-10', config: NO_AEP });
      const birthday = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { birthDate: '1992-02-29' }))), 'birthday');
      expect(iso(birthday.eventDay!)).toBe('2028-02-29');
      expect(iso(birthday.day)).toBe('2028-02-15');
    });
  });

  describe('when the next occurrence is taken', () => {
    it("counts an anniversary that falls today as the next one", () => {
      expect(next('1980-06-01', '2026-06-01')).toBe('2026-06-01');
      expect(next('1992-02-29', '2027-02-28')).toBe('2027-02-28');
      expect(next('1980-12-31', '2026-12-31')).toBe('2026-12-31');
    });

    it("takes next year's anniversary once this year's has passed", () => {
      expect(next('1980-05-31', '2026-06-01')).toBe('2027-05-31');
      expect(next('1992-02-29', '2027-03-01')).toBe('2028-02-29');
      expect(next('1980-01-01', '2026-12-31')).toBe('2027-01-01');
      expect(next('1980-06-02', '2026-06-01')).toBe('2026-06-02');
    });

    it('is this year’s anniversary when it is ≥ today, else next year’s, for any event and any today (property)', () => {
      fc.assert(
        fc.property(eventDateArb, todayArb, (eventDay, today) => {
          expect(refIso(nextAnniversary(eventDay, today)), `${refIso(eventDay)} on ${refIso(today)}`).toBe(refIso(ruleNext(eventDay, today)));
        }),
        { numRuns: RUNS },
      );
    });

    it('gives the birthday email next(birth_date) as its event, and the effective-date email the later of next(effective_date) and the effective date (property)', () => {
      fc.assert(
        fc.property(eventDateArb, eventDateArb, todayArb, (birthDay, effectiveDay, today) => {
          fc.pre(birthDay <= today);
          const contact = contactIn('IL', { birthDate: refIso(birthDay), effectiveDate: refIso(effectiveDay) });
          const emails = emailsFor(world({ today: refIso(today), config: NO_AEP }), inputsOf(contact));
          const label = `born ${refIso(birthDay)}, effective ${refIso(effectiveDay)}, on ${refIso(today)}`;
          expect(refIso(onlyOf(emails, 'birthday').eventDay!), label).toBe(refIso(ruleNext(birthDay, today)));
          const effectiveEvent = effectiveDay > ruleNext(effectiveDay, today) ? effectiveDay : ruleNext(effectiveDay, today);
          expect(refIso(onlyOf(emails, 'effective_date').eventDay!), label).toBe(refIso(effectiveEvent));
        }),
        { numRuns: RUNS },
      );
    });

    it('sends the email of a birthday falling today on that same day', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const birthday = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { birthDate: '1980-06-01' }))), 'birthday');
      expect(iso(birthday.eventDay!)).toBe('2026-06-01');
      // Ideal 2026-05-18 is past and the deadline is the event: today.
      expect(iso(birthday.day)).toBe('2026-06-01');
    });
  });

  describe('when the effective date is in the future', () => {
    it('is its own next occurrence when later than the next anniversary', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { effectiveDate: '2027-08-01' }))), 'effective_date');
      expect(iso(email.eventDay!)).toBe('2027-08-01');
      expect(iso(email.day)).toBe('2027-07-02');
    });

    it('stays on Feb 29 when the policy starts on a leap day', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { effectiveDate: '2028-02-29' }))), 'effective_date');
      expect(iso(email.eventDay!)).toBe('2028-02-29');
      expect(iso(email.day)).toBe('2028-01-30');
    });

    it('is the next occurrence when it falls later this year', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { effectiveDate: '2026-09-01' }))), 'effective_date');
      expect(iso(email.eventDay!)).toBe('2026-09-01');
      expect(iso(email.day)).toBe('2026-08-02');
    });
  });

  describe('when the effective date is in the past', () => {
    it('recurs on its anniversary', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const email = onlyOf(emailsFor(context, inputsOf(contactIn('IL', { effectiveDate: '2010-03-10' }))), 'effective_date');
      expect(iso(email.eventDay!)).toBe('2027-03-10');
      expect(iso(email.day)).toBe('2027-02-08');
    });
  });
});
