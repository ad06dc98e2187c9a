import { anniversaryProposals } from './candidates/anniversary-emails';
import { campaignProposals } from './candidates/campaign-emails';
import { followupProposals } from './candidates/followup-emails';
import { HistoryIndex } from './candidates/history-index';
import { postWindowProposal } from './candidates/post-window';
import type { Proposal } from './candidates/proposal';
import { resolveSameDayConflicts } from './candidates/same-day-conflicts';
import { contactUsability } from './contacts/contact-usability';
import type { SchedulingContext } from './context';
import { catchUpDay } from './dates/catch-up';
import { parseIsoDate } from './dates/epoch-day';
import { exclusionReason, windowEndOf, windowYearContaining, type Exclusion } from './rules/exclusion';
import { exclusionFor } from './rules/rule-kinds';
import type { BadDateReason, ContactInputs, EmailCandidate, UnusableReason } from './types';

export type ContactOutcome =
  | { readonly usable: false; readonly contactId: number; readonly reason: UnusableReason }
  | {
      readonly usable: true;
      readonly contactId: number;
      readonly state: string;
      readonly stateDisagrees: boolean;
      readonly badDates: readonly BadDateReason[];
      readonly malformedTriggers: number;
      readonly exclusion: Exclusion | null;
      readonly emails: EmailCandidate[];
    };

const BLANK = /^\s*$/;
const NO_BAD_DATES: readonly BadDateReason[] = [];

/** A stored date as a day number; a malformed one is reported and treated as missing. */
const readDate = (text: string | null, latestDay: number): { day: number | null; bad: boolean } => {
  if (text === null || BLANK.test(text)) return { day: null, bad: false };
  const day = parseIsoDate(text);
  return day === null || day > latestDay ? { day: null, bad: true } : { day, bad: false };
};

/**
 * Every email one contact should get, before the organization-wide steps of
 * RULES.md §9: candidates (§4, §7, §8), history blocking, catch-up, exclusion
 * windows and post-window emails (§5, §6), and same-day conflicts (§7).
 */
export const scheduleContact = (context: SchedulingContext, inputs: ContactInputs): ContactOutcome => {
  const { contact, history, targets, behaviour } = inputs;
  const contactId = contact.id;
  const usability = contactUsability(contact, context.zipToState);
  if (!usability.usable) return { usable: false, contactId, reason: usability.reason };

  const { today, config } = context;
  const birth = readDate(contact.birthDate, today);
  const effective = readDate(contact.effectiveDate, Number.MAX_SAFE_INTEGER);
  let badDates = NO_BAD_DATES;
  if (birth.bad || effective.bad) {
    const found: BadDateReason[] = [];
    if (birth.bad) found.push('invalid_birth_date');
    if (effective.bad) found.push('invalid_effective_date');
    badDates = found;
  }

  const exclusion = exclusionFor(
    config.state_rules[usability.state],
    { state: usability.state, birthDay: birth.day, effectiveDay: effective.day },
    { preWindowExclusionDays: config.timing.pre_window_exclusion_days },
  );
  const index = history.length === 0 ? null : new HistoryIndex(history);
  const spreadDays = config.load_balancing.catch_up_spread_days;
  const emails: EmailCandidate[] = [];
  const skippingWindowYears: number[] = [];

  const place = (proposal: Proposal): void => {
    if (index !== null) {
      const blocked =
        proposal.initialEmailId !== null
          ? index.blocksFollowup(proposal.emailType, proposal.initialEmailId)
          : proposal.eventDay !== null && index.blocksEvent(proposal.emailType, proposal.eventDay);
      if (blocked) return;
    }
    const day = proposal.exactDay
      ? proposal.idealDay
      : catchUpDay(proposal.idealDay, proposal.deadline, today, spreadDays, proposal.keyHash);
    if (index !== null && index.takes(proposal.emailType, day)) return;
    const reason = proposal.respectsWindows && exclusion !== null ? exclusionReason(exclusion, day) : null;
    emails.push({
      emailType: proposal.emailType,
      eventDay: proposal.eventDay,
      day,
      deadline: proposal.deadline,
      status: reason === null ? 'pre-scheduled' : 'skipped',
      skipCode: reason === null ? null : reason.startsWith('year_round') ? 'year_round' : 'exclusion_window',
      skipReason: reason,
      priority: proposal.priority,
      keyHash: proposal.keyHash,
      tieBreaker: proposal.tieBreaker,
      respectsWindows: proposal.respectsWindows,
      isFollowup: proposal.isFollowup,
      campaignInstanceId: proposal.campaignInstanceId,
      emailTemplate: proposal.emailTemplate,
      smsTemplate: proposal.smsTemplate,
      metadata: proposal.metadata,
    });
    if (reason !== null && !proposal.isFollowup && exclusion?.window != null && day < exclusion.yearRoundFrom) {
      const year = windowYearContaining(exclusion.window, day);
      if (!skippingWindowYears.includes(year)) skippingWindowYears.push(year);
    }
  };

  for (const proposal of anniversaryProposals(context, contactId, birth.day, effective.day)) place(proposal);
  const campaigns = campaignProposals(context, contactId, targets);
  for (const proposal of campaigns.proposals) place(proposal);
  if (index !== null) {
    for (const proposal of followupProposals(context, contactId, history, index, behaviour)) place(proposal);
  }
  // A post-window email may itself fall in a later window, which then earns its own.
  for (let i = 0; i < skippingWindowYears.length; i++) {
    place(postWindowProposal(context, contactId, windowEndOf(exclusion!.window!, skippingWindowYears[i]!) + 1));
  }

  return {
    usable: true,
    contactId,
    state: usability.state,
    stateDisagrees: usability.stateDisagrees,
    badDates,
    malformedTriggers: campaigns.malformedTriggers,
    exclusion,
    emails: resolveSameDayConflicts(emails),
  };
};
