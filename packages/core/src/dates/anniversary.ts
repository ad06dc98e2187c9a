import { epochDay, isLeapYear, packedDateOf } from './epoch-day';

/** `anniversary(event, Y)` of RULES.md §3: Feb 29 falls on Feb 28 in common years. */
export const anniversaryOf = (month: number, day: number, year: number): number =>
  month === 2 && day === 29 && !isLeapYear(year) ? epochDay(year, 2, 28) : epochDay(year, month, day);

/** `next(event)` of RULES.md §3: this year's anniversary if not yet past, else next year's. */
export const nextAnniversary = (eventDay: number, today: number): number => {
  // Parsed dates lie in years 0–9999, where integer division of the packed
  // form is exact (and far cheaper than Math.floor of a float division).
  const event = packedDateOf(eventDay);
  const month = ((event / 100) | 0) % 100;
  const day = event % 100;
  const todayYear = (packedDateOf(today) / 10000) | 0;
  const thisYear = anniversaryOf(month, day, todayYear);
  return thisYear >= today ? thisYear : anniversaryOf(month, day, todayYear + 1);
};
