import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contactUsability, scheduleContact, scheduleOrganization, zip5Of, type ContactRecord } from '../src/index';
import { contactIn, emailsFor, fakeZipLookup, inputsOf, iso, linesOf, NO_AEP, world } from './support/world';

const EMAIL_CASES = 3000;
const usable = (fields: Partial<ContactRecord>): ContactRecord => ({ ...contactIn('IL'), ...fields });
const reasonOf = (fields: Partial<ContactRecord>): string => {
  const usability = contactUsability(usable(fields), fakeZipLookup);
  return usability.usable ? `usable in ${usability.state}` : usability.reason;
};

describe('§2 contacts', () => {
  describe('when the email is missing', () => {
    it('counts null, empty and whitespace-only emails as missing_email', () => {
      for (const email of [null, '', ' ', '   ', '\t\n']) expect(reasonOf({ email }), JSON.stringify(email)).toBe('missing_email');
    });
  });

  describe('when the email is malformed', () => {
    it('needs one @, no whitespace and a dot in the domain', () => {
      for (const email of ['a.example.com', 'a@@example.com', 'a@b@example.com', 'a@example', 'a b@example.com', '@example.com', 'a@', 'a@.com']) {
        expect(reasonOf({ email }), email).toBe('invalid_email');
      }
      for (const email of ['a@b.co', 'first.last+tag@mail.example.org']) expect(reasonOf({ email }), email).toBe('usable in IL');
    });

    it('reads an email exactly as RULES.md §2 pattern does, whatever the characters', () => {
      const pattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
      const characters = ['a', 'Z', '0', '.', '@', '+', '-', ' ', '\t', '\n', '\u00a0', '\u2003', '\u3000', '\ufeff', 'é', '🎂'];
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...characters), { maxLength: 12 }), (parts) => {
          const email = parts.join('');
          const expected = email.trim() === '' ? 'missing_email' : pattern.test(email) ? 'usable in IL' : 'invalid_email';
          expect(reasonOf({ email }), JSON.stringify(email)).toBe(expected);
        }),
        { numRuns: EMAIL_CASES },
      );
    });

    it('does not trim the email: surrounding spaces make it invalid_email', () => {
      expect(reasonOf({ email: ' a@example.com' })).toBe('invalid_email');
      expect(reasonOf({ email: 'a@example.com ' })).toBe('invalid_email');
    });
  });

  describe('when the ZIP is missing or malformed', () => {
    it('counts null, empty and whitespace-only ZIPs as missing_zip', () => {
      for (const zipCode of [null, '', '  ']) expect(reasonOf({ zipCode }), JSON.stringify(zipCode)).toBe('missing_zip');
    });

    it('counts a ZIP in none of the forms NNNNN, NNNNN-NNNN, NNNNNNNNN as unknown_zip', () => {
      for (const zipCode of ['90210-123', '902101', '9021012345', '90210-12345', ' 90210', '90210 ', '90210 1234', '90-210', 'ABCDE', '902', '90210-']) {
        expect(reasonOf({ zipCode }), zipCode).toBe('unknown_zip');
      }
    });

    it('counts a well-formed ZIP with no state in the data set as unknown_zip', () => {
      expect(reasonOf({ zipCode: '12345' })).toBe('unknown_zip');
    });
  });

  describe('when the ZIP is well formed', () => {
    it('reads NNNNN, NNNNN-NNNN and NNNNNNNNN by their first five digits', () => {
      expect(reasonOf({ zipCode: '90210' })).toBe('usable in CA');
      expect(reasonOf({ zipCode: '90210-1234' })).toBe('usable in CA');
      expect(reasonOf({ zipCode: '902101234' })).toBe('usable in CA');
      expect(zip5Of('90210-1234')).toBe(90210);
      expect(zip5Of('902101234')).toBe(90210);
    });

    it('left-pads a 4-digit ZIP with a zero, as spreadsheets drop it', () => {
      expect(zip5Of('2108')).toBe(2108);
      expect(reasonOf({ zipCode: '2108' })).toBe('usable in MA');
      expect(reasonOf({ zipCode: '6103' })).toBe('usable in CT');
      expect(reasonOf({ zipCode: '02108' })).toBe('usable in MA');
    });

    it('pads only 4-digit ZIPs: a 4-digit ZIP+4 is malformed', () => {
      expect(zip5Of('2108-1234')).toBeNull();
      expect(reasonOf({ zipCode: '2108-1234' })).toBe('unknown_zip');
    });
  });

  describe('when several reasons apply', () => {
    it('counts only the first, in the order missing_email, invalid_email, missing_zip, unknown_zip', () => {
      expect(reasonOf({ email: null, zipCode: null })).toBe('missing_email');
      expect(reasonOf({ email: '  ', zipCode: 'junk' })).toBe('missing_email');
      expect(reasonOf({ email: 'nope', zipCode: null })).toBe('invalid_email');
      expect(reasonOf({ email: 'nope', zipCode: 'junk' })).toBe('invalid_email');
      expect(reasonOf({ zipCode: ' ' })).toBe('missing_zip');
      expect(reasonOf({ zipCode: 'junk' })).toBe('unknown_zip');
    });
  });

  describe('when a contact is scheduled', () => {
    it('is usable, with the same state and disagreement, exactly when contactUsability says so, or unusable for its reason', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const emailArb = fc.oneof(
        fc.constantFrom(null, 'c1@example.com', 'nope', ' c1@example.com'),
        fc.array(fc.constantFrom('a', '.', '@', ' ', '\t', '\u3000'), { maxLength: 6 }).map((parts) => parts.join('')),
      );
      const zipArb = fc.oneof(
        fc.constantFrom(null, '60601', '90210-1234', '902101234', '2108', '12345', '2108-1234'),
        fc.array(fc.constantFrom('6', '0', '1', '-', ' ', '\t'), { maxLength: 10 }).map((parts) => parts.join('')),
      );
      const stateArb = fc.constantFrom(null, '', ' ', 'IL', 'il ', 'NY');
      fc.assert(
        fc.property(emailArb, zipArb, stateArb, (email, zipCode, state) => {
          const contact = usable({ email, zipCode, state });
          const usability = contactUsability(contact, fakeZipLookup);
          const outcome = scheduleContact(context, inputsOf(contact));
          expect(outcome).toMatchObject(usability);
        }),
        { numRuns: EMAIL_CASES },
      );
    });
  });

  describe('when a contact is unusable', () => {
    it('gets no rows at all', () => {
      const context = world({ today: '2026-06-01' });
      const bad = { ...contactIn('IL', { id: 2, birthDate: '1980-07-20' }), email: 'not an email' };
      const good = contactIn('IL', { id: 1, birthDate: '1980-07-20' });
      const result = scheduleOrganization(context, [inputsOf(good), inputsOf(bad)]);
      expect(result.outcomes.find((outcome) => outcome.contactId === 2)).toEqual({ usable: false, contactId: 2, reason: 'invalid_email' });
      expect(result.emails.filter((email) => email.contactId === 2)).toEqual([]);
      expect(result.emails.filter((email) => email.contactId === 1).length).toBeGreaterThan(0);
    });
  });

  describe('when the ZIP maps to a state', () => {
    it('takes the state from the ZIP and ignores contacts.state, counting the disagreement', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      // contacts.state says NY (year-round), the ZIP says IL (no rule): IL decides.
      const outcome = scheduleContact(context, inputsOf(contactIn('IL', { state: 'NY', birthDate: '1980-07-20' })));
      expect(outcome).toMatchObject({ usable: true, state: 'IL', stateDisagrees: true });
      expect(outcome.usable && linesOf(outcome.emails)).toEqual(['birthday 2026-07-06 pre-scheduled']);
    });

    it('applies the rule of the ZIP state even when contacts.state names a state without one', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const outcome = scheduleContact(context, inputsOf(contactIn('NY', { state: 'IL', birthDate: '1980-07-20' })));
      expect(outcome).toMatchObject({ usable: true, state: 'NY', stateDisagrees: true });
      expect(outcome.usable && outcome.emails.map((email) => email.skipCode)).toEqual(['year_round']);
    });

    it('counts no disagreement when contacts.state agrees or is empty', () => {
      expect(contactUsability(contactIn('IL', { state: 'IL' }), fakeZipLookup)).toEqual({ usable: true, state: 'IL', stateDisagrees: false });
      expect(contactUsability(contactIn('IL', { state: null }), fakeZipLookup)).toEqual({ usable: true, state: 'IL', stateDisagrees: false });
    });

    it('counts a disagreement only when contacts.state, trimmed and upper-cased, names another state; null and blank never count', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const disagrees = (state: string | null): boolean => {
        const outcome = scheduleContact(context, inputsOf(contactIn('IL', { state })));
        if (!outcome.usable) throw new Error(`contact is unusable: ${outcome.reason}`);
        return outcome.stateDisagrees;
      };
      for (const state of [null, '', ' ', '\t\n ']) expect(disagrees(state), `blank ${JSON.stringify(state)}`).toBe(false);
      for (const state of ['IL', 'il', ' il', 'Il ', '\tIL\n']) expect(disagrees(state), `IL spelled ${JSON.stringify(state)}`).toBe(false);
      for (const state of ['NY', ' ny ', 'ILL', 'I L', 'Illinois']) expect(disagrees(state), `other ${JSON.stringify(state)}`).toBe(true);
    });

    it('takes any code the data set gives (DC, PR, AE, AP) as the state, with a rule only when state_rules names it', () => {
      for (const state of ['DC', 'PR', 'AE', 'AP']) {
        const context = world({ today: '2026-06-01', config: NO_AEP });
        const outcome = scheduleContact(context, inputsOf(contactIn(state, { birthDate: '1980-07-20' })));
        expect(outcome).toMatchObject({ usable: true, state, exclusion: null });
        expect(outcome.usable && linesOf(outcome.emails)).toEqual(['birthday 2026-07-06 pre-scheduled']);
      }
      const ruled = world({ today: '2026-06-01', config: { ...NO_AEP, state_rules: { AE: { kind: 'year_round' } } } });
      const emails = emailsFor(ruled, inputsOf(contactIn('AE', { birthDate: '1980-07-20' })));
      expect(linesOf(emails)).toEqual(['birthday 2026-07-06 skipped']);
    });
  });

  describe('when a birth or effective date is not a real calendar date', () => {
    it('counts 1990-02-30 as invalid_birth_date and still schedules the rest', () => {
      const context = world({ today: '2026-06-01' });
      const outcome = scheduleContact(context, inputsOf(contactIn('IL', { birthDate: '1990-02-30', effectiveDate: '2010-07-15' })));
      expect(outcome).toMatchObject({ usable: true, badDates: ['invalid_birth_date'] });
      expect(outcome.usable && linesOf(outcome.emails)).toEqual(['aep 2026-09-15 pre-scheduled', 'effective_date 2026-06-15 pre-scheduled']);
    });

    it('takes 1969-12-31, day −1, as a real date (regression: −1 once marked a bad date)', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const outcome = scheduleContact(context, inputsOf(contactIn('IL', { birthDate: '1969-12-31', effectiveDate: '1969-12-31' })));
      expect(outcome).toMatchObject({ usable: true, badDates: [] });
      expect(outcome.usable && linesOf(outcome.emails)).toEqual(['birthday 2026-12-17 pre-scheduled', 'effective_date 2026-12-01 pre-scheduled']);
    });

    it('counts a birth date after today as invalid_birth_date', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const outcome = scheduleContact(context, inputsOf(contactIn('IL', { birthDate: '2026-06-02', effectiveDate: '2010-07-15' })));
      expect(outcome).toMatchObject({ usable: true, badDates: ['invalid_birth_date'] });
      expect(outcome.usable && linesOf(outcome.emails)).toEqual(['effective_date 2026-06-15 pre-scheduled']);
    });

    it('treats a birth date after today as missing: it anchors no birthday window', () => {
      // Read as a birth date, 2026-06-02 would put 2026-03-04..2026-08-01 under CA's window, and the
      // effective-date email of 2026-06-15 in it.
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const outcome = scheduleContact(context, inputsOf(contactIn('CA', { birthDate: '2026-06-02', effectiveDate: '2010-07-15' })));
      expect(outcome).toMatchObject({ usable: true, badDates: ['invalid_birth_date'], exclusion: null });
      expect(outcome.usable && linesOf(outcome.emails)).toEqual(['effective_date 2026-06-15 pre-scheduled']);
    });

    it('accepts a birth date of today', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const outcome = scheduleContact(context, inputsOf(contactIn('IL', { birthDate: '2026-06-01' })));
      expect(outcome).toMatchObject({ usable: true, badDates: [] });
      // Its birthday is today: the email is late, and due by today.
      expect(outcome.usable && linesOf(outcome.emails)).toEqual(['birthday 2026-06-01 pre-scheduled']);
    });

    it('counts an effective date that is not strict YYYY-MM-DD as invalid_effective_date and still schedules the rest', () => {
      for (const effectiveDate of ['2021-02-29', '2010-7-15', '07/15/2010', '2010-07-15T00:00:00']) {
        const context = world({ today: '2026-06-01', config: NO_AEP });
        const outcome = scheduleContact(context, inputsOf(contactIn('IL', { birthDate: '1980-07-20', effectiveDate })));
        expect(outcome, effectiveDate).toMatchObject({ usable: true, badDates: ['invalid_effective_date'] });
        expect(outcome.usable && linesOf(outcome.emails)).toEqual(['birthday 2026-07-06 pre-scheduled']);
      }
    });

    it('counts an effective date past 9979-12-31 as invalid_effective_date: its windows would reach year 10000, which YYYY-MM-DD cannot hold', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const latest = scheduleContact(context, inputsOf(contactIn('MO', { birthDate: '1980-07-20', effectiveDate: '9979-12-31' })));
      expect(latest).toMatchObject({ usable: true, badDates: [] });
      expect(latest.usable && latest.emails.every((email) => iso(email.day) <= '9999-12-31' && iso(email.day).length === 10)).toBe(true);
      for (const effectiveDate of ['9980-01-01', '9999-12-31']) {
        const outcome = scheduleContact(context, inputsOf(contactIn('MO', { birthDate: '1980-07-20', effectiveDate })));
        expect(outcome, effectiveDate).toMatchObject({ usable: true, badDates: ['invalid_effective_date'] });
        expect(outcome.usable && linesOf(outcome.emails)).toEqual(['birthday 2026-07-06 pre-scheduled']);
      }
    });

    it('counts both reasons when both dates are bad', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const outcome = scheduleContact(context, inputsOf(contactIn('IL', { birthDate: '1990-13-01', effectiveDate: '2010-02-30' })));
      expect(outcome).toMatchObject({ usable: true, badDates: ['invalid_birth_date', 'invalid_effective_date'], emails: [] });
    });

    it('treats blank dates as simply missing, without counting them', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const outcome = scheduleContact(context, inputsOf(contactIn('IL', { birthDate: '', effectiveDate: '   ' })));
      expect(outcome).toMatchObject({ usable: true, badDates: [], emails: [] });
    });

    it('counts bad dates of usable contacts only', () => {
      const context = world({ today: '2026-06-01' });
      const outcome = scheduleContact(context, inputsOf(contactIn('IL', { email: null, birthDate: '1990-02-30' })));
      expect(outcome).toEqual({ usable: false, contactId: 1, reason: 'missing_email' });
    });
  });
});
