import { getNextMillis } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { nightlyRepeat } from '../src/nightly-schedule';

const DAY_MS = 86_400_000;

/** A moment's calendar day and time of day in a zone. */
const localTime = (ms: number, zone: string): { day: string; hour: number; minute: number } => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), minute: Number(parts.minute) };
};
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

// The nightly job is BullMQ's job scheduler with our pattern and zone; BullMQ computes each next firing with
// getNextMillis. A night skipped (02:00 does not exist on a spring-forward day) would leave an organization's
// schedule a day old; a night run twice (an hour that repeats as clocks fall back) would run it twice.
describe('the nightly full runs, across changes of daylight saving time', () => {
  it.each(['America/Chicago', 'America/New_York', 'America/Denver', 'America/Los_Angeles', 'America/Phoenix', 'America/Anchorage', 'Pacific/Honolulu', 'America/Puerto_Rico'])(
    'fire once on every calendar day in %s, at 02:00 or, where 02:00 does not exist that day, just after',
    (timezone) => {
      const repeat = nightlyRepeat({ ...defaultConfig(), timezone });
      let firing = getNextMillis(Date.parse('2026-01-01T12:00:00Z'), repeat)!;
      let previous = localTime(firing, timezone);
      const late: string[] = [];
      for (let night = 0; night < 2 * 366; night++) {
        const next = getNextMillis(firing, repeat);
        expect(next, `the firing after ${previous.day}`).toBeTypeOf('number');
        firing = next!;
        const now = localTime(firing, timezone);
        expect(now.day, `the night after ${previous.day}`).toBe(nextDay(previous.day));
        if (now.hour !== 2 || now.minute !== 0) late.push(`${now.day} ${now.hour}:${String(now.minute).padStart(2, '0')}`);
        previous = now;
      }
      // Only a day whose 02:00 the clocks skip fires later, and then within the hour the clocks skipped.
      for (const moment of late) expect(moment).toMatch(/^\d{4}-03-\d\d 3:00$/);
    },
  );
});
