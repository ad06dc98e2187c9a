/**
 * Differential test of RULES.md §9: the engine's scheduleOrganization against
 * the independent reading in support/reference-finalizer.ts, on random small
 * organizations (5–60 contacts) built so that every step of §9 bites: a daily
 * cap mostly of 1–5 (up to ~20 now and then, so that ed_limit > 0 too),
 * overage 1–2, clustered birthdays, effective dates, AEP and campaign days,
 * existing day counts (the contacts' own scheduled/processing rows plus random
 * others), windows next to today (CA, KY, NV month-start, MO effective-date,
 * NY year-round, TX year-round from an age some contacts reach this year),
 * deadlines near today, history rows (any status, near and far) that count for
 * the frequency cap and hold same-type days, frequency caps of 1–3 in 7–30 days
 * (sometimes wider). The closing log line of the random test says how much each
 * step did.
 *
 * Both sides start from the same pre-§9 candidates: scheduleContact gives each
 * contact's emails before the finalizer; the reference finalizes copies of
 * them and the final (contact, type, event date, send day, status, skip code)
 * multisets must be equal. Deadlines, window respect and hash(key) are derived
 * again from the rules and must match the candidates' fields.
 *
 * Hand-built organizations pin the cases random data cannot reach: a deadline
 * more than 365 days ahead, and floors of products that binary floating point
 * gets wrong (the engine disagreed with the text on both until they were found here).
 *
 * FINALIZER_DIFF_RUNS=n sets the random runs (300).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSchedulingContext,
  NO_DAY,
  parseConfig,
  scheduleContact,
  scheduleOrganization,
  SENDER_STATUSES,
  type CampaignInstance,
  type CampaignTarget,
  type CampaignType,
  type Config,
  type ConfigInput,
  type ContactInputs,
  type EmailCandidate,
  type ExistingDayCount,
  type HistoryEmail,
} from '../src/index';
import { refDateOf, refEpochDay, refFnv1a, refIsExcluded, refIso, refParseDate, type RefStateRule } from './support/reference';
import {
  refFinalize,
  refFinalizerSettingsOf,
  type RefFinalizerContact,
  type RefFinalizerEmail,
} from './support/reference-finalizer';
import type { GeneratedOrganization } from './support/arbitraries';
import { fakeZipLookup, ZIP_OF } from './support/world';
import { multisetMinus as minus } from './support/multiset';

const NUM_RUNS = Number(process.env.FINALIZER_DIFF_RUNS ?? 300);

// ---------------------------------------------------------------------------
// Random organizations where §9 bites.

const STATES = ['IL', 'TX', 'CA', 'NV', 'MO', 'KY', 'NY'] as const;
const HISTORY_TYPES = ['birthday', 'effective_date', 'aep', 'post_window', 'campaign_alpha', 'campaign_beta', 'followup_1_cold'] as const;
/** Offsets from today that many dates cluster on. */
const CLUSTER = [0, 1, 2, 3, 5, 8, 14, 15, 20, 30, 31, 45] as const;

type Org = GeneratedOrganization;

const offsetArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...CLUSTER) }, { weight: 1, arbitrary: fc.integer({ min: -20, max: 80 }) });

/** A date whose anniversary falls `offset` days after today, in `year`; Feb 29 avoided. */
const anniversaryText = (today: number, offset: number, year: number, firstOfMonth: boolean): string => {
  const { month, day } = refDateOf(today + offset);
  const dayOfMonth = firstOfMonth ? 1 : month === 2 && day === 29 ? 28 : day;
  return refIso(refEpochDay(year, month, dayOfMonth));
};

const configArb: fc.Arbitrary<{ config: ConfigInput; aepOffset: number | null }> = fc
  .record({
    birthdayBefore: fc.integer({ min: 0, max: 20 }),
    edBefore: fc.integer({ min: 0, max: 40 }),
    pre: fc.integer({ min: 0, max: 20 }),
    delay: fc.integer({ min: 0, max: 3 }),
    aep: fc.option(fc.constantFrom(...CLUSTER), { nil: null }),
    max: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 8 }) }),
    period: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 7, max: 30 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }) }),
    pct: fc.constantFrom(0.01, 0.03, 0.05, 0.08, 0.15, 0.3),
    edSoft: fc.integer({ min: 0, max: 4 }),
    W: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 7 }) }, { weight: 1, arbitrary: fc.integer({ min: 8, max: 61 }) }),
    spread: fc.integer({ min: 1, max: 7 }),
    overage: fc.constantFrom(1, 1.1, 1.2, 1.5, 2),
    priorities: fc.record({
      birthday: fc.integer({ min: -5, max: 40 }),
      effective_date: fc.integer({ min: -5, max: 40 }),
      aep: fc.integer({ min: -5, max: 40 }),
      post_window: fc.integer({ min: -5, max: 40 }),
      followup: fc.integer({ min: -5, max: 40 }),
    }),
    caBefore: fc.integer({ min: 0, max: 20 }),
    caAfter: fc.integer({ min: 0, max: 40 }),
    kyAfter: fc.integer({ min: 0, max: 30 }),
    nvAfter: fc.integer({ min: 0, max: 30 }),
    moBefore: fc.integer({ min: 0, max: 10 }),
    moAfter: fc.integer({ min: 0, max: 30 }),
  })
  .map((c) => ({
    aepOffset: c.aep,
    config: {
      timing: {
        birthday_email_days_before: c.birthdayBefore,
        effective_date_days_before: c.edBefore,
        pre_window_exclusion_days: c.pre,
        followup_delay_days: c.delay,
        followup_lookback_days: 35,
      },
      aep: { dates: [], years: null },
      frequency: { max_emails_per_period: c.max, period_days: c.period },
      load_balancing: {
        daily_send_percentage_cap: c.pct,
        ed_daily_soft_limit: c.edSoft,
        ed_smoothing_window_days: c.W,
        catch_up_spread_days: c.spread,
        overage_threshold: c.overage,
      },
      priorities: c.priorities,
      state_rules: {
        CA: { kind: 'birthday_window', before: c.caBefore, after: c.caAfter },
        KY: { kind: 'birthday_window', before: 0, after: c.kyAfter },
        NV: { kind: 'birthday_window', before: 0, after: c.nvAfter, use_month_start: true },
        MO: { kind: 'effective_date_window', before: c.moBefore, after: c.moAfter },
        NY: { kind: 'year_round' },
      },
    } satisfies ConfigInput as ConfigInput,
  }));

/** `campaignHeavy`: up to 4 targets on a few adjacent days, so that same-type campaign emails (skipped or not) meet moves. */
const contactArb = (today: number, id: number, campaignHeavy: boolean): fc.Arbitrary<ContactInputs> =>
  fc
    .record({
      state: fc.constantFrom(...STATES),
      // 1959 and 1960: TX's year-round-from-age rule (set per organization) starts on or near one of their birthdays.
      birth: fc.option(
        fc.record({ offset: offsetArb, year: fc.oneof(fc.integer({ min: 1940, max: 2000 }), fc.constantFrom(1959, 1960)) }),
        { nil: null, freq: 5 },
      ),
      effective: fc.option(
        fc.record({ offset: offsetArb, year: fc.integer({ min: 2000, max: 2025 }), firstOfMonth: fc.boolean() }),
        { nil: null, freq: 5 },
      ),
      targets: fc.array(
        fc.record({
          campaignInstanceId: fc.integer({ min: 1, max: 3 }),
          offset: campaignHeavy ? fc.option(fc.integer({ min: 0, max: 4 }), { nil: null, freq: 8 }) : fc.option(offsetArb, { nil: null, freq: 5 }),
          status: fc.constantFrom('pending', 'scheduled'),
        }),
        { maxLength: campaignHeavy ? 4 : 2 },
      ),
      history: fc.array(
        fc.record({
          emailType: fc.constantFrom(...HISTORY_TYPES),
          status: fc.constantFrom(...SENDER_STATUSES),
          scheduledOffset: fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...CLUSTER) },
            { weight: 3, arbitrary: fc.integer({ min: -40, max: 40 }) },
            // Far rows: a long frequency period reaches them, and cascades push emails onto far days.
            { weight: 1, arbitrary: fc.integer({ min: -400, max: 400 }) },
          ),
          sendDelay: fc.integer({ min: 0, max: 2 }),
          eventOffset: fc.option(fc.constantFrom(...CLUSTER), { nil: null }),
        }),
        { maxLength: 4 },
      ),
      clicked: fc.boolean(),
    })
    .map((drawn): ContactInputs => {
      const targets: CampaignTarget[] = drawn.targets.map((t) => ({
        campaignInstanceId: t.campaignInstanceId,
        triggerDate: t.offset === null ? null : refIso(today + t.offset),
        status: t.status,
      }));
      const history: HistoryEmail[] = drawn.history.map((row, k) => ({
        id: id * 10 + k,
        emailType: row.emailType,
        status: row.status,
        scheduledDay: today + row.scheduledOffset,
        sentDay: today + row.scheduledOffset + row.sendDelay,
        eventDay: row.eventOffset === null ? null : today + row.eventOffset,
        campaignInstanceId: row.emailType.startsWith('campaign_') ? (row.emailType === 'campaign_alpha' ? 1 : 2) : null,
        initialEmailId: row.emailType.startsWith('followup_') ? id * 10 : null,
      }));
      return {
        contact: {
          id,
          email: `c${id}@example.com`,
          zipCode: ZIP_OF[drawn.state]!,
          state: null,
          birthDate: drawn.birth === null ? null : anniversaryText(today, drawn.birth.offset, drawn.birth.year, false),
          effectiveDate:
            drawn.effective === null
              ? null
              : anniversaryText(today, drawn.effective.offset, drawn.effective.year, drawn.effective.firstOfMonth),
        },
        history,
        targets,
        behaviour: drawn.clicked ? [{ kind: 'click', day: today - 1 }] : [],
      };
    });

const campaignTypesArb: fc.Arbitrary<CampaignType[]> = fc.tuple(
  ...(['alpha', 'beta'] as const).map((name) =>
    fc.record({
      name: fc.constant(name),
      respectExclusionWindows: fc.boolean(),
      enableFollowups: fc.boolean(),
      daysBeforeEvent: fc.integer({ min: -3, max: 10 }),
      targetAllContacts: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      priority: fc.integer({ min: 1, max: 40 }),
      active: fc.constant(true),
    }),
  ),
);

const orgArb: fc.Arbitrary<Org> = fc.integer({ min: refEpochDay(2025, 1, 1), max: refEpochDay(2029, 12, 31) }).chain((today) =>
  fc
    .record({
      config: configArb,
      campaignTypes: campaignTypesArb,
      startOffsets: fc.tuple(
        fc.option(fc.integer({ min: -10, max: 0 }), { nil: null }),
        fc.option(fc.integer({ min: -10, max: 0 }), { nil: null }),
        fc.option(fc.integer({ min: -10, max: 0 }), { nil: null }),
      ),
      contactCount: fc.integer({ min: 5, max: 60 }),
      campaignHeavy: fc.boolean(),
      extraContactRows: fc.integer({ min: 0, max: 20 }),
      existing: fc.array(
        fc
          .record({ offset: fc.oneof(fc.constantFrom(...CLUSTER), fc.integer({ min: 0, max: 60 })), all: fc.integer({ min: 0, max: 4 }), ed: fc.integer({ min: 0, max: 2 }) })
          .map(({ offset, all, ed }): [number, ExistingDayCount] => [today + offset, { all: Math.max(all, ed), effectiveDate: ed }]),
        { maxLength: 6 },
      ),
    })
    .chain(({ contactCount, campaignHeavy, startOffsets, config: { config: plainConfig, aepOffset }, ...rest }) => {
      // A new kind of rule (RULES.md §5): TX contacts born in 1960 turn min_age this year.
      const withAgeRule: ConfigInput = {
        ...plainConfig,
        state_rules: { ...plainConfig.state_rules, TX: { kind: 'year_round_from_age', min_age: refDateOf(today).year - 1960 } },
      };
      const withAep: ConfigInput =
        aepOffset === null
          ? withAgeRule
          : { ...withAgeRule, aep: { dates: [{ month: refDateOf(today + aepOffset).month, day: Math.min(28, refDateOf(today + aepOffset).day) }], years: null } };
      const campaignInstances: CampaignInstance[] = [
        [1, 'alpha'],
        [2, 'beta'],
        [3, 'alpha'],
      ].map(([id, type], k) => ({
        id: id as number,
        campaignType: type as string,
        instanceName: `instance ${id}`,
        emailTemplate: `template_${id}`,
        smsTemplate: null,
        activeStartDate: startOffsets[k] === null ? null : refIso(today + startOffsets[k]!),
        activeEndDate: null,
        metadata: null,
      }));
      return fc
        .tuple(...Array.from({ length: contactCount }, (_, k) => contactArb(today, k + 1, campaignHeavy)))
        .map((contacts): Org => {
          // Existing day counts as the database would give them: other organizations' rows aside, the
          // contacts' own scheduled/processing history rows are existing rows of their day.
          const existing = new Map(rest.existing.map(([d, count]) => [d, { ...count }]));
          for (const row of contacts.flatMap((inputs) => inputs.history)) {
            if (row.status !== 'scheduled' && row.status !== 'processing') continue;
            const count = existing.get(row.scheduledDay) ?? { all: 0, effectiveDate: 0 };
            existing.set(row.scheduledDay, {
              all: count.all + 1,
              effectiveDate: count.effectiveDate + (row.emailType === 'effective_date' ? 1 : 0),
            });
          }
          return { ...rest, today, config: withAep, campaignInstances, contacts, existing: [...existing] };
        });
    }),
);

// ---------------------------------------------------------------------------
// Both sides.

const lineOf = (e: { contactId: number; emailType: string; eventDay: number | null; day: number; status: string; skipCode: string | null }): string =>
  `c${e.contactId} ${e.emailType} ev=${e.eventDay === null ? '-' : refIso(e.eventDay)} ${refIso(e.day)} ${e.status}${e.skipCode === null ? '' : ` ${e.skipCode}`}`;

/** RULES.md §5, independently: every type respects windows but campaigns whose type says not. */
const respectsWindowsByRules = (org: Org, emailType: string): boolean => {
  if (!emailType.startsWith('campaign_')) return true;
  return org.campaignTypes.find((type) => `campaign_${type.name}` === emailType)!.respectExclusionWindows;
};

/** RULES.md §4, independently: an email due before its event has it as its deadline. */
const deadlineByRules = (org: Org, config: Config, email: EmailCandidate): number | null => {
  if (email.eventDay === null) return null;
  if (email.emailType === 'birthday') return config.timing.birthday_email_days_before > 0 ? email.eventDay : null;
  if (email.emailType === 'effective_date') return config.timing.effective_date_days_before > 0 ? email.eventDay : null;
  if (email.emailType.startsWith('campaign_')) {
    return org.campaignTypes.find((type) => `campaign_${type.name}` === email.emailType)!.daysBeforeEvent > 0 ? email.eventDay : null;
  }
  return null;
};

const keyHashByRules = (contactId: number, email: EmailCandidate): number => {
  if (email.isFollowup) {
    const initial = (JSON.parse(email.metadata ?? '{}') as { initial_email_id?: number }).initial_email_id;
    return refFnv1a(`${contactId}|${email.emailType}|${initial}`);
  }
  return refFnv1a(`${contactId}|${email.emailType}|${refIso(email.eventDay!)}`);
};

interface Comparison {
  readonly engine: string[];
  readonly reference: string[];
  readonly onlyEngine: string[];
  readonly onlyReference: string[];
  readonly engineError: string | null;
  readonly referenceInvariantBreaks: string[];
  readonly inputProblems: string[];
  readonly capAndLimit: { engine: [number, number]; reference: [number, number] };
  readonly counts: Record<string, number>;
}

const compare = (org: Org): Comparison => {
  const config = parseConfig(org.config);
  const context = createSchedulingContext({
    today: org.today,
    config,
    zipToState: fakeZipLookup,
    campaignTypes: org.campaignTypes,
    campaignInstances: org.campaignInstances,
  }).context;
  const contactRows = org.contacts.length + org.extraContactRows;
  const existing = new Map(org.existing);

  // Pre-§9 candidates, contact by contact.
  const inputProblems: string[] = [];
  const refContacts: RefFinalizerContact[] = [];
  const refEmails: RefFinalizerEmail[] = [];
  for (const inputs of org.contacts) {
    const outcome = scheduleContact(context, inputs);
    if (!outcome.usable) continue;
    const { contact } = inputs;
    const state = fakeZipLookup(Number(contact.zipCode!.slice(0, 5)))!;
    const birth = refParseDate(contact.birthDate);
    const validBirth = birth !== null && refEpochDay(birth.year, birth.month, birth.day) <= org.today ? birth : null;
    const effective = refParseDate(contact.effectiveDate);
    const rule = config.state_rules[state] as RefStateRule | undefined;
    refContacts.push({
      id: contact.id,
      excluded: (d) => refIsExcluded(rule, validBirth, effective, config.timing.pre_window_exclusion_days, d),
      history: inputs.history.map((row) => ({ emailType: row.emailType, status: row.status, scheduledDay: row.scheduledDay, sentDay: row.sentDay })),
    });
    for (const email of outcome.emails) {
      const deadline = deadlineByRules(org, config, email);
      const respectsWindows = respectsWindowsByRules(org, email.emailType);
      const keyHash = keyHashByRules(contact.id, email);
      const where = `c${contact.id} ${email.emailType} ${refIso(email.day)}`;
      if ((email.deadline === NO_DAY ? null : email.deadline) !== deadline) inputProblems.push(`${where}: deadline ${email.deadline} ≠ ${deadline}`);
      if (email.respectsWindows !== respectsWindows) inputProblems.push(`${where}: respectsWindows ${email.respectsWindows}`);
      if (email.keyHash !== keyHash) inputProblems.push(`${where}: keyHash ${email.keyHash} ≠ ${keyHash}`);
      if (email.isFollowup !== email.emailType.startsWith('followup_')) inputProblems.push(`${where}: isFollowup ${email.isFollowup}`);
      if (email.day < org.today) inputProblems.push(`${where}: before today`);
      refEmails.push({
        contactId: contact.id,
        emailType: email.emailType,
        eventDay: email.eventDay,
        day: email.day,
        deadline,
        status: email.status,
        skipCode: email.skipCode,
        priority: email.priority,
        keyHash,
        respectsWindows,
        isFollowup: email.emailType.startsWith('followup_'),
      });
    }
  }

  const reference = refFinalize(refFinalizerSettingsOf(config, org.today, contactRows), refContacts, refEmails, existing);
  const referenceLines = reference.emails.map(lineOf).sort();

  let engineLines: string[] = [];
  let engineError: string | null = null;
  let engineCap: [number, number] = [-1, -1];
  try {
    const result = scheduleOrganization(context, org.contacts, { contactRowCount: contactRows, existing });
    engineLines = result.emails.map(lineOf).sort();
    engineCap = [result.finalize.dailyCap, result.finalize.edDailyLimit];
    for (const email of result.emails) {
      if (email.skipCode === 'frequency_cap' && !email.skipReason?.startsWith('frequency_cap: ')) {
        inputProblems.push(`c${email.contactId} ${email.emailType}: skip reason ${email.skipReason}`);
      }
    }
  } catch (error) {
    engineError = String(error);
  }
  return {
    engine: engineLines,
    reference: referenceLines,
    onlyEngine: engineError === null ? minus(engineLines, referenceLines) : [],
    onlyReference: engineError === null ? minus(referenceLines, engineLines) : [],
    engineError,
    referenceInvariantBreaks: reference.invariantBreaks,
    inputProblems,
    capAndLimit: { engine: engineCap, reference: [reference.dailyCap, reference.edLimit] },
    counts: {
      ...reference.counts,
      daysLeftOver: reference.daysLeftOver.length,
      existingDays: existing.size,
      dailyCap: reference.dailyCap,
      emails: reference.emails.length,
      skippedBefore: refEmails.filter((e) => e.status === 'skipped').length,
    },
  };
};

/**
 * Hand-built organizations for what random ones rarely reach: two contacts
 * with one campaign email each on day X = today + 100, X already full from
 * existing rows (cap 1), so both must move; contact 2 holds failed
 * campaign_alpha rows (kept history rows: they hold their day, and failed
 * rows do not count for the frequency cap) on `blocked` days after X.
 */
const blockedOrg = (today: number, daysBeforeEvent: number, triggerOffset: number, blocked: number): Org => ({
  today,
  config: { aep: { dates: [] }, frequency: { max_emails_per_period: 5, period_days: 7 }, load_balancing: { daily_send_percentage_cap: 0.01, overage_threshold: 1 } },
  campaignTypes: [
    { name: 'alpha', respectExclusionWindows: true, enableFollowups: false, daysBeforeEvent, targetAllContacts: false, priority: 10, active: true },
  ],
  campaignInstances: [
    { id: 1, campaignType: 'alpha', instanceName: 'one', emailTemplate: null, smsTemplate: null, activeStartDate: null, activeEndDate: null, metadata: null },
  ],
  contacts: [1, 2].map((id) => ({
    contact: { id, email: `c${id}@example.com`, zipCode: ZIP_OF.IL!, state: null, birthDate: null, effectiveDate: null },
    history:
      id === 1
        ? []
        : Array.from({ length: blocked }, (_, k): HistoryEmail => ({
            id: 1000 + k,
            emailType: 'campaign_alpha',
            status: 'failed',
            scheduledDay: today + 101 + k,
            sentDay: today + 101 + k,
            eventDay: null,
            campaignInstanceId: 1,
            initialEmailId: null,
          })),
    targets: [{ campaignInstanceId: 1, triggerDate: refIso(today + triggerOffset), status: 'pending' }],
    behaviour: [],
  })),
  extraContactRows: 0,
  existing: [[today + 100, { all: 1, effectiveDate: 0 }]],
});

/** `count` IL contacts whose birthday emails (no deadline: sent on the day) all fall on today + 10. */
const sameDayOrg = (today: number, count: number, contactRows: number, load_balancing: Record<string, number>): Org => ({
  today,
  config: { aep: { dates: [] }, timing: { birthday_email_days_before: 0 }, frequency: { max_emails_per_period: 5, period_days: 7 }, load_balancing },
  campaignTypes: [],
  campaignInstances: [],
  contacts: Array.from({ length: count }, (_, k) => ({
    contact: { id: k + 1, email: `c${k + 1}@example.com`, zipCode: ZIP_OF.IL!, state: null, birthDate: refIso(today + 10 - 365 * 40 - 10), effectiveDate: null },
    history: [],
    targets: [],
    behaviour: [],
  })),
  extraContactRows: contactRows - count,
  existing: [],
});

const contact2Line = (lines: readonly string[]): string => lines.find((line) => line.startsWith('c2 '))!;

describe('§9 finalizer: the engine against an independent reading of RULES.md', () => {
  describe('on hand-built organizations', () => {
    const today = refEpochDay(2026, 6, 1);

    it('looks 365 days past the day an email without a deadline leaves, no further', () => {
      // No deadline (days_before_event 0): X + 1 .. X + 364 held → X + 365; X + 1 .. X + 365 held → stays on X.
      for (const [blocked, expected] of [
        [364, today + 100 + 365],
        [365, today + 100],
      ] as const) {
        const result = compare(blockedOrg(today, 0, 100, blocked));
        expect(result.engineError).toBeNull();
        expect(contact2Line(result.reference)).toContain(` ${refIso(expected)} pre-scheduled`);
        expect(result.onlyEngine).toEqual([]);
        expect(result.onlyReference).toEqual([]);
      }
    });

    // floor(N × daily_send_percentage_cap) with N = 100 and 0.29 is 29, though 100 × 0.29 is
    // 28.999999999999996 in binary floating point: 29 emails on one day (threshold floor(cap × 1)) all stay.
    it('takes floor(N × daily_send_percentage_cap) on the configured decimal (N = 100, 0.29 → 29)', () => {
      const result = compare(sameDayOrg(today, 29, 100, { daily_send_percentage_cap: 0.29, overage_threshold: 1 }));
      expect(result.capAndLimit.reference).toEqual([29, 8]);
      expect(result.reference.every((line) => line.includes(` ${refIso(today + 10)} pre-scheduled`))).toBe(true);
      expect({ cap: result.capAndLimit.engine, onlyEngine: result.onlyEngine, onlyReference: result.onlyReference }).toEqual({
        cap: [29, 8],
        onlyEngine: [],
        onlyReference: [],
      });
    });

    it('takes floor(cap × overage_threshold) on the configured decimal (100 × 1.15 → 115)', () => {
      // N = 1000 at 0.1: cap 100; 115 emails on one day are not over floor(100 × 1.15) = 115.
      const result = compare(sameDayOrg(today, 115, 1000, { daily_send_percentage_cap: 0.1, overage_threshold: 1.15 }));
      expect(result.capAndLimit.reference).toEqual([100, 15]);
      expect(result.reference.every((line) => line.includes(` ${refIso(today + 10)} pre-scheduled`))).toBe(true);
      expect({ onlyEngine: result.onlyEngine, onlyReference: result.onlyReference }).toEqual({ onlyEngine: [], onlyReference: [] });
    });

    // RULES.md §9 limits only "an email without a deadline" to 365 days; one with a deadline "tries the
    // days after that up to its deadline", however far.
    it('tries every day up to the deadline of an email with one, even more than 365 days ahead', () => {
      // days_before_event 400, trigger X + 400: deadline X + 400; X + 1 .. X + 366 held → X + 367.
      const result = compare(blockedOrg(today, 400, 500, 366));
      expect(result.engineError).toBeNull();
      expect(contact2Line(result.reference)).toContain(` ${refIso(today + 100 + 367)} pre-scheduled`);
      expect({ onlyEngine: result.onlyEngine, onlyReference: result.onlyReference }).toEqual({ onlyEngine: [], onlyReference: [] });
    });
  });

  it('gives the same final emails as the reference on random small organizations', { timeout: 600_000 }, () => {
    const totals: Record<string, number> = {};
    let compared = 0;
    fc.assert(
      fc.property(orgArb, (org) => {
        const result = compare(org);
        compared++;
        for (const [name, n] of Object.entries(result.counts)) totals[name] = (totals[name] ?? 0) + n;
        expect(result.inputProblems).toEqual([]);
        expect(result.engineError).toBeNull();
        expect(result.referenceInvariantBreaks).toEqual([]);
        expect(result.capAndLimit.engine).toEqual(result.capAndLimit.reference);
        expect({ onlyEngine: result.onlyEngine, onlyReference: result.onlyReference }).toEqual({ onlyEngine: [], onlyReference: [] });
      }),
      { numRuns: NUM_RUNS },
    );
    // The runs must have made every step bite, or the agreement says little.
    console.info(`§9 differential: ${compared} organizations, totals ${JSON.stringify(totals)}`);
    expect(totals.smoothed).toBeGreaterThan(0);
    expect(totals.movedByDailyCap).toBeGreaterThan(0);
    expect(totals.frequencyCapped).toBeGreaterThan(0);
  });
});
