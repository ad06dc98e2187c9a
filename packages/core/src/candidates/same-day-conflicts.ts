import type { EmailCandidate } from '../types';

const CAMPAIGN_PREFIX = 'campaign_';

/** Lower priority number first, then lower instance / initial-email id, then hash. */
const precedes = (a: EmailCandidate, b: EmailCandidate): number =>
  a.priority - b.priority || a.tieBreaker - b.tieBreaker || a.keyHash - b.keyHash;

const describe = (email: EmailCandidate): string =>
  `${email.emailType}${email.campaignInstanceId === null ? '' : ` (instance ${email.campaignInstanceId})`} with priority ${email.priority}`;

/** Two emails on one day that are both campaigns, or of one type: the only case with anything to resolve. */
const hasSameDayContest = (emails: readonly EmailCandidate[]): boolean => {
  for (let i = 1; i < emails.length; i++) {
    const a = emails[i]!;
    for (let j = 0; j < i; j++) {
      const b = emails[j]!;
      if (
        a.day === b.day &&
        (a.emailType === b.emailType || (a.emailType.startsWith(CAMPAIGN_PREFIX) && b.emailType.startsWith(CAMPAIGN_PREFIX)))
      ) {
        return true;
      }
    }
  }
  return false;
};

/**
 * RULES.md §7 and §8 on one contact's emails: two campaign emails on one day
 * leave the winner and skip the other (or drop it when of the winner's type);
 * and the table holds one row per type and day, so of two same-type emails on
 * one day only the one that takes precedence stays.
 */
export const resolveSameDayConflicts = (emails: EmailCandidate[]): EmailCandidate[] => {
  if (!hasSameDayContest(emails)) return emails;
  const ordered = [...emails].sort(
    (a, b) =>
      a.day - b.day ||
      (a.status === b.status ? 0 : a.status === 'pre-scheduled' ? -1 : 1) ||
      precedes(a, b),
  );
  const kept: EmailCandidate[] = [];
  let dayStart = 0;
  for (let i = 0; i < ordered.length; i++) {
    const email = ordered[i]!;
    if (i > 0 && email.day !== ordered[i - 1]!.day) dayStart = kept.length;
    let duplicate = false;
    let campaignWinner: EmailCandidate | null = null;
    for (let k = dayStart; k < kept.length; k++) {
      const other = kept[k]!;
      if (other.emailType === email.emailType) duplicate = true;
      if (campaignWinner === null && other.status === 'pre-scheduled' && other.emailType.startsWith(CAMPAIGN_PREFIX)) {
        campaignWinner = other;
      }
    }
    if (duplicate) continue;
    if (campaignWinner !== null && email.status === 'pre-scheduled' && email.emailType.startsWith(CAMPAIGN_PREFIX)) {
      email.status = 'skipped';
      email.skipCode = 'campaign_conflict';
      email.skipReason = `campaign_conflict: ${describe(campaignWinner)} goes out that day`;
    }
    kept.push(email);
  }
  return kept;
};
