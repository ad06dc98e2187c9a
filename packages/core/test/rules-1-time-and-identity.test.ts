import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  dayInZone,
  emailKeyHash,
  fnv1a,
  followupKeyHash,
  formatIsoDate,
  parseIsoDate,
  UtcDatetimeToDay,
} from '../src/index';
import { contactIn, day, emailsFor, inputsOf, iso, NO_AEP, onlyOf, world } from './support/world';

/** Cases of the time-zone property. */
const ZONE_RUNS = 2000;

describe('§1 time and identity', () => {
  describe('when hashing with FNV-1a 32-bit', () => {
    it('gives the published test vectors', () => {
      expect(fnv1a('')).toBe(2166136261);
      expect(fnv1a('a')).toBe(0xe40c292c);
      expect(fnv1a('foobar')).toBe(0xbf9cf968);
    });

    it('hashes the UTF-8 bytes of the key, including characters outside the BMP', () => {
      // é is C3 A9; 🎂 is F0 9F 8E 82 (one surrogate pair in UTF-16).
      expect(fnv1a('é')).toBe(513665217);
      expect(fnv1a('🎂')).toBe(1977058536);
    });

    it('is an unsigned 32-bit integer', () => {
      for (const text of ['', 'a', 'foobar', '42|birthday|2026-06-15', 'é']) {
        const hash = fnv1a(text);
        expect(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32).toBe(true);
      }
    });
  });

  describe('when an email is keyed', () => {
    it('hashes contact_id|email_type|event_date with the event date in ISO form', () => {
      expect(emailKeyHash(42, 'birthday', day('2026-06-15'))).toBe(fnv1a('42|birthday|2026-06-15'));
      expect(emailKeyHash(7, 'effective_date', day('2027-01-05'))).toBe(fnv1a('7|effective_date|2027-01-05'));
    });

    it('hashes a non-ASCII campaign type by its UTF-8 bytes', () => {
      expect(emailKeyHash(42, 'campaign_été', day('2026-06-15'))).toBe(fnv1a('42|campaign_été|2026-06-15'));
      expect(emailKeyHash(3, 'campaign_🎂_party', day('2026-12-01'))).toBe(fnv1a('3|campaign_🎂_party|2026-12-01'));
    });

    it('hashes the key of any contact id, one after another as contacts come, as the key string hashes', () => {
      // Ids in runs of neighbours (the hash keeps state between neighbouring ids), across powers of ten, and far apart.
      const idRuns = fc.array(
        fc.tuple(fc.oneof(fc.integer({ min: -20, max: 120 }), fc.integer({ min: 0, max: 2 ** 31 + 20 })), fc.integer({ min: 1, max: 25 })),
        { minLength: 1, maxLength: 8 },
      );
      fc.assert(
        fc.property(idRuns, fc.integer({ min: day('1900-01-01'), max: day('2199-12-31') }), (runs, eventDay) => {
          for (const [first, length] of runs) {
            for (let id = first; id < first + length; id++) {
              expect(emailKeyHash(id, 'aep', eventDay)).toBe(fnv1a(`${id}|aep|${formatIsoDate(eventDay)}`));
            }
          }
        }),
        { numRuns: 300 },
      );
    });

    it('keys a follow-up by its initial email id instead of an event date', () => {
      expect(followupKeyHash(7, 'followup_1_cold', 1234)).toBe(1720146795);
      expect(followupKeyHash(7, 'followup_1_cold', 1234)).toBe(fnv1a('7|followup_1_cold|1234'));
    });

    it('gives every scheduled email the hash of its key', () => {
      const context = world({ today: '2026-06-01', config: NO_AEP });
      const emails = emailsFor(context, inputsOf(contactIn('IL', { id: 1, birthDate: '1980-06-20' })));
      expect(onlyOf(emails, 'birthday').keyHash).toBe(fnv1a('1|birthday|2026-06-20'));
    });
  });

  describe('when dates are counted', () => {
    it('numbers days from 1970-01-01', () => {
      expect(parseIsoDate('1970-01-01')).toBe(0);
      expect(parseIsoDate('1970-01-02')).toBe(1);
      expect(parseIsoDate('1969-12-31')).toBe(-1);
      expect(parseIsoDate('2026-06-01')).toBe(20605);
      expect(parseIsoDate('2000-03-01')).toBe(11017);
      expect(formatIsoDate(20605)).toBe('2026-06-01');
      expect(formatIsoDate(11016)).toBe('2000-02-29');
    });

    it('reads only strict YYYY-MM-DD calendar dates', () => {
      expect(parseIsoDate('2024-02-29')).toBe(day('2024-02-28') + 1);
      expect(parseIsoDate('2000-02-29')).not.toBeNull();
      for (const text of ['1990-02-30', '2023-02-29', '1900-02-29', '1990-6-15', ' 1990-06-15', '1990-06-15 ', '1990-06-15T00:00:00', '1990/06/15', '1990-13-01', '1990-00-10', '']) {
        expect(parseIsoDate(text), text).toBeNull();
      }
    });
  });

  describe('when a stored UTC datetime is turned into a date', () => {
    const toDayIn = (converter: UtcDatetimeToDay, datetime: string | null): string | null => {
      const result = converter.dayOf(datetime);
      return result === null ? null : iso(result);
    };
    const toDay = (datetime: string | null): string | null => toDayIn(new UtcDatetimeToDay('America/Chicago'), datetime);

    it('gives the Chicago calendar date, in summer (UTC−5) and winter (UTC−6)', () => {
      expect(toDay('2026-06-02 04:59:59')).toBe('2026-06-01');
      expect(toDay('2026-06-02 05:00:00')).toBe('2026-06-02');
      expect(toDay('2026-01-01 05:59:59')).toBe('2025-12-31');
      expect(toDay('2026-01-01 06:00:00')).toBe('2026-01-01');
    });

    it('follows the daylight-saving changes', () => {
      // Clocks go forward at 08:00 UTC on 2026-03-08 and back at 07:00 UTC on 2026-11-01.
      expect(toDay('2026-03-08 05:30:00')).toBe('2026-03-07');
      expect(toDay('2026-03-08 07:30:00')).toBe('2026-03-08');
      expect(toDay('2026-11-01 04:59:00')).toBe('2026-10-31');
      expect(toDay('2026-11-01 05:30:00')).toBe('2026-11-01');
    });

    it('gives the right date in a configured zone whose offset is not whole hours, whatever was read before', () => {
      // Asia/Kolkata is UTC+5:30; Asia/Kathmandu UTC+5:45.
      const kolkata = new UtcDatetimeToDay('Asia/Kolkata');
      expect(iso(kolkata.dayOf('2026-06-01 18:29:59')!)).toBe('2026-06-01');
      expect(iso(kolkata.dayOf('2026-06-01 18:30:00')!)).toBe('2026-06-02');
      expect(iso(kolkata.dayOf('2026-06-01 18:00:00')!)).toBe('2026-06-01');
      const kathmandu = new UtcDatetimeToDay('Asia/Kathmandu');
      expect(iso(kathmandu.dayOf('2026-06-01 18:20:00')!)).toBe('2026-06-02');
      expect(iso(kathmandu.dayOf('2026-06-01 18:10:00')!)).toBe('2026-06-01');
    });

    it('agrees with a direct conversion for any instant, in zones with DST and odd offsets (property)', () => {
      const zones = ['America/Chicago', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];
      // One converter per zone for the whole run, so cached hours are reused in any order.
      const converters = new Map(zones.map((zone) => [zone, new UtcDatetimeToDay(zone)]));
      const instant = fc.integer({ min: Date.UTC(2024, 0, 1) / 60_000, max: Date.UTC(2030, 11, 31) / 60_000 }).map((minutes) => minutes * 60_000);
      fc.assert(
        fc.property(fc.constantFrom(...zones), instant, (zone, ms) => {
          const text = new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
          const local = DateTime.fromMillis(ms, { zone });
          expect(toDayIn(converters.get(zone)!, text), `${zone} ${text}`).toBe(`${local.toFormat('yyyy-MM-dd')}`);
        }),
        { numRuns: ZONE_RUNS },
      );
    });

    it('refuses text that is not a UTC datetime', () => {
      expect(toDay(null)).toBeNull();
      expect(toDay('yesterday')).toBeNull();
      expect(toDay('2026-02-30 10:00:00')).toBeNull();
      // A clock time out of range is no time, whichever field: no 24:00, no minute or second 60.
      for (const text of ['2026-03-07 24:00:00', '2026-03-07 24:30:00', '2026-03-07 25:00', '2026-03-07 12:60:00', '2026-03-07 12:00:60', '2026-03-07 12:00:99.5']) {
        expect(toDay(text), text).toBeNull();
      }
      expect(toDay('2026-03-07 23:59:59.999')).toBe('2026-03-07');
    });

    it('takes today as the Chicago date at the instant the run starts', () => {
      expect(iso(dayInZone(new Date('2026-06-02T04:30:00Z'), 'America/Chicago'))).toBe('2026-06-01');
      expect(iso(dayInZone(new Date('2026-06-02T05:30:00Z'), 'America/Chicago'))).toBe('2026-06-02');
    });
  });
});
