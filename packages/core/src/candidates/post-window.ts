import { contactKeyPrefix } from '../hash/fnv1a';
import { addAnniversaryEmail } from './anniversary-emails';
import type { Placement } from './placement';

/** RULES.md §6: the email on the day after a window that caused a skip (E = that day, no deadline), placed. */
export const addPostWindowEmail = (placement: Placement, contactId: number, dayAfterWindow: number): void => {
  const kind = placement.context.anniversaryKinds.post_window;
  placement.place(addAnniversaryEmail(placement.out, kind, contactKeyPrefix(contactId), dayAfterWindow, 0), false);
};
