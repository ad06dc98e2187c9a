import { CandidateTable } from '@scheduler/core';

/**
 * A chunk's table as one compact binary record, so that it can be kept
 * durably for the finalizer at a fraction of the cost of writing rows:
 * a JSON header (counts, type names, a string table) then the numeric columns.
 */
const NUMERIC_COLUMNS = [
  'contactIndex',
  'typeCode',
  'day',
  'deadline',
  'status',
  'priority',
  'keyHash',
  'flags',
  'eventDay',
  'campaignInstanceId',
] as const;
const CONTACT_COLUMNS = [
  'contactId',
  'windowAnchorYear',
  'windowAnchorMonth',
  'windowAnchorDay',
  'windowUsesMonthStart',
  'windowDaysBefore',
  'windowDaysAfter',
  'yearRoundFrom',
] as const;
const HISTORY_COLUMNS = ['historyType', 'historyScheduledDay', 'historySentDay', 'historyCountsForFrequency'] as const;
const TEXT_COLUMNS = ['emailTemplate', 'smsTemplate', 'skipReason', 'metadata'] as const;

interface Header {
  emailCount: number;
  contactCount: number;
  historyCount: number;
  typeNames: string[];
  strings: string[];
}

type Column = Int32Array | Uint32Array | Uint16Array | Uint8Array;

const bytesOf = (column: Column, count: number): Buffer =>
  Buffer.from(column.buffer, column.byteOffset, count * column.BYTES_PER_ELEMENT);

export const encodeTable = (table: CandidateTable): Buffer => {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const indexOf = (text: string | null): number => {
    if (text === null) return -1;
    let index = stringIndex.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      stringIndex.set(text, index);
    }
    return index;
  };
  const textColumns = TEXT_COLUMNS.map((name) => {
    const column = new Int32Array(table.emailCount);
    const values = table[name];
    for (let e = 0; e < table.emailCount; e++) column[e] = indexOf(values[e] ?? null);
    return column;
  });
  const header: Header = {
    emailCount: table.emailCount,
    contactCount: table.contactCount,
    historyCount: table.historyCount,
    typeNames: table.typeNames,
    strings,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const parts: Buffer[] = [length, headerBytes];
  for (const name of NUMERIC_COLUMNS) parts.push(bytesOf(table[name], table.emailCount));
  for (const column of textColumns) parts.push(bytesOf(column, table.emailCount));
  for (const name of CONTACT_COLUMNS) parts.push(bytesOf(table[name], table.contactCount));
  parts.push(bytesOf(table.emailStart, table.contactCount + 1), bytesOf(table.historyStart, table.contactCount + 1));
  for (const name of HISTORY_COLUMNS) parts.push(bytesOf(table[name], table.historyCount));
  return Buffer.concat(parts);
};

export const decodeTable = (bytes: Uint8Array): CandidateTable => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = buffer.readUInt32LE(0);
  const header = JSON.parse(buffer.toString('utf8', 4, 4 + headerLength)) as Header;
  let offset = 4 + headerLength;
  // Copy each column out: typed arrays need aligned offsets, and the table must own its memory.
  const take = <T extends Column>(template: T, count: number): T => {
    const Kind = template.constructor as new (length: number) => T;
    const column = new Kind(count);
    const size = count * column.BYTES_PER_ELEMENT;
    new Uint8Array(column.buffer).set(buffer.subarray(offset, offset + size));
    offset += size;
    return column;
  };
  const table = new CandidateTable();
  for (const name of header.typeNames) table.typeCodeOf(name);
  const { emailCount, contactCount, historyCount } = header;
  table.emailCount = emailCount;
  table.contactCount = contactCount;
  table.historyCount = historyCount;
  for (const name of NUMERIC_COLUMNS) (table[name] as Column) = take(table[name], emailCount);
  for (const name of TEXT_COLUMNS) {
    const indexes = take(new Int32Array(0), emailCount);
    const values: (string | null)[] = new Array(emailCount);
    for (let e = 0; e < emailCount; e++) values[e] = indexes[e]! < 0 ? null : header.strings[indexes[e]!]!;
    table[name] = values;
  }
  for (const name of CONTACT_COLUMNS) (table[name] as Column) = take(table[name], contactCount);
  table.emailStart = take(table.emailStart, contactCount + 1);
  table.historyStart = take(table.historyStart, contactCount + 1);
  for (const name of HISTORY_COLUMNS) (table[name] as Column) = take(table[name], historyCount);
  table.adoptCapacity();
  return table;
};
