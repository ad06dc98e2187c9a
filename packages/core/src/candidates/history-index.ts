import type { HistoryEmail } from '../types';

const FOLLOWUP_PREFIX = 'followup_';

/**
 * What the sender has touched for one contact, as RULES.md §4 and §8 need it:
 * the keys that may not be scheduled again, the (type, day) pairs already
 * taken, and the initial emails that already have a follow-up.
 */
export class HistoryIndex {
  private readonly keys = new Set<string>();
  private readonly taken = new Set<string>();
  readonly followedUp = new Set<number>();

  constructor(history: readonly HistoryEmail[]) {
    for (const row of history) {
      this.taken.add(`${row.emailType}|${row.scheduledDay}`);
      if (row.emailType.startsWith(FOLLOWUP_PREFIX)) {
        if (row.initialEmailId !== null) {
          this.followedUp.add(row.initialEmailId);
          this.keys.add(`${row.emailType}|#${row.initialEmailId}`);
        }
      } else if (row.eventDay !== null) {
        this.keys.add(`${row.emailType}|${row.eventDay}`);
      }
    }
  }

  /** An email with this key was already handed to the sender. */
  blocksEvent(emailType: string, eventDay: number): boolean {
    return this.keys.has(`${emailType}|${eventDay}`);
  }

  blocksFollowup(emailType: string, initialEmailId: number): boolean {
    return this.keys.has(`${emailType}|#${initialEmailId}`);
  }

  /** The sender already holds a row of this type on this day. */
  takes(emailType: string, day: number): boolean {
    return this.taken.has(`${emailType}|${day}`);
  }
}
