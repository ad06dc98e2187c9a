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

/**
 * Groups a stream of rows sorted by contact id into one group per contact.
 * Rows out of contact order are refused (the writes merge by contact id); a
 * second row with the same key as another of the contact's is dropped and
 * counted, as the UNIQUE key allows only one.
 */
export function* contactGroups(rows: Iterable<ScheduleRow>, dropped: { duplicates: number }): Generator<ContactRows> {
  let current: ScheduleRow[] = [];
  let contactId: number | null = null;
  const finish = (): ContactRows => {
    // Rows usually arrive in key order already: checking is cheaper than sorting.
    let ordered = true;
    for (let i = 1; i < current.length && ordered; i++) ordered = compareRowKeys(current[i - 1]!, current[i]!) < 0;
    if (ordered) return { contactId: contactId!, rows: current };
    current.sort(compareRowKeys);
    let kept = 1;
    for (let i = 1; i < current.length; i++) {
      if (compareRowKeys(current[i]!, current[kept - 1]!) === 0) dropped.duplicates++;
      else current[kept++] = current[i]!;
    }
    current.length = kept;
    return { contactId: contactId!, rows: current };
  };
  for (const row of rows) {
    if (row.contactId !== contactId) {
      if (contactId !== null) {
        if (row.contactId < contactId) {
          throw new RowOrderError(`schedule rows must arrive sorted by contact id: ${row.contactId} came after ${contactId}`);
        }
        yield finish();
      }
      contactId = row.contactId;
      current = [];
    }
    current.push(row);
  }
  if (contactId !== null) yield finish();
}
