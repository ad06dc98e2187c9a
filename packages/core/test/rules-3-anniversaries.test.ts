import { describe, expect, it } from 'vitest';
import { anniversaryOf, nextAnniversary } from '../src/index';
import { contactIn, day, emailsFor, inputsOf, iso, NO_AEP, onlyOf, world } from './support/world';

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
