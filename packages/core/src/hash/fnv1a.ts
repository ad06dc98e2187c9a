import { packedDateOf } from '../dates/epoch-day';

/**
 * FNV-1a 32-bit (RULES.md §1), built up piece by piece so that an email's key
 * `contact_id|email_type|event_date` is hashed without building the string.
 */
export const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;

const appendByte = (hash: number, byte: number): number => Math.imul(hash ^ byte, FNV_PRIME) >>> 0;

/** Appends the UTF-8 bytes of `text`. */
export const fnvAppendString = (hash: number, text: string): number => {
  let h = hash;
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

const DIGIT_0 = 48;
const PIPE = 124;
const DASH = 45;

const digitBuffer = new Uint8Array(24);

/** Appends the decimal digits of an integer ('-' first when negative). */
export const fnvAppendInteger = (hash: number, value: number): number => {
  let h = hash;
  let rest = value;
  if (rest < 0) {
    h = appendByte(h, DASH);
    rest = -rest;
  }
  let count = 0;
  do {
    digitBuffer[count++] = rest % 10;
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  while (count > 0) h = appendByte(h, DIGIT_0 + digitBuffer[--count]!);
  return h;
};

const appendTwoDigits = (hash: number, value: number): number =>
  appendByte(appendByte(hash, DIGIT_0 + ((value / 10) | 0)), DIGIT_0 + (value % 10));

/** Appends a day number as `YYYY-MM-DD`. */
export const fnvAppendIsoDate = (hash: number, dayNumber: number): number => {
  const packed = packedDateOf(dayNumber);
  const year = Math.floor(packed / 10000);
  let h = appendTwoDigits(appendTwoDigits(hash, (year / 100) | 0), year % 100);
  h = appendTwoDigits(appendByte(h, DASH), Math.floor(packed / 100) % 100);
  return appendTwoDigits(appendByte(h, DASH), packed % 100);
};

export const fnv1a = (text: string): number => fnvAppendString(FNV_OFFSET_BASIS, text);

/** The hash state after `contact_id|`, shared by every key of one contact. */
export const contactKeyPrefix = (contactId: number): number =>
  appendByte(fnvAppendInteger(FNV_OFFSET_BASIS, contactId), PIPE);

/** hash(`contact_id|email_type|event_date`), from the contact's prefix. */
export const emailKeyHashAfter = (prefix: number, emailType: string, eventDay: number): number =>
  fnvAppendIsoDate(appendByte(fnvAppendString(prefix, emailType), PIPE), eventDay);

/** hash(`contact_id|email_type|event_date`). */
export const emailKeyHash = (contactId: number, emailType: string, eventDay: number): number =>
  emailKeyHashAfter(contactKeyPrefix(contactId), emailType, eventDay);

/** hash(`contact_id|email_type|initial_email_id`), the key of a follow-up. */
export const followupKeyHash = (contactId: number, emailType: string, initialEmailId: number): number => {
  let h = fnvAppendInteger(FNV_OFFSET_BASIS, contactId);
  h = fnvAppendString(appendByte(h, PIPE), emailType);
  return fnvAppendInteger(appendByte(h, PIPE), initialEmailId);
};
