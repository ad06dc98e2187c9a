/**
 * Property-based tests of RULES.md over random organizations. Each property
 * judges the scheduler's output with the independent reading of the rules in
 * support/reference.ts, never with the implementation's own checks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CandidateTable,
  contactPlacement,
  createSchedulingContext,
  FLAG_RESPECTS_WINDOWS,
  parseConfig,
  scheduleContact,
  scheduleContactInto,
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
import { refEpochDay, refFnv1a, refIsExcluded, refIso, refParseDate, refWindowHolding, type RefStateRule } from './support/reference';
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
  placement: 600,
  tableMatchesObjects: 300,
  clearedTable: 200,
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

/** A contact's state, rule and valid dates, read independently of the implementation. */
const contactFacts = (org: GeneratedOrganization, config: Config, inputs: ContactInputs) => {
  const { contact } = inputs;
  const state = fakeZipLookup(Number(contact.zipCode!.slice(0, 5)))!;
  const birth = refParseDate(contact.birthDate);
  return {
    rule: config.state_rules[state] as RefStateRule | undefined,
    birth: birth !== null && refEpochDay(birth.year, birth.month, birth.day) <= org.today ? birth : null,
    effective: refParseDate(contact.effectiveDate),
  };
};

/** RULES.md §8, independently: the follow-up type after the contact's behaviour from `sentDay` to today. */
const followupTypeByRules = (inputs: ContactInputs, sentDay: number, today: number): string => {
  const seen = inputs.behaviour.filter((event) => event.day >= sentDay && event.day <= today).map((event) => event.kind);
  if (seen.includes('answered_with_conditions')) return 'followup_4_hq_with_yes';
  if (seen.includes('answered_no_conditions')) return 'followup_3_hq_no_yes';
  if (seen.includes('click')) return 'followup_2_clicked_no_hq';
  return 'followup_1_cold';
};

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

    it('never exceeds the frequency cap, counting history, for emails other than follow-ups, and skips only what the admission order refuses', () => {
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
            // Each skipped email was refused by what was admitted before it: priority number, then date, then type.
            const admitted = emails.filter(
              (email) => email.contactId === inputs.contact.id && email.status === 'pre-scheduled' && !isFollowupType(email.emailType),
            );
            const admittedBefore = (a: ScheduledEmail, b: ScheduledEmail): boolean =>
              a.priority !== b.priority ? a.priority < b.priority : a.day !== b.day ? a.day < b.day : a.emailType < b.emailType;
            for (const capped of emails.filter((email) => email.contactId === inputs.contact.id && email.skipCode === 'frequency_cap')) {
              expect(isFollowupType(capped.emailType)).toBe(false);
              const earlier = [...admitted.filter((email) => admittedBefore(email, capped)).map((email) => email.day), ...historyDays];
              let refused = false;
              for (let start = capped.day - periodDays + 1; start <= capped.day; start++) {
                if (earlier.filter((d) => d >= start && d < start + periodDays).length >= maxEmails) refused = true;
              }
              expect(refused, `contact ${inputs.contact.id} ${capped.emailType} on day ${capped.day} skipped needlessly`).toBe(true);
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

  describe('when one contact’s candidates are placed, before balancing', () => {
    it('places, keys, skips and follows up every email as §4–§8 say', () => {
      fc.assert(
        fc.property(organizationArb(), (org) => {
          const { context, config } = contextOf(org);
          const T = org.today;
          const spread = config.load_balancing.catch_up_spread_days;
          const campaignTypeOf = (emailType: string) => org.campaignTypes.find((type) => `campaign_${type.name}` === emailType)!;
          for (const inputs of org.contacts) {
            const outcome = scheduleContact(context, inputs);
            if (!outcome.usable) continue;
            const id = inputs.contact.id;
            const facts = contactFacts(org, config, inputs);
            const label = (email: EmailCandidate) => `contact ${id} ${email.emailType} day ${email.day} event ${email.eventDay}`;
            const expectedPostWindows = new Set<number>();
            for (const email of outcome.emails) {
              const followup = isFollowupType(email.emailType);
              const meta = followup ? (JSON.parse(email.metadata!) as { initial_email_id: number; initial_email_type: string }) : null;
              // §1: the key and its hash.
              const key = `${id}|${email.emailType}|${meta !== null ? meta.initial_email_id : refIso(email.eventDay!)}`;
              expect(email.keyHash, label(email)).toBe(refFnv1a(key));
              // §4 and §8: the date.
              if (meta !== null) {
                const initial = inputs.history.find((row) => row.id === meta.initial_email_id)!;
                expect(initial.emailType).toBe(meta.initial_email_type);
                expect(['sent', 'delivered']).toContain(initial.status);
                expect(initial.sentDay).toBeGreaterThanOrEqual(T - config.timing.followup_lookback_days);
                expect(initial.sentDay).toBeLessThanOrEqual(T);
                const eligible = ['birthday', 'effective_date', 'aep', 'post_window'].includes(initial.emailType) ||
                  (initial.emailType.startsWith('campaign_') && campaignTypeOf(initial.emailType)?.enableFollowups === true);
                expect(eligible, label(email)).toBe(true);
                expect(email.emailType, label(email)).toBe(followupTypeByRules(inputs, initial.sentDay, T));
                const due = initial.sentDay + config.timing.followup_delay_days;
                expect(email.day, label(email)).toBe(due < T ? T + 1 : due);
                const held = inputs.history.some((row) => isFollowupType(row.emailType) && row.initialEmailId === initial.id);
                expect(held, label(email)).toBe(false);
              } else {
                const daysBefore =
                  email.emailType === 'birthday'
                    ? config.timing.birthday_email_days_before
                    : email.emailType === 'effective_date'
                      ? config.timing.effective_date_days_before
                      : email.emailType.startsWith('campaign_')
                        ? campaignTypeOf(email.emailType).daysBeforeEvent
                        : 0;
                const ideal = email.eventDay! - daysBefore;
                let expected = ideal;
                if (ideal < T) {
                  expected = T;
                  while (expected % spread !== refFnv1a(key) % spread) expected++;
                  if (daysBefore > 0 && expected > email.eventDay!) expected = T;
                }
                expect(email.day, label(email)).toBe(expected);
                const held = inputs.history.some((row) => row.emailType === email.emailType && row.eventDay === email.eventDay);
                expect(held, `${label(email)} is in history`).toBe(false);
              }
              // §5: skipped exactly when excluded, for the emails that respect windows.
              const excluded =
                respectsWindows(org, email.emailType) && refIsExcluded(facts.rule, facts.birth, facts.effective, config.timing.pre_window_exclusion_days, email.day);
              if (excluded) {
                const yearRound = facts.rule?.kind === 'year_round' || facts.rule?.kind === 'year_round_from_age';
                expect([email.status, email.skipCode], label(email)).toEqual(['skipped', yearRound ? 'year_round' : 'exclusion_window']);
                if (!yearRound && !followup) {
                  expectedPostWindows.add(refWindowHolding(facts.rule, facts.birth, facts.effective, config.timing.pre_window_exclusion_days, email.day)!.end + 1);
                }
              } else {
                expect(email.status === 'pre-scheduled' || email.skipCode === 'campaign_conflict', label(email)).toBe(true);
              }
            }
            // §6: one post_window email the day after each window that skipped something, unless history holds it.
            const postWindows = outcome.emails.filter((email) => email.emailType === 'post_window').map((email) => email.eventDay!);
            expect(new Set(postWindows).size).toBe(postWindows.length);
            for (const event of postWindows) expect(expectedPostWindows.has(event), `contact ${id} post_window ${event}`).toBe(true);
            for (const event of expectedPostWindows) {
              const heldByHistory = inputs.history.some(
                (row) => row.emailType === 'post_window' && (row.eventDay === event || row.scheduledDay === event),
              );
              expect(postWindows.includes(event) || heldByHistory, `contact ${id} misses post_window ${event}`).toBe(true);
            }
            // §7: one campaign email goes out per day; each one skipped for it lost to that one.
            for (const email of outcome.emails.filter((candidate) => candidate.skipCode === 'campaign_conflict')) {
              const winners = outcome.emails.filter(
                (other) => other.day === email.day && other.status === 'pre-scheduled' && other.emailType.startsWith('campaign_'),
              );
              expect(winners, label(email)).toHaveLength(1);
              const winner = winners[0]!;
              const order = winner.priority - email.priority || winner.campaignInstanceId! - email.campaignInstanceId! || winner.keyHash - email.keyHash;
              expect(order, label(email)).toBeLessThan(0);
            }
          }
        }),
        { numRuns: NUM_RUNS.placement },
      );
    });
  });

  describe('when contacts are scheduled straight into a table (the pipeline’s path)', () => {
    /** Every column of the table's emails, texts and types by value. */
    const emailRows = (table: CandidateTable): unknown[] =>
      Array.from({ length: table.emailCount }, (_, e) => [
        table.contactId[table.contactIndex[e]!],
        table.typeNames[table.typeCode[e]!],
        table.day[e],
        table.deadline[e],
        table.status[e],
        table.priority[e],
        table.keyHash[e],
        table.flags[e],
        table.eventDay[e],
        table.campaignInstanceId[e],
        table.textAt(table.emailTemplate[e]!),
        table.textAt(table.smsTemplate[e]!),
        table.textAt(table.skipReason[e]!),
        table.textAt(table.metadata[e]!),
      ]);

    it('holds exactly the emails scheduleContact returns as objects, contact by contact', () => {
      fc.assert(
        fc.property(organizationArb(), (org) => {
          const { context } = contextOf(org);
          const direct = new CandidateTable();
          const placement = contactPlacement(context, direct);
          const fromObjects = new CandidateTable();
          for (const inputs of [...org.contacts].sort((a, b) => a.contact.id - b.contact.id)) {
            const summary = scheduleContactInto(placement, inputs);
            const outcome = scheduleContact(context, inputs);
            expect(summary.usable).toBe(outcome.usable);
            if (outcome.usable) fromObjects.addContact(outcome.contactId, outcome.exclusion, outcome.emails, inputs.history);
          }
          expect(direct.contactCount).toBe(fromObjects.contactCount);
          expect(Array.from(direct.emailStart.subarray(0, direct.contactCount + 1))).toEqual(
            Array.from(fromObjects.emailStart.subarray(0, fromObjects.contactCount + 1)),
          );
          expect(emailRows(direct)).toEqual(emailRows(fromObjects));
        }),
        { numRuns: NUM_RUNS.tableMatchesObjects },
      );
    });
    const contactRows = (table: CandidateTable): unknown[] =>
      Array.from({ length: table.contactCount }, (_, c) => [
        table.contactId[c],
        table.emailStart[c + 1],
        table.historyStart[c + 1],
        table.windowAnchorYear[c],
        table.windowAnchorMonth[c],
        table.windowAnchorDay[c],
        table.windowUsesMonthStart[c],
        table.windowDaysBefore[c],
        table.windowDaysAfter[c],
        table.yearRoundFrom[c],
      ]);
    const historyRows = (table: CandidateTable): unknown[] =>
      Array.from({ length: table.historyCount }, (_, h) => [
        table.typeNames[table.historyType[h]!],
        table.historyScheduledDay[h],
        table.historySentDay[h],
        table.historyCountsForFrequency[h],
      ]);
    const scheduleInto = (org: GeneratedOrganization, table: CandidateTable): void => {
      const placement = contactPlacement(contextOf(org).context, table);
      for (const inputs of [...org.contacts].sort((a, b) => a.contact.id - b.contact.id)) scheduleContactInto(placement, inputs);
    };

    it('holds, once cleared and filled again, exactly what a new table filled the same way holds', () => {
      fc.assert(
        fc.property(organizationArb(), organizationArb(), (before, org) => {
          const reused = new CandidateTable();
          scheduleInto(before, reused);
          reused.clear();
          scheduleInto(org, reused);
          const fresh = new CandidateTable();
          scheduleInto(org, fresh);
          expect([reused.emailCount, reused.contactCount, reused.historyCount]).toEqual([fresh.emailCount, fresh.contactCount, fresh.historyCount]);
          expect(emailRows(reused)).toEqual(emailRows(fresh));
          expect(contactRows(reused)).toEqual(contactRows(fresh));
          expect(historyRows(reused)).toEqual(historyRows(fresh));
          expect(reused.texts).toEqual(fresh.texts);
          expect(reused.typeNames).toEqual(fresh.typeNames);
        }),
        { numRuns: NUM_RUNS.clearedTable },
      );
    });
  });

  describe('when each step of the finalizer has run', () => {
    it('leaves no pre-scheduled email inside its contact’s exclusion window after any step, and smooths effective dates exactly as §9.1 says', () => {
      fc.assert(
        fc.property(organizationArb(), (org) => {
          const { context, config } = contextOf(org);
          // The pipeline's path: contacts scheduled straight into one table.
          const table = new CandidateTable();
          const placement = contactPlacement(context, table);
          for (const inputs of [...org.contacts].sort((a, b) => a.contact.id - b.contact.id)) scheduleContactInto(placement, inputs);
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
          const before = Int32Array.from(table.day.subarray(0, table.emailCount));
          smoothEffectiveDates(table, existing, org.today, edLimit, balancing.ed_smoothing_window_days);
          checkAfter('effective-date smoothing');
          // §9.1 exactly: on days over ed_limit each effective_date email moves by (hash mod W) − floor(W/2), unless that breaks a rule.
          const W = balancing.ed_smoothing_window_days;
          const edPerDay = new Map<number, number>();
          for (const [d, count] of existing) edPerDay.set(d, count.effectiveDate);
          const isEd = (e: number) => table.typeNames[table.typeCode[e]!] === 'effective_date' && table.status[e] === STATUS_PRE_SCHEDULED;
          for (let e = 0; e < table.emailCount; e++) if (isEd(e)) edPerDay.set(before[e]!, (edPerDay.get(before[e]!) ?? 0) + 1);
          for (let e = 0; e < table.emailCount; e++) {
            if (!isEd(e)) {
              expect(table.day[e], 'only effective_date emails are smoothed').toBe(before[e]);
              continue;
            }
            const id = table.contactId[table.contactIndex[e]!]!;
            const inputs = org.contacts.find((candidate) => candidate.contact.id === id)!;
            const shifted = before[e]! + (table.keyHash[e]! % W) - Math.floor(W / 2);
            const deadline = config.timing.effective_date_days_before > 0 ? table.eventDay[e]! : Number.POSITIVE_INFINITY;
            const allowed =
              shifted >= org.today &&
              shifted <= deadline &&
              !excludedByRules(org, config, id, shifted) &&
              !inputs.history.some((row) => row.emailType === 'effective_date' && row.scheduledDay === shifted);
            const over = edPerDay.get(before[e]!)! > edLimit;
            expect(table.day[e], `contact ${id} effective_date from day ${before[e]}`).toBe(over && allowed ? shifted : before[e]);
          }
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
