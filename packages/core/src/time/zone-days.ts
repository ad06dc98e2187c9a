import { DateTime } from 'luxon';
import { epochDay, parseIsoDate } from '../dates/epoch-day';

/** The calendar day it is at `instant` in `timeZone`: the run's "today" (RULES.md §1). */
export const dayInZone = (instant: Date, timeZone: string): number => {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!local.isValid) throw new Error(`cannot read the date in time zone ${timeZone}`);
  return epochDay(local.year, local.month, local.day);
};

const UTC_DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z?$/;

const MINUTES_PER_DAY = 1440;

/**
 * Turns stored UTC datetimes (`YYYY-MM-DD HH:MM:SS`) into calendar days of a
 * time zone. A zone's offset seldom changes within a UTC hour, so two luxon
 * conversions per distinct UTC hour (its first and last minute) give the
 * offset, whatever the row count; the minutes are then added to it, as some
 * zones are off by :30 or :45 (Asia/Kolkata). Only an hour holding a
 * transition is converted minute by minute.
 */
export class UtcDatetimeToDay {
  private static readonly byZone = new Map<string, UtcDatetimeToDay>();

  /** One converter per zone for the whole process (or thread): its cache then serves every read. */
  static forZone(timeZone: string): UtcDatetimeToDay {
    let converter = UtcDatetimeToDay.byZone.get(timeZone);
    if (converter === undefined) {
      converter = new UtcDatetimeToDay(timeZone);
      UtcDatetimeToDay.byZone.set(timeZone, converter);
    }
    return converter;
  }

  /** Per UTC hour, its offset in minutes, or NaN when the offset changes within the hour. */
  private readonly offsetMinutesByHour = new Map<string, number>();
  constructor(private readonly timeZone: string) {}

  /** The local day, or null when the text is not a UTC datetime. */
  dayOf(datetime: string | null): number | null {
    if (datetime === null) return null;
    const match = UTC_DATETIME.exec(datetime);
    if (match === null) return null;
    const utcDay = parseIsoDate(match[1]!);
    const minute = Number(match[3]);
    // No 24:00 (luxon would read it as the next midnight) and no leap second: a clock time as a sender writes it.
    if (utcDay === null || Number(match[2]) > 23 || minute > 59 || Number(match[4] ?? 0) > 59) return null;
    const hourKey = `${match[1]}T${match[2]}`;
    let offsetMinutes = this.offsetMinutesByHour.get(hourKey);
    if (offsetMinutes === undefined) {
      const start = DateTime.fromISO(`${hourKey}:00:00`, { zone: 'utc' });
      if (!start.isValid) return null;
      const atStart = start.setZone(this.timeZone).offset;
      const atEnd = start.plus({ minutes: 59 }).setZone(this.timeZone).offset;
      offsetMinutes = atStart === atEnd ? atStart : Number.NaN;
      this.offsetMinutesByHour.set(hourKey, offsetMinutes);
    }
    if (Number.isNaN(offsetMinutes)) {
      offsetMinutes = DateTime.fromISO(`${hourKey}:${match[3]}:00`, { zone: 'utc' }).setZone(this.timeZone).offset;
    }
    return utcDay + Math.floor((Number(match[2]) * 60 + minute + offsetMinutes) / MINUTES_PER_DAY);
  }
}
