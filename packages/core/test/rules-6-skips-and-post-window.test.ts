import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE_RULES, scheduleOrganization } from '../src/index';
import { refDateOf, refEpochDay, refIso, refWindowHolding, type RefStateRule } from './support/reference';
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

/** Cases of the property below. */
const RUNS = 2000;

const WINDOW_STATES = ['CA', 'ID', 'KY', 'MD', 'NV', 'OK', 'OR', 'VA', 'MO'] as const;

describe('§6 skips and post-window emails', () => {
  describe('when a contact of a dated-window state is scheduled on any day', () => {
    it('sends exactly one pre-scheduled post_window email, E = its date, on the day after each window that holds a skipped email (property)', () => {
      /** A date in a past year near `center`, or (leapDay) Feb 29 of a leap year before it. */
      const dateNear = (center: number) =>
        fc.tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: -200, max: 200 }), fc.boolean()).map(([yearsBack, offset, leapDay]) => {
          const { year, month, day: dayOfMonth } = refDateOf(center + offset);
          return leapDay ? refEpochDay(year - (year % 4) - 4 * yearsBack, 2, 29) : refEpochDay(year - yearsBack, month, Math.min(dayOfMonth, 28));
        });
      const caseArb = fc.integer({ min: refEpochDay(2025, 1, 1), max: refEpochDay(2029, 12, 31) }).chain((todayDay) =>
        fc.record({
          todayDay: fc.constant(todayDay),
          state: fc.constantFrom(...WINDOW_STATES),
          birth: fc.option(dateNear(todayDay), { nil: null }),
          // Past effective dates, and future ones (a policy not yet in force).
          effective: fc.option(fc.oneof(dateNear(todayDay + 300), fc.integer({ min: todayDay, max: todayDay + 500 })), { nil: null }),
        }),
      );
      fc.assert(
        fc.property(caseArb, ({ todayDay, state, birth, effective }) => {
          const contact = contactIn(state, {
            birthDate: birth === null ? null : refIso(birth),
            effectiveDate: effective === null ? null : refIso(effective),
          });
          const emails = emailsFor(world({ today: refIso(todayDay) }), inputsOf(contact));
          const rule = DEFAULT_STATE_RULES[state] as RefStateRule;
          const windowOf = (d: number) =>
            refWindowHolding(rule, birth === null ? null : refDateOf(birth), effective === null ? null : refDateOf(effective), 60, d);
          const label = `${state} born ${birth === null ? '-' : refIso(birth)} effective ${effective === null ? '-' : refIso(effective)} on ${refIso(todayDay)}`;
          const expected = new Set<number>();
          for (const email of emails) {
            if (email.status !== 'skipped') continue;
            const window = windowOf(email.day);
            expect(window, `${label}: ${email.emailType} ${refIso(email.day)} skipped outside every window`).not.toBeNull();
            expected.add(window!.end + 1);
          }
          const postWindows = emails.filter((email) => email.emailType === 'post_window');
          expect(postWindows.map((email) => refIso(email.day)).sort(), label).toEqual([...expected].map(refIso).sort());
          for (const email of postWindows) {
            expect(email.eventDay, label).toBe(email.day);
            expect(email.status, label).toBe('pre-scheduled');
          }
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('when a candidate falls in its contact’s window', () => {
    it('keeps it at its date as skipped, with a reason', () => {
      const emails = emailsFor(world({ today: '2026-06-01', config: NO_AEP }), inputsOf(contactIn('CA', { birthDate: '1990-06-15' })));
      const birthday = onlyOf(emails, 'birthday');
      expect(iso(birthday.day)).toBe('2026-06-01');
      expect(birthday).toMatchObject({ status: 'skipped', skipCode: 'exclusion_window' });
      expect(birthday.skipReason).toMatch(/^exclusion_window: \S/);
    });
  });

  describe('when windows caused skips', () => {
    it('sends one post_window email for a window, however many emails it skipped', () => {
      const contact = contactIn('MO', { birthDate: '1970-07-04', effectiveDate: '2015-09-10' });
      const emails = emailsFor(world({ today: '2026-06-01' }), inputsOf(contact));
      expect(emails.filter((email) => email.status === 'skipped')).toHaveLength(3);
      const postWindow = onlyOf(emails, 'post_window');
      expect(iso(postWindow.day)).toBe('2026-10-14');
      expect(iso(postWindow.eventDay!)).toBe('2026-10-14');
      expect(postWindow).toMatchObject({ status: 'pre-scheduled', priority: 40, emailTemplate: 'post_window', smsTemplate: null });
    });

    it('sends one post_window email for each window that caused a skip', () => {
      // Birthday skipped in the 2026 window, effective-date email (2027-04-01) in the 2027 one.
      const contact = contactIn('CA', { birthDate: '1990-06-15', effectiveDate: '2000-05-01' });
      expect(linesOf(emailsFor(world({ today: '2026-06-01' }), inputsOf(contact)))).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'birthday 2026-06-01 skipped',
        'effective_date 2027-04-01 skipped',
        'post_window 2026-08-15 pre-scheduled',
        'post_window 2027-08-15 pre-scheduled',
      ]);
    });

    it('checks the post_window email against history like any other', () => {
      const contact = contactIn('CA', { birthDate: '1990-06-15' });
      const held = historyRow({ id: 8, emailType: 'post_window', status: 'scheduled', scheduled: '2026-08-15', event: '2026-08-15' });
      expect(linesOf(emailsFor(world({ today: '2026-06-01' }), inputsOf(contact, { history: [held] })))).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'birthday 2026-06-01 skipped',
      ]);
      const lastYear = historyRow({ id: 8, emailType: 'post_window', status: 'sent', scheduled: '2025-08-15', event: '2025-08-15' });
      expect(linesOf(emailsFor(world({ today: '2026-06-01' }), inputsOf(contact, { history: [lastYear] })))).toContain(
        'post_window 2026-08-15 pre-scheduled',
      );
    });

    it('dates a post_window email the day after the window’s last day', () => {
      // NV: window 2026-05-02..2026-08-30.
      const emails = emailsFor(world({ today: '2026-05-01', config: NO_AEP }), inputsOf(contactIn('NV', { birthDate: '1985-07-20' })));
      expect(onlyOf(emails, 'post_window').day).toBe(day('2026-08-30') + 1);
    });

    it('sends no post_window email for a year-round state', () => {
      const emails = emailsFor(world({ today: '2026-06-01' }), inputsOf(contactIn('NY', { birthDate: '1990-06-15' })));
      expect(linesOf(emails)).toEqual(['aep 2026-09-15 skipped', 'birthday 2026-06-01 skipped']);
    });
  });

  describe('when an email is skipped for another reason', () => {
    // MO contact whose effective-date email is already with the sender: its window
    // (2025-12-10..2026-04-12, then 2026-12-10..2027-04-12) holds none of the emails below.
    const contact = contactIn('MO', { birthDate: '1980-09-20', effectiveDate: '2015-03-10' });
    const edHeld = historyRow({ id: 1, emailType: 'effective_date', status: 'scheduled', scheduled: '2027-02-08', event: '2027-03-10' });

    it('sends no post_window email after a frequency-cap skip', () => {
      const context = world({
        today: '2026-09-01',
        config: { frequency: { max_emails_per_period: 2 } },
        campaignTypes: [campaignType('promo', { priority: 60 })],
        campaignInstances: [campaignInstance(1, 'promo')],
      });
      const result = scheduleOrganization(context, [inputsOf(contact, { history: [edHeld], targets: [target(1, '2026-09-25')] })], {
        contactRowCount: 1000,
      });
      expect(linesOf(result.emails)).toEqual([
        'aep 2026-09-15 pre-scheduled',
        'birthday 2026-09-06 pre-scheduled',
        'campaign_promo 2026-09-25 skipped',
      ]);
      expect(onlyOf(result.emails, 'campaign_promo').skipCode).toBe('frequency_cap');
    });

    it('sends no post_window email after a skipped follow-up', () => {
      // CA: the window around the birthday runs 2026-05-16..2026-08-14, and the birthday email was sent in it.
      const sentBirthday = historyRow({ id: 5, emailType: 'birthday', status: 'sent', scheduled: '2026-06-01', event: '2026-06-15' });
      const emails = emailsFor(world({ today: '2026-06-03', config: NO_AEP }), inputsOf(contactIn('CA', { birthDate: '1990-06-15' }), { history: [sentBirthday] }));
      expect(linesOf(emails)).toEqual(['followup_1_cold 2026-06-03 skipped']);
    });

    it('sends no post_window email after a campaign-conflict skip', () => {
      const context = world({
        today: '2026-09-01',
        config: NO_AEP,
        campaignTypes: [campaignType('alpha', { priority: 5 }), campaignType('beta', { priority: 6 })],
        campaignInstances: [campaignInstance(1, 'alpha'), campaignInstance(2, 'beta')],
      });
      const emails = emailsFor(context, inputsOf(contact, { history: [edHeld], targets: [target(1, '2026-09-25'), target(2, '2026-09-25')] }));
      expect(linesOf(emails)).toEqual([
        'birthday 2026-09-06 pre-scheduled',
        'campaign_alpha 2026-09-25 pre-scheduled',
        'campaign_beta 2026-09-25 skipped',
      ]);
      expect(onlyOf(emails, 'campaign_beta').skipCode).toBe('campaign_conflict');
    });
  });
});
