import { epochDay, isLeapYear, packedDateOf } from './epoch-day';

/** `anniversary(event, Y)` of RULES.md §3: Feb 29 falls on Feb 28 in common years. */
export const anniversaryOf = (month: number, day: number, year: number): number =>
  month === 2 && day === 29 && !isLeapYear(year) ? epochDay(year, 2, 28) : epochDay(year, month, day);

/** `next(event)` of RULES.md §3: this year's anniversary if not yet past, else next year's. */
export const nextAnniversary = (eventDay: number, today: number): number => {
  const event = packedDateOf(eventDay);
  const month = Math.floor(event / 100) % 100;
  const day = event % 100;
  const todayYear = Math.floor(packedDateOf(today) / 10000);
  const thisYear = anniversaryOf(month, day, todayYear);
  return thisYear >= today ? thisYear : anniversaryOf(month, day, todayYear + 1);
};
