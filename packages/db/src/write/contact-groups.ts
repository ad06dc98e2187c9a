import type { ScheduleRow } from './schedule-row';
import { compareRowKeys } from './schedule-row-content';

export interface ContactRows {
  readonly contactId: number;
  /** In key order (email_type, scheduled_send_date), one row per key. */
  readonly rows: ScheduleRow[];
}

export class RowOrderError extends RangeError {
  override readonly name = 'RowOrderError';
}

/** A contact's rows in key order, duplicates of a key dropped (counted). */
const ordered = (rows: ScheduleRow[], dropped: { duplicates: number }): ScheduleRow[] => {
  // Rows usually arrive in key order already: checking is cheaper than sorting.
  let inOrder = true;
  for (let i = 1; i < rows.length && inOrder; i++) inOrder = compareRowKeys(rows[i - 1]!, rows[i]!) < 0;
  if (inOrder) return rows;
  rows.sort(compareRowKeys);
  let kept = 1;
  for (let i = 1; i < rows.length; i++) {
    if (compareRowKeys(rows[i]!, rows[kept - 1]!) === 0) dropped.duplicates++;
    else rows[kept++] = rows[i]!;
  }
  rows.length = kept;
  return rows;
};

/**
 * Groups a stream of rows sorted by contact id into one group per contact.
 * Rows out of contact order are refused (the writes merge by contact id); a
 * second row with the same key as another of the contact's is dropped and
 * counted, as the UNIQUE key allows only one. An iterator object rather than
 * a generator: three million contacts a night pass through it.
 */
class ContactGroups implements IterableIterator<ContactRows> {
  private readonly source: Iterator<ScheduleRow>;
  /** The first row of the next group, already taken from the source. */
  private pending: ScheduleRow | null = null;
  private done = false;

  constructor(
    rows: Iterable<ScheduleRow>,
    private readonly dropped: { duplicates: number },
  ) {
    this.source = rows[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<ContactRows> {
    return this;
  }

  next(): IteratorResult<ContactRows> {
    if (this.done) return { done: true, value: undefined };
    let first = this.pending;
    if (first === null) {
      const step = this.source.next();
      if (step.done === true) {
        this.done = true;
        return { done: true, value: undefined };
      }
      first = step.value;
    }
    const contactId = first.contactId;
    const rows = [first];
    this.pending = null;
    for (;;) {
      const step = this.source.next();
      if (step.done === true) {
        this.done = true;
        break;
      }
      const row = step.value;
      if (row.contactId !== contactId) {
        if (row.contactId < contactId) {
          throw new RowOrderError(`schedule rows must arrive sorted by contact id: ${row.contactId} came after ${contactId}`);
        }
        this.pending = row;
        break;
      }
      rows.push(row);
    }
    return { done: false, value: { contactId, rows: ordered(rows, this.dropped) } };
  }
}

export const contactGroups = (rows: Iterable<ScheduleRow>, dropped: { duplicates: number }): IterableIterator<ContactRows> =>
  new ContactGroups(rows, dropped);
