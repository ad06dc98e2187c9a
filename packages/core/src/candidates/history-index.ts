import type { HistoryEmail } from '../types';

const FOLLOWUP_PREFIX = 'followup_';

const isFollowup = (row: HistoryEmail): boolean => row.emailType.startsWith(FOLLOWUP_PREFIX);

/**
 * What the sender has touched for one contact, as RULES.md §4 and §8 need it:
 * the keys that may not be scheduled again, the (type, day) pairs already
 * taken, and the initial emails that already have a follow-up.
 *
 * Each question scans the contact's history rows: a contact has a handful,
 * and sets of keys built per contact (three sets, a text per row and per
 * lookup) were the per-contact path's largest allocation for contacts with history.
 */
export class HistoryIndex {
  constructor(private readonly history: readonly HistoryEmail[]) {}

  /** An email with this key (type and event day) was already handed to the sender. */
  blocksEvent(emailType: string, eventDay: number): boolean {
    const { history } = this;
    for (let i = 0; i < history.length; i++) {
      const row = history[i]!;
      if (row.eventDay === eventDay && row.emailType === emailType && !isFollowup(row)) return true;
    }
    return false;
  }

  /** A follow-up of this type for this initial email was already handed to the sender. */
  blocksFollowup(emailType: string, initialEmailId: number): boolean {
    const { history } = this;
    for (let i = 0; i < history.length; i++) {
      const row = history[i]!;
      if (row.initialEmailId === initialEmailId && row.emailType === emailType && isFollowup(row)) return true;
    }
    return false;
  }

  /** The initial email already has a follow-up the sender holds (of any follow-up type). */
  followsUp(initialEmailId: number): boolean {
    const { history } = this;
    for (let i = 0; i < history.length; i++) {
      const row = history[i]!;
      if (row.initialEmailId === initialEmailId && isFollowup(row)) return true;
    }
    return false;
  }

  /** The sender already holds a row of this type on this day. */
  takes(emailType: string, day: number): boolean {
    const { history } = this;
    for (let i = 0; i < history.length; i++) {
      const row = history[i]!;
      if (row.scheduledDay === day && row.emailType === emailType) return true;
    }
    return false;
  }
}
