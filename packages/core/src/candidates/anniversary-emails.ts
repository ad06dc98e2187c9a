import { nextAnniversary } from '../dates/anniversary';
import { NO_DAY } from '../dates/epoch-day';
import type { EmailKind } from '../context';
import { contactKeyPrefix, emailKeyHashBitsAfter } from '../hash/fnv1a';
import type { ContactEmails } from './contact-emails';
import type { Placement } from './placement';

/** Adds an email of an anniversary type (birthday, effective date, AEP, post-window) on its ideal day; returns its row. */
export const addAnniversaryEmail = (
  out: ContactEmails,
  kind: EmailKind,
  keyPrefix: number,
  eventDay: number,
  daysBefore: number,
): number => {
  const idealDay = eventDay - daysBefore;
  return out.addOfKind(
    kind,
    eventDay,
    idealDay,
    idealDay < eventDay ? eventDay : NO_DAY,
    emailKeyHashBitsAfter(keyPrefix, kind.keyBytes, eventDay),
  );
};

/** Birthday, effective-date and AEP emails of RULES.md §4, each placed as it is added. */
export const addAnniversaryEmails = (
  placement: Placement,
  contactId: number,
  birthDay: number | null,
  effectiveDay: number | null,
): void => {
  const { out, context } = placement;
  const { today, config, anniversaryKinds } = context;
  const keyPrefix = contactKeyPrefix(contactId);
  if (birthDay !== null) {
    const event = nextAnniversary(birthDay, today);
    const e = addAnniversaryEmail(out, anniversaryKinds.birthday, keyPrefix, event, config.timing.birthday_email_days_before);
    placement.place(e, false);
  }
  if (effectiveDay !== null) {
    // A policy not yet in force is its own next occurrence.
    const event = Math.max(nextAnniversary(effectiveDay, today), effectiveDay);
    const daysBefore = config.timing.effective_date_days_before;
    placement.place(addAnniversaryEmail(out, anniversaryKinds.effective_date, keyPrefix, event, daysBefore), false);
  }
  // Indexed loops on the per-contact path: an unoptimized for…of allocates an iterator.
  const { aepDays } = context;
  for (let i = 0; i < aepDays.length; i++) placement.place(addAnniversaryEmail(out, anniversaryKinds.aep, keyPrefix, aepDays[i]!, 0), false);
};
