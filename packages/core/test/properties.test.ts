/**
 * Property-based tests of RULES.md over random organizations. Each property
 * judges the scheduler's output with the independent reading of the rules in
 * support/reference.ts, never with the implementation's own checks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CandidateTable,
  createSchedulingContext,
  FLAG_RESPECTS_WINDOWS,
  parseConfig,
  scheduleContact,
  scheduleOrganization,
  STATUS_PRE_SCHEDULED,
  type Config,
  type ContactInputs,
  type EmailCandidate,
  type ScheduledEmail,
  type SchedulingContext,
} from '../src/index';
import { enforceDailyCap } from '../src/finalize/daily-cap';
import { smoothEffectiveDates } from '../src/finalize/ed-smoothing';
import { enforceFrequencyCap } from '../src/finalize/frequency-cap';
import { organizationArb, type GeneratedOrganization } from './support/arbitraries';
import { refIsExcluded, refParseDate, refEpochDay, type RefStateRule } from './support/reference';
import { fakeZipLookup } from './support/world';

/** Cases per property; the closing note of the run reports them. */
const NUM_RUNS = {
  windows: 400,
  windowsAfterEachStep: 300,
  catchUpStability: 1000,
  permutation: 300,
  frequencyCap: 400,
  movesWithinBounds: 400,
  oneRowPerTypeAndDay: 400,
} as const;

const contextOf = (org: GeneratedOrganization, today = org.today): { context: SchedulingContext; config: Config } => {
  const config = parseConfig(org.config);
  const { context } = createSchedulingContext({
    today,
    config,
    zipToState: fakeZipLookup,
    campaignTypes: org.campaignTypes,
    campaignInstances: org.campaignInstances,
  });
  return { context, config };
};

const runOf = (org: GeneratedOrganization, contacts: readonly ContactInputs[] = org.contacts) => {
  const { context, config } = contextOf(org);
  const result = scheduleOrganization(context, contacts, {
    contactRowCount: org.contacts.length + org.extraContactRows,
    existing: new Map(org.existing),
  });
  return { ...result, config };
};

/** RULES.md §5, independently: all types respect windows but campaigns whose type says not. */
const respectsWindows = (org: GeneratedOrganization, emailType: string): boolean => {
  if (!emailType.startsWith('campaign_')) return true;
  const type = org.campaignTypes.find((candidate) => `campaign_${candidate.name}` === emailType);
  if (type === undefined) throw new Error(`an email of unknown campaign type ${emailType}`);
  return type.respectExclusionWindows;
};

/** RULES.md §2 and §5, independently: whether contact `id` is excluded on `d`. */
const excludedByRules = (org: GeneratedOrganization, config: Config, id: number, d: number): boolean => {
  const { contact } = org.contacts.find((inputs) => inputs.contact.id === id)!;
  const state = fakeZipLookup(Number(contact.zipCode!.slice(0, 5)));
  if (state === undefined) throw new Error(`contact ${id} has no state but got emails`);
  const birth = refParseDate(contact.birthDate);
  const validBirth = birth !== null && refEpochDay(birth.year, birth.month, birth.day) <= org.today ? birth : null;
  const rule = config.state_rules[state] as RefStateRule | undefined;
  return refIsExcluded(rule, validBirth, refParseDate(contact.effectiveDate), config.timing.pre_window_exclusion_days, d);
};

const isFollowupType = (emailType: string): boolean => emailType.startsWith('followup_');

/** RULES.md §4, independently: the latest day an email may be sent, or null. */
const deadlineByRules = (org: GeneratedOrganization, config: Config, email: EmailCandidate): number | null => {
  if (email.eventDay === null) return null;
  if (email.emailType === 'birthday') return config.timing.birthday_email_days_before > 0 ? email.eventDay : null;
  if (email.emailType === 'effective_date') return config.timing.effective_date_days_before > 0 ? email.eventDay : null;
  if (email.emailType.startsWith('campaign_')) {
    const type = org.campaignTypes.find((candidate) => `campaign_${candidate.name}` === email.emailType)!;
    return type.daysBeforeEvent > 0 ? email.eventDay : null;
  }
  return null;
};

const describeEmail = (email: ScheduledEmail): string =>
  `contact ${email.contactId} ${email.emailType} on day ${email.day} (${email.status})`;

describe('properties of a run over random organizations', () => {
  describe('when the run is over', () => {
    it('leaves no pre-scheduled email inside its contact’s exclusion window', () => {
      fc.assert(
        fc.property(organizationArb(), (org) => {
          const { emails, config } = runOf(org);
          for (const email of emails) {
            if (email.status !== 'pre-scheduled' || !respectsWindows(org, email.emailType)) continue;
            expect(excludedByRules(org, config, email.contactId, email.day), describeEmail(email)).toBe(false);
          }
        }),
        { numRuns: NUM_RUNS.windows },
      );
    });

    it('never exceeds the frequency cap, counting history, for emails other than follow-ups', () => {
      fc.assert(
        fc.property(organizationArb(), (org) => {
          const { emails, config } = runOf(org);
          const { max_emails_per_period: maxEmails, period_days: periodDays } = config.frequency;
          for (const inputs of org.contacts) {
            const days = emails
              .filter((email) => email.contactId === inputs.contact.id && email.status === 'pre-scheduled' && !isFollowupType(email.emailType))
              .map((email) => email.day);
            const historyDays = inputs.history
              .filter((row) => ['scheduled', 'processing', 'sent', 'delivered'].includes(row.status) && !isFollowupType(row.emailType))
              .map((row) => row.sentDay);
            for (const sent of days) {
              for (let start = sent - periodDays + 1; start <= sent; start++) {
                const inPeriod = (d: number) => d >= start && d < start + periodDays;
                const count = days.filter(inPeriod).length + historyDays.filter(inPeriod).length;
                expect(count, `contact ${inputs.contact.id}, period from day ${start}`).toBeLessThanOrEqual(maxEmails);
              }
            }
          }
        }),
        { numRuns: NUM_RUNS.frequencyCap },
      );
    });

    it('moves no email before today or past its deadline, and never moves a skipped one', () => {
      fc.assert(
        fc.property(organizationArb(), (org) => {
          const { context } = contextOf(org);
          const placed = [...org.contacts]
            .sort((a, b) => a.contact.id - b.contact.id)
            .flatMap((inputs) => {
              const outcome = scheduleContact(context, inputs);
              return outcome.usable ? outcome.emails.map((email) => ({ ...email })) : [];
            });
          const { emails, config } = runOf(org);
          expect(emails.map((email) => email.emailType)).toEqual(placed.map((email) => email.emailType));
          emails.forEach((email, k) => {
            const before = placed[k]!;
            if (email.status === 'pre-scheduled') expect(email.day, describeEmail(email)).toBeGreaterThanOrEqual(org.today);
            if (before.status === 'skipped') expect(email.day, describeEmail(email)).toBe(before.day);
            if (email.day === before.day) return;
            expect(email.day, describeEmail(email)).toBeGreaterThanOrEqual(org.today);
            const deadline = deadlineByRules(org, config, email);
            if (deadline !== null) expect(email.day, describeEmail(email)).toBeLessThanOrEqual(deadline);
          });
        }),
        { numRuns: NUM_RUNS.movesWithinBounds },
      );
    });

    it('holds at most one row per contact, type and day, history included', () => {
      fc.assert(
        fc.property(organizationArb(), (org) => {
          const { emails } = runOf(org);
          const taken = new Set<string>();
          for (const inputs of org.contacts) {
            for (const row of inputs.history) taken.add(`${inputs.contact.id}|${row.emailType}|${row.scheduledDay}`);
          }
          for (const email of emails) {
            const key = `${email.contactId}|${email.emailType}|${email.day}`;
            expect(taken.has(key), describeEmail(email)).toBe(false);
            taken.add(key);
          }
        }),
        { numRuns: NUM_RUNS.oneRowPerTypeAndDay },
      );
    });
  });

  describe('when each step of the finalizer has run', () => {
    it('leaves no pre-scheduled email inside its contact’s exclusion window after any step', () => {
      fc.assert(
        fc.property(organizationArb(), (org) => {
          const { context, config } = contextOf(org);
          const table = new CandidateTable();
          for (const inputs of [...org.contacts].sort((a, b) => a.contact.id - b.contact.id)) {
            const outcome = scheduleContact(context, inputs);
            if (outcome.usable) table.addContact(outcome.contactId, outcome.exclusion, outcome.emails, inputs.history);
          }
          const checkAfter = (step: string): void => {
            for (let e = 0; e < table.emailCount; e++) {
              if (table.status[e] !== STATUS_PRE_SCHEDULED) continue;
              const emailType = table.typeNames[table.typeCode[e]!]!;
              expect((table.flags[e]! & FLAG_RESPECTS_WINDOWS) !== 0, `${step}: flag of ${emailType}`).toBe(respectsWindows(org, emailType));
              if (!respectsWindows(org, emailType)) continue;
              const id = table.contactId[table.contactIndex[e]!]!;
              expect(excludedByRules(org, config, id, table.day[e]!), `${step}: contact ${id} ${emailType}`).toBe(false);
            }
          };
          // RULES.md §9 with N = every contacts row: cap, ed_limit, threshold.
          const balancing = config.load_balancing;
          const cap = Math.max(1, Math.floor((org.contacts.length + org.extraContactRows) * balancing.daily_send_percentage_cap));
          const edLimit = Math.min(balancing.ed_daily_soft_limit, Math.floor(0.3 * cap));
          const existing = new Map(org.existing);
          checkAfter('candidate generation');
          smoothEffectiveDates(table, existing, org.today, edLimit, balancing.ed_smoothing_window_days);
          checkAfter('effective-date smoothing');
          enforceDailyCap(table, existing, org.today, cap, balancing.overage_threshold);
          checkAfter('daily cap');
          enforceFrequencyCap(table, config.frequency.period_days, config.frequency.max_emails_per_period);
          checkAfter('frequency cap');
        }),
        { numRuns: NUM_RUNS.windowsAfterEachStep },
      );
    });
  });

  describe('when the input contacts come in another order', () => {
    it('produces identical emails', () => {
      const orgAndOrder = organizationArb().chain((org) =>
        fc.tuple(fc.constant(org), fc.shuffledSubarray(org.contacts, { minLength: org.contacts.length, maxLength: org.contacts.length })),
      );
      fc.assert(
        fc.property(orgAndOrder, ([org, shuffled]) => {
          const inOrder = runOf(org);
          const reordered = runOf(org, shuffled);
          expect(JSON.stringify(reordered.emails)).toBe(JSON.stringify(inOrder.emails));
          expect(JSON.stringify(reordered.outcomes)).toBe(JSON.stringify(inOrder.outcomes));
        }),
        { numRuns: NUM_RUNS.permutation },
      );
    });
  });

  describe('when an email is late on day T', () => {
    it('keeps its catch-up date on T + 1 when that date is T + 1 or later', () => {
      let compared = 0;
      fc.assert(
        fc.property(organizationArb(12), (org) => {
          const { context: onT, config } = contextOf(org);
          const { context: onNextDay } = contextOf(org, org.today + 1);
          const campaignDaysBefore = new Map(org.campaignTypes.map((type) => [`campaign_${type.name}`, type.daysBeforeEvent]));
          const idealOf = (email: EmailCandidate): number | null => {
            if (email.eventDay === null || isFollowupType(email.emailType)) return null;
            if (email.emailType === 'birthday') return email.eventDay - config.timing.birthday_email_days_before;
            if (email.emailType === 'effective_date') return email.eventDay - config.timing.effective_date_days_before;
            if (email.emailType.startsWith('campaign_')) return email.eventDay - campaignDaysBefore.get(email.emailType)!;
            return email.eventDay;
          };
          const identity = (email: EmailCandidate) => `${email.emailType}|${email.eventDay}|${email.campaignInstanceId}`;
          for (const inputs of org.contacts) {
            const today = scheduleContact(onT, inputs);
            const tomorrow = scheduleContact(onNextDay, inputs);
            if (!today.usable || !tomorrow.usable) continue;
            for (const email of today.emails) {
              const ideal = idealOf(email);
              if (ideal === null || ideal >= org.today || email.day < org.today + 1) continue;
              const again = tomorrow.emails.find((other) => identity(other) === identity(email));
              if (again === undefined) continue;
              compared++;
              expect(again.day, `contact ${inputs.contact.id} ${identity(email)}`).toBe(email.day);
            }
          }
        }),
        { numRuns: NUM_RUNS.catchUpStability },
      );
      // The property must have met late emails, or it proved nothing.
      expect(compared).toBeGreaterThan(NUM_RUNS.catchUpStability / 10);
    });
  });
});
