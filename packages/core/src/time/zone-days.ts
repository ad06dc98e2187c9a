import { DateTime } from 'luxon';
import { epochDay, parseIsoDate } from '../dates/epoch-day';

/** The calendar day it is at `instant` in `timeZone`: the run's "today" (RULES.md §1). */
export const dayInZone = (instant: Date, timeZone: string): number => {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!local.isValid) throw new Error(`cannot read the date in time zone ${timeZone}`);
  return epochDay(local.year, local.month, local.day);
};

const UTC_DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z?$/;

/**
 * Turns stored UTC datetimes (`YYYY-MM-DD HH:MM:SS`) into calendar days of a
 * time zone. Offsets only change on the hour in the zones we serve, so one
 * luxon conversion per distinct UTC hour is enough, whatever the row count.
 */
export class UtcDatetimeToDay {
  private readonly byHour = new Map<string, number>();
  constructor(private readonly timeZone: string) {}

  /** The local day, or null when the text is not a UTC datetime. */
  dayOf(datetime: string | null): number | null {
    if (datetime === null) return null;
    const match = UTC_DATETIME.exec(datetime);
    if (match === null || parseIsoDate(match[1]!) === null) return null;
    const hourKey = `${match[1]}T${match[2]}`;
    let day = this.byHour.get(hourKey);
    if (day === undefined) {
      const utc = DateTime.fromISO(`${hourKey}:00:00`, { zone: 'utc' });
      if (!utc.isValid) return null;
      const local = utc.setZone(this.timeZone);
      day = epochDay(local.year, local.month, local.day);
      this.byHour.set(hourKey, day);
    }
    return day;
  }
}
