import type { SchedulingContext } from '../context';
import { contactKeyPrefix } from '../hash/fnv1a';
import type { EmailCandidate } from '../types';
import { anniversaryEmail } from './anniversary-emails';

/** RULES.md §6: the email on the day after a window that caused a skip (E = that day, no deadline). */
export const postWindowEmail = (context: SchedulingContext, contactId: number, dayAfterWindow: number): EmailCandidate =>
  anniversaryEmail(context, contactKeyPrefix(contactId), 'post_window', dayAfterWindow, 0);
