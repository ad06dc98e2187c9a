import { packedDateOf } from '../dates/epoch-day';

/**
 * FNV-1a 32-bit (RULES.md §1), built up piece by piece so that an email's key
 * `contact_id|email_type|event_date` is hashed without building the string.
 * The running state is kept as a signed 32-bit integer (the same bits) and
 * turned unsigned only at the end: V8 keeps int32 values unboxed, while
 * unsigned values above 2^31 would be boxed on every byte.
 */
const FNV_OFFSET_BASIS_INT32 = 2166136261 | 0;
const FNV_PRIME = 16777619;
const PIPE = 124;
const DASH = 45;
const DIGIT_0 = 48;

const appendByte = (state: number, byte: number): number => Math.imul(state ^ byte, FNV_PRIME);

/** Appends the UTF-8 bytes of `text`. */
const appendString = (state: number, text: string): number => {
  let h = state;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      h = appendByte(h, code);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd; // a lone surrogate encodes as U+FFFD, as TextEncoder does
    if (code < 0x800) {
      h = appendByte(h, 0xc0 | (code >> 6));
    } else if (code < 0x10000) {
      h = appendByte(h, 0xe0 | (code >> 12));
      h = appendByte(h, 0x80 | ((code >> 6) & 0x3f));
    } else {
      h = appendByte(h, 0xf0 | (code >> 18));
      h = appendByte(h, 0x80 | ((code >> 12) & 0x3f));
      h = appendByte(h, 0x80 | ((code >> 6) & 0x3f));
    }
    h = appendByte(h, 0x80 | (code & 0x3f));
  }
  return h;
};

const digits = new Int32Array(20);

/** Appends the decimal digits of a non-negative safe integer. */
const appendNonNegativeInteger = (state: number, value: number): number => {
  let count = 0;
  let rest = value;
  if (rest <= 0x7fffffff) {
    // Integer division by a constant compiles to a multiplication: far cheaper than floating-point division.
    let small = rest | 0;
    do {
      digits[count++] = small % 10;
      small = (small / 10) | 0;
    } while (small > 0);
  } else {
    do {
      digits[count++] = rest % 10;
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }
  let h = state;
  while (count > 0) h = appendByte(h, DIGIT_0 + digits[--count]!);
  return h;
};

const appendInteger = (state: number, value: number): number =>
  value < 0 ? appendNonNegativeInteger(appendByte(state, DASH), -value) : appendNonNegativeInteger(state, value);

const appendTwoDigits = (state: number, value: number): number =>
  appendByte(appendByte(state, DIGIT_0 + ((value / 10) | 0)), DIGIT_0 + (value % 10));

/** Appends a day number as `YYYY-MM-DD` (years 0–9999: packed dates then fit in int32 arithmetic). */
const appendIsoDate = (state: number, dayNumber: number): number => {
  const packed = packedDateOf(dayNumber) | 0;
  const year = (packed / 10000) | 0;
  let h = appendTwoDigits(appendTwoDigits(state, (year / 100) | 0), year % 100);
  h = appendTwoDigits(appendByte(h, DASH), ((packed / 100) | 0) % 100);
  return appendTwoDigits(appendByte(h, DASH), packed % 100);
};

/**
 * The UTF-8 bytes of `email_type|`, encoded once per type rather than per
 * email (a plain array: its loads cost less than a typed array's).
 */
export const typeKeyBytes = (emailType: string): readonly number[] => Array.from(new TextEncoder().encode(`${emailType}|`));

const appendBytes = (state: number, bytes: readonly number[]): number => {
  let h = state;
  for (let i = 0; i < bytes.length; i++) h = appendByte(h, bytes[i]!);
  return h;
};

/** FNV-1a of the UTF-8 bytes of `text`, unsigned. */
export const fnv1a = (text: string): number => appendString(FNV_OFFSET_BASIS_INT32, text) >>> 0;

// Contacts come in id order, and consecutive ids share all their digits but
// the last: the state after those is kept for the next id.
let cachedTens = -1;
let cachedTensState = 0;

/** The hash state after `contact_id|`, shared by every key of one contact. */
export const contactKeyPrefix = (contactId: number): number => {
  if (contactId < 10 || contactId > 0x7fffffff) return appendByte(appendInteger(FNV_OFFSET_BASIS_INT32, contactId), PIPE);
  const tens = (contactId / 10) | 0;
  if (tens !== cachedTens) {
    cachedTensState = appendNonNegativeInteger(FNV_OFFSET_BASIS_INT32, tens);
    cachedTens = tens;
  }
  return appendByte(appendByte(cachedTensState, DIGIT_0 + (contactId - tens * 10)), PIPE);
};

/**
 * hash(`contact_id|email_type|event_date`) from the contact's prefix and
 * `typeKeyBytes(email_type)`, as the int32 of the same bits: a typed column
 * stores it as is, while an unsigned value above 2^31 would be boxed on its
 * way there (an allocation per email).
 */
export const emailKeyHashBitsAfter = (prefix: number, typeBytes: readonly number[], eventDay: number): number =>
  appendIsoDate(appendBytes(prefix, typeBytes), eventDay);

/** hash(`contact_id|email_type|event_date`). */
export const emailKeyHash = (contactId: number, emailType: string, eventDay: number): number =>
  appendIsoDate(appendByte(appendString(contactKeyPrefix(contactId), emailType), PIPE), eventDay) >>> 0;

/** hash(`contact_id|email_type|initial_email_id`), the key of a follow-up. */
export const followupKeyHash = (contactId: number, emailType: string, initialEmailId: number): number =>
  appendInteger(appendByte(appendString(contactKeyPrefix(contactId), emailType), PIPE), initialEmailId) >>> 0;
