import { describe, expect, it } from 'vitest';
import { CandidateTable, NO_DAY, type EmailCandidate } from '@scheduler/core';
import { COUNTS_PREFIX_BYTES, countsOfEncodedTable, decodeTable, encodeTable } from '../src/table-codec';

const email = (emailType: string, day: number, skipReason: string | null): EmailCandidate => ({
  emailType,
  eventDay: day + 14,
  day,
  deadline: NO_DAY,
  status: skipReason === null ? 'pre-scheduled' : 'skipped',
  skipCode: skipReason === null ? null : 'exclusion_window',
  skipReason,
  priority: 10,
  keyHash: 0x9e3779b9 + day,
  tieBreaker: 0,
  respectsWindows: true,
  isFollowup: false,
  campaignInstanceId: null,
  emailTemplate: `${emailType}_template`,
  smsTemplate: null,
  metadata: null,
});

/** Each email's row as the finalizer reads it: numbers, and texts by value. */
const rows = (table: CandidateTable): unknown[] =>
  Array.from({ length: table.emailCount }, (_, e) => [
    table.contactId[table.contactIndex[e]!],
    table.typeNames[table.typeCode[e]!],
    table.day[e],
    table.status[e],
    table.keyHash[e],
    table.eventDay[e],
    table.textAt(table.emailTemplate[e]!),
    table.textAt(table.skipReason[e]!),
  ]);

describe("a chunk's table, encoded for the staging store and decoded by the finalizer", () => {
  it('reads back the same rows, a text the table holds twice included', () => {
    const table = new CandidateTable();
    table.beginContact(7, null);
    table.writeCandidate(table.newEmail(), email('birthday', 20_500, 'exclusion_window: CA birthday window'));
    table.endContact([]);
    table.beginContact(9, null);
    const e = table.newEmail();
    table.writeCandidate(e, email('aep', 20_600, null));
    // A window's reason added without a lookup, though the table already holds its text.
    table.skipReason[e] = table.addText('exclusion_window: CA birthday window');
    table.endContact([]);
    expect(table.texts.filter((text) => text === 'exclusion_window: CA birthday window')).toHaveLength(2);

    const decoded = decodeTable(encodeTable(table));

    expect(decoded.texts).toEqual(table.texts);
    expect(rows(decoded)).toEqual(rows(table));
    expect(rows(decoded)[1]).toEqual([9, 'aep', 20_600, 0, 0x9e3779b9 + 20_600, 20_614, 'aep_template', 'exclusion_window: CA birthday window']);
  });

  it('keeps contact ids beyond 32 bits (SQLite ids are 64-bit integers)', () => {
    const table = new CandidateTable();
    const ids = [-(2 ** 31) - 5, 2 ** 31, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER];
    for (const [i, id] of ids.entries()) {
      table.beginContact(id, null);
      table.writeCandidate(table.newEmail(), email('birthday', 20_500 + i, null));
      table.endContact([]);
    }

    const decoded = decodeTable(encodeTable(table));

    expect(rows(decoded).map((row) => (row as unknown[])[0])).toEqual(ids);
  });

  it('gives its counts from the head of its encoding, and null for bytes that are no encoded table', () => {
    const table = new CandidateTable();
    table.beginContact(7, null);
    table.writeCandidate(table.newEmail(), email('birthday', 20_500, null));
    table.writeCandidate(table.newEmail(), email('aep', 20_600, 'exclusion_window: CA birthday window'));
    table.endContact([{ id: 1, emailType: 'birthday', status: 'sent', scheduledDay: 20_100, sentDay: 20_100, eventDay: null, campaignInstanceId: null, initialEmailId: null }]);

    expect(countsOfEncodedTable(encodeTable(table).subarray(0, COUNTS_PREFIX_BYTES))).toEqual({ emails: 2, contacts: 1, history: 1 });
    expect(countsOfEncodedTable(Buffer.from('not a table'))).toBeNull();
  });
});

describe("a run's table with its output columns deferred", () => {
  const chunk = (firstId: number, reason: string): CandidateTable => {
    const table = new CandidateTable();
    for (let c = 0; c < 3; c++) {
      table.beginContact(firstId + c, null);
      table.writeCandidate(table.newEmail(), { ...email('birthday', 20_500 + c, null), metadata: `{"contact":${firstId + c}}` });
      table.writeCandidate(table.newEmail(), { ...email(`aep_${firstId}`, 20_600 + c, reason), campaignInstanceId: firstId + c });
      table.endContact([]);
    }
    return table;
  };
  const chunks = [encodeTable(chunk(10, 'exclusion_window: one')), encodeTable(chunk(20, 'year_round: two'))];
  const everyColumn = (table: CandidateTable): unknown[] =>
    Array.from({ length: table.emailCount }, (_, e) => [
      ...(rows(table) as unknown[][])[e]!,
      table.campaignInstanceIdAt(e),
      table.textAt(table.metadata[e]!),
      table.textAt(table.smsTemplate[e]!),
    ]);

  it('holds, once its output columns are filled from the chunks decoded again, what one append of every column holds', () => {
    const whole = new CandidateTable();
    for (const bytes of chunks) whole.append(decodeTable(bytes));

    const deferred = new CandidateTable({ deferOutputColumns: true });
    const starts = chunks.map((bytes) => {
      const start = { emails: deferred.emailCount, contacts: deferred.contactCount };
      deferred.append(decodeTable(bytes, 'balancing'));
      return start;
    });
    // Only the skip reasons' texts until then.
    expect(deferred.texts).toEqual(['exclusion_window: one', 'year_round: two']);
    chunks.forEach((bytes, i) => deferred.fillOutputColumns(decodeTable(bytes, 'output'), starts[i]!.emails, starts[i]!.contacts));

    expect(everyColumn(deferred)).toEqual(everyColumn(whole));
  });

  it('refuses output columns from a chunk that is not the one appended there', () => {
    const deferred = new CandidateTable({ deferOutputColumns: true });
    for (const bytes of chunks) deferred.append(decodeTable(bytes, 'balancing'));

    expect(() => deferred.fillOutputColumns(decodeTable(chunks[1]!, 'output'), 0, 0)).toThrow(/not the ones appended there/);
  });
});
