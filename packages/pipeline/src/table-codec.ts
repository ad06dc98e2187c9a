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

export interface TableCounts {
  readonly emails: number;
  readonly contacts: number;
  readonly history: number;
}

/** How much of an encoded table `countsOfEncodedTable` needs: its header's first members are its counts. */
export const COUNTS_PREFIX_BYTES = 128;
const COUNTS_PATTERN = /^\{"emailCount":(\d+),"contactCount":(\d+),"historyCount":(\d+),/;

/** An encoded table's counts, from its first COUNTS_PREFIX_BYTES bytes; null when they are not there. */
export const countsOfEncodedTable = (head: Uint8Array): TableCounts | null => {
  if (head.byteLength < 4) return null;
  const buffer = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const match = COUNTS_PATTERN.exec(buffer.toString('latin1', 4));
  return match === null ? null : { emails: Number(match[1]), contacts: Number(match[2]), history: Number(match[3]) };
};

/**
 * The columns `decodeTable` copies out: every one; all but the output columns (for a table that defers them,
 * see CandidateTable's `deferOutputColumns`); or the output columns with what `fillOutputColumns` checks them
 * by (contact ids, email starts, types). The others are left empty, whatever the counts say.
 */
export type DecodedColumns = 'all' | 'balancing' | 'output';
const OUTPUT_COLUMNS: ReadonlySet<string> = new Set(['eventDay', 'campaignInstanceId', 'emailTemplate', 'smsTemplate', 'metadata']);
const OUTPUT_KEYS: ReadonlySet<string> = new Set(['typeCode', 'contactId', 'emailStart']);

export const decodeTable = (bytes: Uint8Array, columns: DecodedColumns = 'all'): CandidateTable => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = buffer.readUInt32LE(0);
  const header = JSON.parse(buffer.toString('utf8', 4, 4 + headerLength)) as Header;
  let offset = 4 + headerLength;
  // Copy each column out: typed arrays need aligned offsets, and the table must own its memory.
  const wanted = (name: string): boolean =>
    columns === 'all' || (columns === 'balancing' ? !OUTPUT_COLUMNS.has(name) : OUTPUT_COLUMNS.has(name) || OUTPUT_KEYS.has(name));
  const take = <T extends Column>(template: T, count: number, name: string): T => {
    const Kind = template.constructor as new (length: number) => T;
    const size = count * template.BYTES_PER_ELEMENT;
    if (!wanted(name)) {
      offset += size;
      return template;
    }
    const column = new Kind(count);
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
  for (const name of NUMERIC_COLUMNS) (table[name] as Column) = take(table[name], emailCount, name);
  for (const name of CONTACT_COLUMNS) (table[name] as Column) = take(table[name], contactCount, name);
  table.emailStart = take(table.emailStart, contactCount + 1, 'emailStart');
  table.historyStart = take(table.historyStart, contactCount + 1, 'historyStart');
  for (const name of HISTORY_COLUMNS) (table[name] as Column) = take(table[name], historyCount, name);
  table.adoptCapacity();
  return table;
};
