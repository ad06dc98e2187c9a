import { CandidateTable } from '@scheduler/core';

/**
 * A chunk's table as one compact binary record, so that it can be kept
 * durably for the finalizer at a fraction of the cost of writing rows:
 * a JSON header (counts, type names, texts) then the numeric columns.
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
  'emailTemplate',
  'smsTemplate',
  'skipReason',
  'metadata',
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

interface Header {
  emailCount: number;
  contactCount: number;
  historyCount: number;
  typeNames: string[];
  texts: string[];
}

type Column = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

const bytesOf = (column: Column, count: number): Buffer =>
  Buffer.from(column.buffer, column.byteOffset, count * column.BYTES_PER_ELEMENT);

export const encodeTable = (table: CandidateTable): Buffer => {
  const header: Header = {
    emailCount: table.emailCount,
    contactCount: table.contactCount,
    historyCount: table.historyCount,
    typeNames: table.typeNames,
    texts: table.texts,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const parts: Buffer[] = [length, headerBytes];
  for (const name of NUMERIC_COLUMNS) parts.push(bytesOf(table[name], table.emailCount));
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
  // As encoded, at the same indexes (a text may be there twice).
  for (const text of header.texts) table.addText(text);
  const { emailCount, contactCount, historyCount } = header;
  table.emailCount = emailCount;
  table.contactCount = contactCount;
  table.historyCount = historyCount;
  for (const name of NUMERIC_COLUMNS) (table[name] as Column) = take(table[name], emailCount);
  for (const name of CONTACT_COLUMNS) (table[name] as Column) = take(table[name], contactCount);
  table.emailStart = take(table.emailStart, contactCount + 1);
  table.historyStart = take(table.historyStart, contactCount + 1);
  for (const name of HISTORY_COLUMNS) (table[name] as Column) = take(table[name], historyCount);
  table.adoptCapacity();
  return table;
};
