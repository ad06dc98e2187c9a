/**
 * An independent reading of RULES.md, written from the rule text with the
 * platform's own calendar (Date.UTC) and byte encoder, sharing no code with
 * the implementation. The property tests judge the scheduler's output with it.
 */

const MS_PER_DAY = 86_400_000;

/** `epochDay(d)` of RULES.md §1 for (year, month 1–12, day). */
export const refEpochDay = (year: number, month: number, dayOfMonth: number): number => {
  // setUTCFullYear, unlike Date.UTC, takes years 0–99 literally.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, dayOfMonth);
  return date.getTime() / MS_PER_DAY;
};

export const refDateOf = (dayNumber: number): { year: number; month: number; day: number } => {
  const date = new Date(dayNumber * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
};

const isLeap = (year: number): boolean => refDateOf(refEpochDay(year, 2, 29)).month === 2;

/** A strict `YYYY-MM-DD` calendar date, or null (RULES.md §2). */
export const refParseDate = (text: string | null): { year: number; month: number; day: number } | null => {
  if (text === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return null;
  const [year, month, dayOfMonth] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = refDateOf(refEpochDay(year, month, dayOfMonth));
  if (date.year !== year || date.month !== month || date.day !== dayOfMonth) return null;
  return date;
};

/** `anniversary(event, Y)` of RULES.md §3. */
export const refAnniversary = (month: number, dayOfMonth: number, year: number): number =>
  month === 2 && dayOfMonth === 29 && !isLeap(year) ? refEpochDay(year, 2, 28) : refEpochDay(year, month, dayOfMonth);

/** FNV-1a 32-bit over UTF-8 bytes, with BigInt arithmetic (RULES.md §1). */
export const refFnv1a = (text: string): number => {
  let hash = 2166136261n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 16777619n) % 4294967296n;
  }
  return Number(hash);
};

export type RefStateRule =
  | { kind: 'birthday_window' | 'effective_date_window'; before: number; after: number; use_month_start?: boolean }
  | { kind: 'year_round' }
  | { kind: 'year_round_from_age'; min_age: number };

/** RULES.md §5: the dated window holding `d` (the earliest year's, should two), or null. */
export const refWindowHolding = (
  rule: RefStateRule | undefined,
  birth: { year: number; month: number; day: number } | null,
  effective: { year: number; month: number; day: number } | null,
  preWindowDays: number,
  d: number,
): { start: number; end: number } | null => {
  if (rule === undefined || (rule.kind !== 'birthday_window' && rule.kind !== 'effective_date_window')) return null;
  const anchor = rule.kind === 'birthday_window' ? birth : effective;
  if (anchor === null) return null;
  const year = refDateOf(d).year;
  for (const y of [year - 1, year, year + 1]) {
    if (y < anchor.year) continue;
    const a = rule.use_month_start === true ? refEpochDay(y, anchor.month, 1) : refAnniversary(anchor.month, anchor.day, y);
    if (d >= a - rule.before - preWindowDays && d <= a + rule.after) return { start: a - rule.before - preWindowDays, end: a + rule.after };
  }
  return null;
};

/**
 * RULES.md §5: whether `d` is in the exclusion of a contact of a state with
 * `rule`, given its (valid, already checked) birth and effective dates.
 */
export const refIsExcluded = (
  rule: RefStateRule | undefined,
  birth: { year: number; month: number; day: number } | null,
  effective: { year: number; month: number; day: number } | null,
  preWindowDays: number,
  d: number,
): boolean => {
  if (rule === undefined) return false;
  if (rule.kind === 'year_round') return true;
  if (rule.kind === 'year_round_from_age') {
    return birth !== null && d >= refAnniversary(birth.month, birth.day, birth.year + rule.min_age);
  }
  return refWindowHolding(rule, birth, effective, preWindowDays, d) !== null;
};

/** `YYYY-MM-DD` of a day number. */
export const refIso = (dayNumber: number): string => {
  const { year, month, day } = refDateOf(dayNumber);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
};
