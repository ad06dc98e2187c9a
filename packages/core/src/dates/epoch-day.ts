/**
 * Calendar dates as integer day numbers (days since 1970-01-01). The
 * per-contact path works on these alone: no Date objects, no time zones.
 * Conversions follow Howard Hinnant's civil-days algorithms.
 */

export const isLeapYear = (year: number): boolean =>
  (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const daysInMonth = (year: number, month: number): number =>
  month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;

/** The day number of a (year, month, day) that is known to be valid. */
export const epochDay = (year: number, month: number, day: number): number => {
  const fastIndex = (year - TABLE_FIRST_YEAR) * 12 + month - 1;
  if (fastIndex >= 0 && fastIndex < MONTH_START.length) return MONTH_START[fastIndex]! + day - 1;
  return computeEpochDay(year, month, day);
};

const computeEpochDay = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
};

/** The civil date of a day number, packed as year * 10000 + month * 100 + day. */
export const packedDateOf = (dayNumber: number): number => {
  const fastIndex = dayNumber - TABLE_FIRST_DAY;
  if (fastIndex >= 0 && fastIndex < PACKED_DATE.length) return PACKED_DATE[fastIndex]!;
  return computePackedDate(dayNumber);
};

const computePackedDate = (dayNumber: number): number => {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10000 + month * 100 + day;
};

// Every date the rules meet lies in these years; tables make the conversions a
// single lookup on the per-contact path (the formulas above cover the rest).
const TABLE_FIRST_YEAR = 1900;
const TABLE_END_YEAR = 2200;
const TABLE_FIRST_DAY = computeEpochDay(TABLE_FIRST_YEAR, 1, 1);
const MONTH_START = new Int32Array((TABLE_END_YEAR - TABLE_FIRST_YEAR) * 12);
const PACKED_DATE = new Int32Array(computeEpochDay(TABLE_END_YEAR, 1, 1) - TABLE_FIRST_DAY);
for (let year = TABLE_FIRST_YEAR, i = 0; year < TABLE_END_YEAR; year++) {
  for (let month = 1; month <= 12; month++, i++) MONTH_START[i] = computeEpochDay(year, month, 1);
}
for (let i = 0; i < PACKED_DATE.length; i++) PACKED_DATE[i] = computePackedDate(TABLE_FIRST_DAY + i);

export const yearOf = (dayNumber: number): number => {
  const packed = packedDateOf(dayNumber);
  // Integer division is exact from year 0 on, and far cheaper than Math.floor of a float division.
  return packed >= 0 ? (packed / 10000) | 0 : Math.floor(packed / 10000);
};
export const monthOf = (dayNumber: number): number => Math.floor(packedDateOf(dayNumber) / 100) % 100;
export const dayOfMonthOf = (dayNumber: number): number => packedDateOf(dayNumber) % 100;

const DIGIT_0 = 48;
const DASH = 45;

const digitAt = (text: string, index: number): number => {
  const digit = text.charCodeAt(index) - DIGIT_0;
  return digit >= 0 && digit <= 9 ? digit : -100_000;
};

/**
 * Parses a strict `YYYY-MM-DD` calendar date. Anything else (other shapes,
 * `1990-02-30`, surrounding spaces) is `null`.
 */
export const parseIsoDate = (text: string | null | undefined): number | null => {
  if (text == null || text.length !== 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return null;
  const year = digitAt(text, 0) * 1000 + digitAt(text, 1) * 100 + digitAt(text, 2) * 10 + digitAt(text, 3);
  const month = digitAt(text, 5) * 10 + digitAt(text, 6);
  const day = digitAt(text, 8) * 10 + digitAt(text, 9);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return epochDay(year, month, day);
};

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export const formatIsoDate = (dayNumber: number): string => {
  const packed = packedDateOf(dayNumber);
  const year = Math.floor(packed / 10000);
  return `${String(year).padStart(4, '0')}-${pad2(Math.floor(packed / 100) % 100)}-${pad2(packed % 100)}`;
};

/**
 * A day number no date reaches: "no deadline", "never". 2^30 − 1, the largest
 * small integer V8 keeps unboxed: a larger one would turn every email object's
 * deadline into a heap-allocated number.
 */
export const NO_DAY = 1_073_741_823;

/**
 * The latest effective date or campaign trigger date a schedule is built around, as the latest day a run may be
 * as of (`@scheduler/queue`'s LATEST_AS_OF). The rules date emails up to about twelve years past their anchor, and
 * every date written must keep a four-digit year (CONTRACT.md: `YYYY-MM-DD`, compared as text by the sender):
 * an anchor past this day would give rows dated in year 10000, which sort before today.
 */
export const LATEST_ANCHOR_DAY = epochDay(9979, 12, 31);
