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

/** Appends the decimal digits of a non-negative integer (or '-' and digits). */
export const fnvAppendInteger = (hash: number, value: number): number => {
  if (value < 0) return fnvAppendInteger(appendByte(hash, DASH), -value);
  let divisor = 1;
  while (divisor * 10 <= value) divisor *= 10;
  let h = hash;
  for (; divisor >= 1; divisor /= 10) h = appendByte(h, DIGIT_0 + (Math.floor(value / divisor) % 10));
  return h;
};

const appendDigits = (hash: number, value: number, width: number): number => {
  let h = hash;
  for (let divisor = 10 ** (width - 1); divisor >= 1; divisor /= 10) {
    h = appendByte(h, DIGIT_0 + (Math.floor(value / divisor) % 10));
  }
  return h;
};

/** Appends a day number as `YYYY-MM-DD`. */
export const fnvAppendIsoDate = (hash: number, dayNumber: number): number => {
  const packed = packedDateOf(dayNumber);
  let h = appendDigits(hash, Math.floor(packed / 10000), 4);
  h = appendByte(h, DASH);
  h = appendDigits(h, Math.floor(packed / 100) % 100, 2);
  h = appendByte(h, DASH);
  return appendDigits(h, packed % 100, 2);
};

export const fnv1a = (text: string): number => fnvAppendString(FNV_OFFSET_BASIS, text);

/** hash(`contact_id|email_type|event_date`). */
export const emailKeyHash = (contactId: number, emailType: string, eventDay: number): number => {
  let h = fnvAppendInteger(FNV_OFFSET_BASIS, contactId);
  h = fnvAppendString(appendByte(h, PIPE), emailType);
  return fnvAppendIsoDate(appendByte(h, PIPE), eventDay);
};

/** hash(`contact_id|email_type|initial_email_id`), the key of a follow-up. */
export const followupKeyHash = (contactId: number, emailType: string, initialEmailId: number): number => {
  let h = fnvAppendInteger(FNV_OFFSET_BASIS, contactId);
  h = fnvAppendString(appendByte(h, PIPE), emailType);
  return fnvAppendInteger(appendByte(h, PIPE), initialEmailId);
};
