import type { ContactRecord, UnusableReason } from '../types';

/** The state of a five-digit ZIP (given as a number), or undefined when unknown. */
export type ZipLookup = (zip5: number) => string | undefined;

const BLANK = /^\s*$/;
const DIGIT_0 = 48;
const DASH = 45;
const AT = 64;
const DOT = 46;

/** A code unit JavaScript's `\s` matches: white space and line terminators. */
const isRegExpSpace = (code: number): boolean =>
  code === 32 ||
  (code >= 9 && code <= 13) ||
  (code >= 0xa0 &&
    (code === 0xa0 ||
      code === 0x1680 ||
      (code >= 0x2000 && code <= 0x200a) ||
      code === 0x2028 ||
      code === 0x2029 ||
      code === 0x202f ||
      code === 0x205f ||
      code === 0x3000 ||
      code === 0xfeff));

/**
 * RULES.md §2's `^[^\s@]+@[^\s@]+\.[^\s@]+$` in one pass (the regular
 * expression costs a tenth of a contact's whole budget): one `@` after at
 * least one character, no white space, and a dot in the domain with a
 * character on each side.
 */
const isWellFormedEmail = (text: string): boolean => {
  const length = text.length;
  let at = -1;
  let dotInDomain = false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 32 && code < 127 && code !== AT && code !== DOT) continue;
    if (code === AT) {
      if (at >= 0 || i === 0) return false;
      at = i;
    } else if (code === DOT) {
      if (at >= 0 && i >= at + 2 && i <= length - 2) dotInDomain = true;
    } else if (isRegExpSpace(code)) {
      return false;
    }
  }
  return dotInDomain;
};

/** Null, empty or only whitespace. */
export const isBlank = (text: string): boolean =>
  text.length === 0 || ((text.charCodeAt(0) <= 32 || text.charCodeAt(0) >= 127) && BLANK.test(text));

const digitsValue = (text: string, from: number, to: number): number => {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - DIGIT_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
};

/**
 * The five-digit ZIP of a stored value, or null when it is malformed:
 * `NNNNN`, `NNNNN-NNNN` and `NNNNNNNNN` are read, and `NNNN` gets back the
 * leading zero a spreadsheet dropped.
 */
export const zip5Of = (zipCode: string): number | null => {
  const length = zipCode.length;
  if (length === 4 || length === 5) {
    const value = digitsValue(zipCode, 0, length);
    return value < 0 ? null : value;
  }
  if (length === 9 || (length === 10 && zipCode.charCodeAt(5) === DASH)) {
    const zip5 = digitsValue(zipCode, 0, 5);
    const plus4 = digitsValue(zipCode, length - 4, length);
    return zip5 < 0 || plus4 < 0 ? null : zip5;
  }
  return null;
};

export type Usability =
  | { readonly usable: true; readonly state: string; readonly stateDisagrees: boolean }
  | { readonly usable: false; readonly reason: UnusableReason };

/** The stored `contacts.state` names another state than the ZIP's (blank and case aside). */
export const storedStateDisagrees = (stored: string | null, state: string): boolean =>
  stored !== null && stored !== state && !isBlank(stored) && stored.trim().toUpperCase() !== state;

/** RULES.md §2: the first reason that applies, or the contact's state. */
export const contactUsability = (contact: ContactRecord, zipToState: ZipLookup): Usability => {
  const { email, zipCode } = contact;
  if (email === null || isBlank(email)) return { usable: false, reason: 'missing_email' };
  if (!isWellFormedEmail(email)) return { usable: false, reason: 'invalid_email' };
  if (zipCode === null || isBlank(zipCode)) return { usable: false, reason: 'missing_zip' };
  const zip5 = zip5Of(zipCode);
  const state = zip5 === null ? undefined : zipToState(zip5);
  if (state === undefined) return { usable: false, reason: 'unknown_zip' };
  return { usable: true, state, stateDisagrees: storedStateDisagrees(contact.state, state) };
};

/**
 * The state of a contact `contactUsability` finds usable, else undefined: its
 * answer without an object, for the per-contact path. The reasons' order does
 * not matter here, as a blank email or ZIP is never well formed.
 */
export const usableStateOf = (contact: ContactRecord, zipToState: ZipLookup): string | undefined => {
  const { email, zipCode } = contact;
  if (email === null || !isWellFormedEmail(email) || zipCode === null) return undefined;
  const zip5 = zip5Of(zipCode);
  return zip5 === null ? undefined : zipToState(zip5);
};
