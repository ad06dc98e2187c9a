import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a, followupTypeOf, NO_DAY, type Behaviour, type CampaignInstance, type ConfigInput, type HistoryEmail } from '../src/index';
import {
  behaviourOn,
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
  world,
} from './support/world';

const TODAY = '2026-06-10';

/** An initial email the sender sent on `sent`. */
const sentEmail = (id: number, emailType: string, sent: string, fields: Partial<HistoryEmail> = {}): HistoryEmail => ({
  ...historyRow({ id, emailType, status: 'sent', scheduled: sent, event: sent }),
  ...fields,
});

const followupWorld = (config: ConfigInput = {}, instances: CampaignInstance[] = [campaignInstance(12, 'promo')]) =>
  world({
    today: TODAY,
    config: { ...NO_AEP, ...config },
    campaignTypes: [
      campaignType('promo', { priority: 7 }),
      campaignType('quiet', { enableFollowups: false }),
    ],
    campaignInstances: instances,
  });

const followupsAfter = (history: HistoryEmail[], behaviour: Behaviour[] = [], config: ConfigInput = {}) =>
  emailsFor(followupWorld(config), inputsOf(contactIn('IL', { id: 1 }), { history, behaviour }));

describe('§8 follow-ups', () => {
  describe('when the type is chosen from behaviour since the initial email was sent', () => {
    const initial = sentEmail(100, 'birthday', '2026-06-09', { eventDay: null });
    const typeAfter = (behaviour: Behaviour[]): string => {
      const emails = followupsAfter([initial], behaviour);
      expect(emails).toHaveLength(1);
      return emails[0]!.emailType;
    };

    it('is followup_1_cold without any behaviour', () => {
      expect(typeAfter([])).toBe('followup_1_cold');
    });

    it('is followup_2_clicked_no_hq after a click', () => {
      expect(typeAfter([behaviourOn('click', '2026-06-09')])).toBe('followup_2_clicked_no_hq');
    });

    it('is followup_3_hq_no_yes after an eligibility answer without conditions', () => {
      expect(typeAfter([behaviourOn('answered_no_conditions', '2026-06-10')])).toBe('followup_3_hq_no_yes');
      expect(typeAfter([behaviourOn('click', '2026-06-09'), behaviourOn('answered_no_conditions', '2026-06-10')])).toBe('followup_3_hq_no_yes');
    });

    it('is followup_4_hq_with_yes after an answer with medical conditions, whatever else happened', () => {
      expect(typeAfter([behaviourOn('answered_with_conditions', '2026-06-09')])).toBe('followup_4_hq_with_yes');
      expect(
        typeAfter([
          behaviourOn('click', '2026-06-09'),
          behaviourOn('answered_no_conditions', '2026-06-10'),
          behaviourOn('answered_with_conditions', '2026-06-09'),
        ]),
      ).toBe('followup_4_hq_with_yes');
    });

    it('ignores behaviour dated before the sent day or after today', () => {
      expect(typeAfter([behaviourOn('click', '2026-06-08')])).toBe('followup_1_cold');
      expect(typeAfter([behaviourOn('answered_with_conditions', '2026-06-08'), behaviourOn('click', '2026-06-11')])).toBe('followup_1_cold');
    });

    it('counts behaviour on the sent day and on today', () => {
      expect(typeAfter([behaviourOn('click', '2026-06-09')])).toBe('followup_2_clicked_no_hq');
      expect(typeAfter([behaviourOn('click', '2026-06-10')])).toBe('followup_2_clicked_no_hq');
    });

    it('counts exactly the behaviour dated from the sent day to today, both inclusive (property)', () => {
      // RULES.md §8, from its text: conditions → 4, else an answer → 3, else a click → 2, else 1; behaviour counts
      // when its day d has sent ≤ d ≤ today.
      const today = day(TODAY);
      const kinds = ['click', 'answered_no_conditions', 'answered_with_conditions'] as const;
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 35 }),
          fc.array(fc.record({ kind: fc.constantFrom(...kinds), offset: fc.integer({ min: -40, max: 5 }) }), { maxLength: 4 }),
          (daysAgo, events) => {
            const sent = today - daysAgo;
            const behaviour = events.map((event) => ({ kind: event.kind, day: today + event.offset }));
            const counted = new Set(behaviour.filter((event) => event.day >= sent && event.day <= today).map((event) => event.kind));
            const expected = counted.has('answered_with_conditions')
              ? 'followup_4_hq_with_yes'
              : counted.has('answered_no_conditions')
                ? 'followup_3_hq_no_yes'
                : counted.has('click')
                  ? 'followup_2_clicked_no_hq'
                  : 'followup_1_cold';
            const emails = followupsAfter([sentEmail(100, 'aep', iso(sent))], behaviour);
            expect(emails.map((email) => email.emailType)).toEqual([expected]);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('ranks the behaviour as conditions, then answered, then clicked, then cold', () => {
      const none = { clicked: false, answered: false, hasConditions: false };
      expect(followupTypeOf(none)).toBe('followup_1_cold');
      expect(followupTypeOf({ ...none, clicked: true })).toBe('followup_2_clicked_no_hq');
      expect(followupTypeOf({ ...none, clicked: true, answered: true })).toBe('followup_3_hq_no_yes');
      expect(followupTypeOf({ clicked: true, answered: true, hasConditions: true })).toBe('followup_4_hq_with_yes');
    });
  });

  describe('when initial emails are looked for', () => {
    it('follows up sent birthday, effective_date, aep and post_window emails', () => {
      for (const type of ['birthday', 'effective_date', 'aep', 'post_window']) {
        expect(linesOf(followupsAfter([sentEmail(100, type, '2026-06-09')])), type).toEqual(['followup_1_cold 2026-06-11 pre-scheduled']);
      }
    });

    it('follows up campaign emails only when their type has enable_followups', () => {
      expect(linesOf(followupsAfter([sentEmail(100, 'campaign_promo', '2026-06-09', { campaignInstanceId: 12 })]))).toEqual([
        'followup_1_cold 2026-06-11 pre-scheduled',
      ]);
      expect(followupsAfter([sentEmail(100, 'campaign_quiet', '2026-06-09')])).toEqual([]);
      expect(followupsAfter([sentEmail(100, 'campaign_unknown', '2026-06-09')])).toEqual([]);
    });

    it('does not follow up a follow-up', () => {
      expect(followupsAfter([sentEmail(100, 'followup_1_cold', '2026-06-09', { initialEmailId: 50 })])).toEqual([]);
    });

    it('takes sent and delivered rows only', () => {
      expect(followupsAfter([{ ...sentEmail(100, 'aep', '2026-06-09'), status: 'delivered' }])).toHaveLength(1);
      // `other`: a status the contract does not name (RULES.md §8 names sent and delivered only).
      for (const status of ['scheduled', 'processing', 'failed', 'other'] as const) {
        expect(followupsAfter([{ ...sentEmail(100, 'aep', '2026-06-09'), status }]), status).toEqual([]);
      }
    });

    it('looks back followup_lookback_days (35) days, inclusive', () => {
      expect(linesOf(followupsAfter([sentEmail(100, 'aep', '2026-05-06')]))).toEqual(['followup_1_cold 2026-06-11 pre-scheduled']);
      expect(followupsAfter([sentEmail(100, 'aep', '2026-05-05')])).toEqual([]);
    });

    it('takes the look-back from the configuration', () => {
      const config = { timing: { followup_lookback_days: 10 } };
      expect(followupsAfter([sentEmail(100, 'aep', '2026-05-31')], [], config)).toHaveLength(1);
      expect(followupsAfter([sentEmail(100, 'aep', '2026-05-30')], [], config)).toEqual([]);
    });
  });

  describe('when the follow-up is dated', () => {
    const dateAfter = (sent: string, config: ConfigInput = {}): string => iso(followupsAfter([sentEmail(100, 'aep', sent)], [], config)[0]!.day);

    it('goes followup_delay_days (2) after the sent day', () => {
      expect(dateAfter('2026-06-09')).toBe('2026-06-11');
      expect(dateAfter('2026-06-10')).toBe('2026-06-12');
      expect(dateAfter('2026-06-08')).toBe('2026-06-10');
      expect(dateAfter('2026-06-09', { timing: { followup_delay_days: 5 } })).toBe('2026-06-14');
      expect(dateAfter('2026-06-10', { timing: { followup_delay_days: 0 } })).toBe('2026-06-10');
    });

    it('goes tomorrow when that day is before today, without catch-up spreading', () => {
      expect(dateAfter('2026-06-07')).toBe('2026-06-11');
      expect(dateAfter('2026-05-20')).toBe('2026-06-11');
      expect(dateAfter('2026-05-06')).toBe('2026-06-11');
    });

    it('goes on sent day + delay, or tomorrow when that is before today, for any sent day within the look-back (property)', () => {
      // RULES.md §8, from its text: an initial email sent on s with today − lookback ≤ s ≤ today gets one
      // follow-up on s + delay, or on today + 1 when s + delay < today; one sent earlier or later gets none.
      const today = day(TODAY);
      fc.assert(
        fc.property(
          fc.integer({ min: -3, max: 45 }),
          fc.integer({ min: 0, max: 6 }),
          fc.integer({ min: 1, max: 40 }),
          (daysAgo, delay, lookback) => {
            const sent = today - daysAgo;
            const emails = followupsAfter([sentEmail(100, 'aep', iso(sent))], [], {
              timing: { followup_delay_days: delay, followup_lookback_days: lookback },
            });
            const expected = daysAgo < 0 || daysAgo > lookback ? [] : [iso(sent + delay < today ? today + 1 : sent + delay)];
            expect(emails.map((email) => iso(email.day))).toEqual(expected);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('has no deadline', () => {
      expect(followupsAfter([sentEmail(100, 'aep', '2026-06-09')])[0]!.deadline).toBe(NO_DAY);
    });
  });

  describe('when a follow-up of the initial email already exists', () => {
    it('produces none when the sender holds one, of whatever type and status', () => {
      // "outside pre-scheduled/skipped": `other` is a status the contract does not name.
      for (const status of ['scheduled', 'processing', 'sent', 'delivered', 'failed', 'other'] as const) {
        const existing = historyRow({ id: 200, emailType: 'followup_2_clicked_no_hq', status, scheduled: '2026-06-11', initialEmailId: 100 });
        expect(followupsAfter([sentEmail(100, 'aep', '2026-06-09'), existing]), status).toEqual([]);
      }
    });

    it('still follows up an initial email whose follow-up does not exist yet', () => {
      const otherFollowup = historyRow({ id: 200, emailType: 'followup_1_cold', status: 'sent', scheduled: '2026-05-20', initialEmailId: 99 });
      const emails = followupsAfter([sentEmail(100, 'aep', '2026-06-09'), otherFollowup]);
      expect(JSON.parse(onlyOf(emails, 'followup_1_cold').metadata!)).toMatchObject({ initial_email_id: 100 });
    });
  });

  describe('when the initial email belongs to a campaign', () => {
    it('takes priority and campaign_instance_id from the parent campaign', () => {
      const emails = followupsAfter([sentEmail(100, 'campaign_promo', '2026-06-09', { campaignInstanceId: 12 })]);
      expect(emails[0]).toMatchObject({ priority: 7, campaignInstanceId: 12 });
    });

    it('takes the follow-up default priority and no instance otherwise', () => {
      expect(followupsAfter([sentEmail(100, 'aep', '2026-06-09')])[0]).toMatchObject({ priority: 50, campaignInstanceId: null });
      expect(followupsAfter([sentEmail(100, 'aep', '2026-06-09')], [], { priorities: { followup: 45 } })[0]!.priority).toBe(45);
    });
  });

  describe('when templates are chosen', () => {
    const config: ConfigInput = { templates: { followup_1_cold: { email: 'cold_v2', sms: 'cold_sms_v2' } } };
    const templatesWith = (metadata: object | null, configured: ConfigInput = config, instance: Partial<CampaignInstance> = {}) => {
      const context = followupWorld(configured, [
        campaignInstance(12, 'promo', { metadata: metadata === null ? null : JSON.stringify(metadata), ...instance }),
      ]);
      const initial = sentEmail(100, 'campaign_promo', '2026-06-09', { campaignInstanceId: 12 });
      const [email] = emailsFor(context, inputsOf(contactIn('IL'), { history: [initial] }));
      return [email!.emailTemplate, email!.smsTemplate];
    };

    it('uses the configured follow-up templates', () => {
      expect(templatesWith(null)).toEqual(['cold_v2', 'cold_sms_v2']);
    });

    it('falls back to the email type and no SMS without configuration', () => {
      expect(templatesWith(null, {})).toEqual(['followup_1_cold', null]);
    });

    it('lets the parent instance metadata override the email and the SMS template each on its own', () => {
      expect(templatesWith({ followup_email_template: 'promo_fu' })).toEqual(['promo_fu', 'cold_sms_v2']);
      expect(templatesWith({ followup_sms_template: 'promo_fu_sms' })).toEqual(['cold_v2', 'promo_fu_sms']);
      expect(templatesWith({ followup_email_template: 'promo_fu', followup_sms_template: 'promo_fu_sms' })).toEqual(['promo_fu', 'promo_fu_sms']);
    });

    it('does not let a null metadata value override', () => {
      expect(templatesWith({ followup_email_template: null, followup_sms_template: null })).toEqual(['cold_v2', 'cold_sms_v2']);
      expect(templatesWith({ followup_email_template: null, followup_sms_template: 'promo_fu_sms' })).toEqual(['cold_v2', 'promo_fu_sms']);
    });

    it('reads the metadata of a parent instance that has ended', () => {
      expect(templatesWith({ followup_email_template: 'promo_fu' }, config, { activeEndDate: '2026-05-31' })).toEqual(['promo_fu', 'cold_sms_v2']);
    });
  });

  describe('when the follow-up is recorded', () => {
    it("records the initial email's id and type and the behaviour in metadata, and carries its event date", () => {
      const initial = historyRow({ id: 100, emailType: 'birthday', status: 'sent', scheduled: '2026-06-08', event: '2026-06-22' });
      const cold = followupsAfter([initial])[0]!;
      expect(JSON.parse(cold.metadata!)).toMatchObject({ initial_email_id: 100, initial_email_type: 'birthday' });
      expect(iso(cold.eventDay!)).toBe('2026-06-22');
      const clicked = followupsAfter([initial], [behaviourOn('click', '2026-06-09')])[0]!;
      expect(JSON.parse(clicked.metadata!).behaviour).toBeDefined();
      expect(JSON.parse(clicked.metadata!).behaviour).not.toEqual(JSON.parse(cold.metadata!).behaviour);
    });

    it('is keyed contact_id|email_type|initial_email_id', () => {
      const email = followupsAfter([sentEmail(100, 'aep', '2026-06-09')])[0]!;
      expect(email.keyHash).toBe(fnv1a('1|followup_1_cold|100'));
    });
  });

  describe('when two follow-ups of one type fall on one day', () => {
    it('keeps the one with the lower priority number', () => {
      const emails = followupsAfter([
        sentEmail(100, 'birthday', '2026-06-09'),
        sentEmail(101, 'campaign_promo', '2026-06-09', { campaignInstanceId: 12 }),
      ]);
      expect(linesOf(emails)).toEqual(['followup_1_cold 2026-06-11 pre-scheduled']);
      expect(emails[0]).toMatchObject({ priority: 7, campaignInstanceId: 12 });
    });

    it('keeps the lower initial email id on equal priority', () => {
      const emails = followupsAfter([sentEmail(101, 'post_window', '2026-06-09'), sentEmail(100, 'aep', '2026-06-09')]);
      expect(linesOf(emails)).toEqual(['followup_1_cold 2026-06-11 pre-scheduled']);
      expect(JSON.parse(emails[0]!.metadata!)).toMatchObject({ initial_email_id: 100 });
    });

    it('keeps both when their types differ', () => {
      // A click on 2026-06-06 follows the 2026-06-05 email but not the 2026-06-07 one.
      const emails = followupsAfter(
        [sentEmail(100, 'aep', '2026-06-05'), sentEmail(101, 'post_window', '2026-06-07')],
        [behaviourOn('click', '2026-06-06')],
      );
      expect(linesOf(emails)).toEqual(['followup_1_cold 2026-06-11 pre-scheduled', 'followup_2_clicked_no_hq 2026-06-11 pre-scheduled']);
    });
  });
});
