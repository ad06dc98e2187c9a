import type { Usability } from './contacts/contact-usability';
import { TWO_LETTER_CODES, twoLetterIndex } from './contacts/state-code';
import type { BadDateReason, UnusableReason } from './types';

export interface UnusableContact {
  readonly usable: false;
  readonly reason: UnusableReason;
}

export interface UsableContact {
  readonly usable: true;
  readonly state: string;
  readonly stateDisagrees: boolean;
  readonly badDates: readonly BadDateReason[];
  readonly malformedTriggers: number;
}

/**
 * What a run counts of one scheduled contact (its emails are in the table it
 * was scheduled into). Nothing in it names the contact, so contacts alike
 * share one summary: a run makes no object per contact for it.
 */
export type ContactSummary = UnusableContact | UsableContact;

export const NO_BAD_DATES: readonly BadDateReason[] = [];

const UNUSABLE: Readonly<Record<UnusableReason, UnusableContact>> = {
  missing_email: { usable: false, reason: 'missing_email' },
  invalid_email: { usable: false, reason: 'invalid_email' },
  missing_zip: { usable: false, reason: 'missing_zip' },
  unknown_zip: { usable: false, reason: 'unknown_zip' },
};

/** The summary of a contact `contactUsability` found unusable. */
export const unusableSummary = (usability: Usability): UnusableContact => {
  if (usability.usable) throw new Error(`a contact of ${usability.state} is usable: it has no unusable summary`);
  return UNUSABLE[usability.reason];
};

// Nearly every contact has no bad date, no malformed trigger and no stored
// state at odds with its ZIP's: one summary per state code serves them all.
const plainSummaries = new Array<UsableContact | undefined>(TWO_LETTER_CODES).fill(undefined);

/** The summary of a usable contact. */
export const usableSummary = (
  state: string,
  stateDisagrees: boolean,
  badDates: readonly BadDateReason[],
  malformedTriggers: number,
): UsableContact => {
  const code = twoLetterIndex(state);
  if (code < 0 || stateDisagrees || badDates !== NO_BAD_DATES || malformedTriggers !== 0) {
    return { usable: true, state, stateDisagrees, badDates, malformedTriggers };
  }
  let summary = plainSummaries[code];
  if (summary === undefined) {
    summary = { usable: true, state, stateDisagrees: false, badDates: NO_BAD_DATES, malformedTriggers: 0 };
    plainSummaries[code] = summary;
  }
  return summary;
};
