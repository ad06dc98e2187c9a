import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContactDigest, digestOfRows } from '../src/write/contact-digest';
import type { ScheduleRow } from '../src/write/schedule-row';
import { digestRow, digestStoredRow } from '../src/write/schedule-row-content';

/** The reference: a ContactDigest fed value by value, as the stored side digests rows read back. */
const reference = (rows: readonly ScheduleRow[]): number => {
  const digest = new ContactDigest();
  for (const row of rows) digestRow(digest, row);
  return digest.value();
};

const fromStored = (rows: readonly ScheduleRow[]): number => {
  const digest = new ContactDigest();
  for (const row of rows) {
    digestStoredRow(
      digest,
      [row.emailType, row.eventYear, row.eventMonth, row.eventDay, row.scheduledSendDate, row.scheduledSendTime, row.status,
        row.skipReason, row.priority, row.campaignInstanceId, row.emailTemplate, row.smsTemplate, row.metadata],
      0,
    );
  }
  return digest.value();
};

const text = fc.oneof(
  fc.constantFrom('aep', 'birthday', 'effective_date', 'pre-scheduled', 'skipped', '08:30:00', 'aep_v1', ''),
  fc.string({ maxLength: 40 }),
  // Dates: many texts of one shape, which a table of remembered texts must keep apart.
  fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const integer = fc.oneof(
  fc.integer({ min: 0, max: 3000 }),
  fc.integer({ min: -5, max: -1 }),
  fc.constantFrom(0x1fffffff, 0x20000000, 2 ** 31, 2 ** 40 + 3, -(2 ** 35), Number.MAX_SAFE_INTEGER),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const row: fc.Arbitrary<ScheduleRow> = fc.record({
  contactId: fc.constant(1),
  emailType: text,
  eventYear: fc.option(integer),
  eventMonth: fc.option(integer),
  eventDay: fc.option(integer),
  scheduledSendDate: text,
  scheduledSendTime: text,
  status: fc.constantFrom('pre-scheduled' as const, 'skipped' as const),
  skipReason: fc.option(text),
  priority: integer,
  campaignInstanceId: fc.option(integer),
  emailTemplate: fc.option(text),
  smsTemplate: fc.option(text),
  schedulerRunId: fc.constant('run'),
  metadata: fc.option(text),
  createdAt: fc.constant('2026-11-28 06:00:00'),
  updatedAt: fc.constant('2026-11-28 06:00:00'),
});

describe('digestOfRows', () => {
  it('equals a ContactDigest fed value by value, for rows of any values', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), (rows) => {
        expect(digestOfRows(rows)).toBe(reference(rows));
        expect(digestOfRows(rows)).toBe(fromStored(rows));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart contacts whose rows differ in one value, with texts remembered from contacts before', () => {
    const base: ScheduleRow = {
      contactId: 1, emailType: 'birthday', eventYear: 2027, eventMonth: 3, eventDay: 14, scheduledSendDate: '2027-02-28',
      scheduledSendTime: '08:30:00', status: 'pre-scheduled', skipReason: null, priority: 10, campaignInstanceId: null,
      emailTemplate: 'birthday_v1', smsTemplate: null, schedulerRunId: 'run', metadata: null,
      createdAt: '2026-11-28 06:00:00', updatedAt: '2026-11-28 06:00:00',
    };
    const seen = new Set<number>();
    // Every date of three years, at positions 0 and 1 of a contact, each with every other value fixed.
    for (let day = 0; day < 3 * 366; day++) {
      const date = new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10);
      for (const rows of [[{ ...base, scheduledSendDate: date }], [{ ...base, emailType: 'aep' }, { ...base, scheduledSendDate: date }]]) {
        const digest = digestOfRows(rows);
        expect(digest).toBe(reference(rows));
        expect(seen.has(digest)).toBe(false);
        seen.add(digest);
      }
    }
    // The same text as another string object, then a different text of the same length at the same position.
    const variants = [
      { ...base, status: 'skipped' as const, skipReason: 'year_round: NY' },
      { ...base, status: 'skipped' as const, skipReason: ['year_round', 'NY'].join(': ') },
      { ...base, status: 'skipped' as const, skipReason: 'year_round: CT' },
      { ...base, emailTemplate: 'birthday_v2' },
      { ...base, metadata: '{"a":1}' },
      { ...base, metadata: '{"a":2}' },
    ];
    const digests = variants.map((variant) => digestOfRows([variant]));
    variants.forEach((variant, i) => expect(digests[i]).toBe(reference([variant])));
    expect(digests[0]).toBe(digests[1]);
    expect(new Set(digests).size).toBe(variants.length - 1);
  });
});
