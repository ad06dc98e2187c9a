import type { ContactRecord, UnusableReason } from '../types';

/** The state of a five-digit ZIP (given as a number), or undefined when unknown. */
export type ZipLookup = (zip5: number) => string | undefined;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BLANK = /^\s*$/;
const ZIP = /^(\d{5})(?:-?\d{4})?$/;
const ZIP_MISSING_LEADING_ZERO = /^\d{4}$/;

/** The five-digit ZIP of a stored value, or null when it is malformed. */
export const zip5Of = (zipCode: string): number | null => {
  if (ZIP_MISSING_LEADING_ZERO.test(zipCode)) return Number(zipCode);
  const match = ZIP.exec(zipCode);
  return match === null ? null : Number(match[1]);
};

export type Usability =
  | { readonly usable: true; readonly state: string; readonly stateDisagrees: boolean }
  | { readonly usable: false; readonly reason: UnusableReason };

/** RULES.md §2: the first reason that applies, or the contact's state. */
export const contactUsability = (contact: ContactRecord, zipToState: ZipLookup): Usability => {
  const { email, zipCode } = contact;
  if (email === null || BLANK.test(email)) return { usable: false, reason: 'missing_email' };
  if (!EMAIL.test(email)) return { usable: false, reason: 'invalid_email' };
  if (zipCode === null || BLANK.test(zipCode)) return { usable: false, reason: 'missing_zip' };
  const zip5 = zip5Of(zipCode);
  const state = zip5 === null ? undefined : zipToState(zip5);
  if (state === undefined) return { usable: false, reason: 'unknown_zip' };
  const stored = contact.state?.trim().toUpperCase() ?? '';
  return { usable: true, state, stateDisagrees: stored !== '' && stored !== state };
};
