/**
 * Random organizations for the property tests: contacts across window,
 * year-round and rule-less states (and some unusable ones), birth and
 * effective dates around today (Feb 29 and malformed ones included), campaigns,
 * targets, history, behaviour, existing day counts and a configuration within
 * sane bounds whose daily cap is often tiny, so that balancing moves emails.
 */
import fc from 'fast-check';
import {
  SENDER_STATUSES,
  type Behaviour,
  type CampaignInstance,
  type CampaignType,
  type ConfigInput,
  type ContactInputs,
  type ExistingDayCount,
  type HistoryEmail,
} from '../../src/index';
import { refEpochDay, refIso } from './reference';
import { ZIP_OF } from './world';

const STATES = ['IL', 'TX', 'DC', 'AE', 'CA', 'NV', 'MO', 'KY', 'ID', 'OR', 'NY', 'WA', 'CT'] as const;
const CAMPAIGN_NAMES = ['alpha', 'beta', 'gamma'] as const;
const HISTORY_TYPES = ['birthday', 'effective_date', 'aep', 'post_window', 'campaign_alpha', 'campaign_beta', 'followup_1_cold', 'followup_2_clicked_no_hq'];

export interface GeneratedOrganization {
  readonly today: number;
  readonly config: ConfigInput;
  readonly campaignTypes: CampaignType[];
  readonly campaignInstances: CampaignInstance[];
  readonly contacts: ContactInputs[];
  /** Rows of `contacts` beyond the generated ones (N of RULES.md §9). */
  readonly extraContactRows: number;
  readonly existing: [number, ExistingDayCount][];
}

const dateText = (from: number, to: number) => fc.integer({ min: from, max: to }).map(refIso);

const ruleArb = fc.oneof(
  fc.record({
    kind: fc.constantFrom('birthday_window' as const, 'effective_date_window' as const),
    before: fc.integer({ min: 0, max: 60 }),
    after: fc.integer({ min: 0, max: 90 }),
    use_month_start: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('year_round' as const) }),
  fc.record({ kind: fc.constant('year_round_from_age' as const), min_age: fc.integer({ min: 20, max: 90 }) }),
);

const configArb: fc.Arbitrary<ConfigInput> = fc.record({
  timing: fc.record({
    birthday_email_days_before: fc.integer({ min: 0, max: 30 }),
    effective_date_days_before: fc.integer({ min: 0, max: 60 }),
    pre_window_exclusion_days: fc.integer({ min: 0, max: 90 }),
    followup_delay_days: fc.integer({ min: 0, max: 5 }),
    followup_lookback_days: fc.integer({ min: 0, max: 60 }),
  }),
  aep: fc.record({
    dates: fc.subarray([
      { month: 9, day: 15 },
      { month: 2, day: 29 },
      { month: 12, day: 31 },
      { month: 1, day: 1 },
    ]),
    years: fc.option(fc.subarray([2024, 2025, 2026, 2027, 2028, 2029, 2030, 2031]), { nil: null }),
  }),
  frequency: fc.record({
    max_emails_per_period: fc.integer({ min: 1, max: 4 }),
    period_days: fc.integer({ min: 1, max: 45 }),
  }),
  load_balancing: fc.record({
    daily_send_percentage_cap: fc.constantFrom(0.005, 0.02, 0.07, 0.3),
    ed_daily_soft_limit: fc.integer({ min: 0, max: 15 }),
    ed_smoothing_window_days: fc.integer({ min: 1, max: 7 }),
    catch_up_spread_days: fc.integer({ min: 1, max: 10 }),
    overage_threshold: fc.constantFrom(1, 1.2, 1.5, 2),
  }),
  priorities: fc.record({
    birthday: fc.integer({ min: 1, max: 60 }),
    effective_date: fc.integer({ min: 1, max: 60 }),
    aep: fc.integer({ min: 1, max: 60 }),
    post_window: fc.integer({ min: 1, max: 60 }),
    followup: fc.integer({ min: 1, max: 60 }),
  }),
}).chain((config) =>
  fc
    .option(fc.array(fc.tuple(fc.constantFrom(...STATES), ruleArb), { maxLength: 6 }), { nil: undefined, freq: 2 })
    .map((rules): ConfigInput => (rules === undefined ? config : { ...config, state_rules: Object.fromEntries(rules) })),
);

const campaignTypesArb = fc.uniqueArray(fc.constantFrom(...CAMPAIGN_NAMES), { minLength: 1, maxLength: 3 }).chain((names) =>
  fc.tuple(
    ...names.map((name) =>
      fc.record({
        name: fc.constant(name),
        respectExclusionWindows: fc.boolean(),
        enableFollowups: fc.boolean(),
        daysBeforeEvent: fc.integer({ min: -10, max: 20 }),
        targetAllContacts: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        priority: fc.integer({ min: 1, max: 60 }),
        active: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      }),
    ),
  ),
);

const instancesArb = (today: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(id),
          campaignType: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...CAMPAIGN_NAMES) }, { weight: 1, arbitrary: fc.constant('ghost') }),
          instanceName: fc.constant(`instance ${id}`),
          emailTemplate: fc.constant(`template_${id}`),
          smsTemplate: fc.option(fc.constant(`sms_${id}`), { nil: null }),
          activeStartDate: fc.option(dateText(today - 90, today + 10), { nil: null }),
          activeEndDate: fc.option(dateText(today - 5, today + 120), { nil: null, freq: 3 }),
          metadata: fc.constantFrom(null, '{"followup_email_template":"fu_email"}', '{"followup_sms_template":null}', 'not json'),
        }),
      ),
    ),
  );

const LEAP_DAYS = fc.integer({ min: 485, max: 506 }).map((quarter) => `${quarter * 4}-02-29`);

const contactArb = (today: number, id: number): fc.Arbitrary<ContactInputs> =>
  fc
    .record({
      state: fc.constantFrom(...STATES),
      emailKind: fc.oneof({ weight: 12, arbitrary: fc.constant('ok') }, { weight: 1, arbitrary: fc.constantFrom('null', 'bad') }),
      zipKind: fc.oneof({ weight: 12, arbitrary: fc.constant('ok') }, { weight: 1, arbitrary: fc.constantFrom('plus4', 'unknown', 'null') }),
      stateColumn: fc.option(fc.constantFrom(...STATES), { nil: null }),
      birthDate: fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 5, arbitrary: dateText(today - 90 * 365, today) },
        { weight: 3, arbitrary: dateText(today - 400, today + 30) },
        { weight: 1, arbitrary: LEAP_DAYS },
        { weight: 1, arbitrary: fc.constantFrom('1990-02-30', '', '1990-6-15', '1969-12-31', '0000-06-20', '0000-02-29') },
      ),
      effectiveDate: fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 5, arbitrary: dateText(today - 30 * 365, today + 800) },
        { weight: 2, arbitrary: dateText(today - 400, today + 60) },
        { weight: 1, arbitrary: LEAP_DAYS },
        { weight: 1, arbitrary: fc.constantFrom('2021-02-29', 'soon', '1969-12-31', '0000-03-01') },
      ),
      targets: fc.array(
        fc.record({
          campaignInstanceId: fc.integer({ min: 1, max: 4 }),
          // Clustered trigger dates, so that campaigns meet on one day.
          triggerDate: fc.option(
            fc.oneof(fc.constantFrom(-20, 0, 5, 12).map((offset) => refIso(today + offset)), dateText(today - 60, today + 90)),
            { nil: null, freq: 5 },
          ),
          status: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('pending', 'scheduled') }, { weight: 1, arbitrary: fc.constant('sent') }),
        }),
        { maxLength: 4 },
      ),
      history: fc.array(
        fc.record({
          emailType: fc.constantFrom(...HISTORY_TYPES),
          status: fc.constantFrom(...SENDER_STATUSES),
          scheduledDay: fc.integer({ min: today - 60, max: today + 60 }),
          sendDelayDays: fc.integer({ min: 0, max: 2 }),
          eventDay: fc.option(fc.integer({ min: today - 30, max: today + 400 }), { nil: null }),
          campaignInstanceId: fc.integer({ min: 1, max: 4 }),
          initialRef: fc.integer({ min: 0, max: 3 }),
        }),
        { maxLength: 4 },
      ),
      behaviour: fc.array(
        fc.record({
          kind: fc.constantFrom('click' as const, 'answered_no_conditions' as const, 'answered_with_conditions' as const),
          day: fc.integer({ min: today - 40, max: today + 2 }),
        }),
        { maxLength: 3 },
      ),
    })
    .map((drawn): ContactInputs => {
      const zip = ZIP_OF[drawn.state]!;
      const history: HistoryEmail[] = drawn.history.map((row, k) => ({
        id: id * 10 + k,
        emailType: row.emailType,
        status: row.status,
        scheduledDay: row.scheduledDay,
        sentDay: row.scheduledDay + row.sendDelayDays,
        eventDay: row.eventDay,
        campaignInstanceId: row.emailType.startsWith('campaign_') ? row.campaignInstanceId : null,
        initialEmailId: row.emailType.startsWith('followup_') ? id * 10 + row.initialRef : null,
      }));
      const behaviour: Behaviour[] = drawn.behaviour;
      return {
        contact: {
          id,
          email: drawn.emailKind === 'ok' ? `c${id}@example.com` : drawn.emailKind === 'bad' ? 'c at example' : null,
          zipCode: { ok: zip, plus4: `${zip}-1234`, unknown: '12345', null: null }[drawn.zipKind]!,
          state: drawn.stateColumn,
          birthDate: drawn.birthDate,
          effectiveDate: drawn.effectiveDate,
        },
        history,
        targets: drawn.targets,
        behaviour,
      };
    });

export const organizationArb = (maxContacts = 30): fc.Arbitrary<GeneratedOrganization> =>
  fc.integer({ min: refEpochDay(2024, 1, 1), max: refEpochDay(2030, 12, 31) }).chain((today) =>
    fc
      .record({
        config: configArb,
        campaignTypes: campaignTypesArb,
        campaignInstances: instancesArb(today),
        contactIds: fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: maxContacts }),
        extraContactRows: fc.integer({ min: 0, max: 50 }),
        existing: fc.array(
          fc
            .record({ offset: fc.integer({ min: 0, max: 60 }), all: fc.integer({ min: 0, max: 5 }), ed: fc.integer({ min: 0, max: 5 }) })
            .map(({ offset, all, ed }): [number, ExistingDayCount] => [today + offset, { all: Math.max(all, ed), effectiveDate: ed }]),
          { maxLength: 5 },
        ),
      })
      .chain(({ contactIds, ...rest }) =>
        fc.tuple(...contactIds.map((id) => contactArb(today, id))).map((contacts) => ({
          ...rest,
          today,
          contacts,
          existing: [...new Map(rest.existing)],
        })),
      ),
  );
