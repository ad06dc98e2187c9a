import { digestOfRows } from './contact-digest';
import type { ContactRows } from './contact-groups';
import type { DigestedContact } from './contact-writes';
import { NO_ENTRIES, type StoredBlockReader } from './digest-blocks';
import type { StoredRowsAhead } from './stored-rows-ahead';

/** Contacts digested ahead of the commit: enough for the reader thread to stay ahead of the writes. */
const WINDOW_CONTACTS = 2048;

/**
 * The stored digest entries, one contact at a time, in contact order: a
 * second walk of the blocks, ahead of the commit's own (the commit writes
 * only blocks it has passed, so the entries read here are those it will read).
 */
class StoredEntries {
  private entries: Float64Array = NO_ENTRIES;
  private position = 0;

  constructor(private readonly reader: StoredBlockReader) {}

  /** The next stored contact's id, or null when none is left. */
  contactId(): number | null {
    while (this.position >= this.entries.length) {
      const block = this.reader.next();
      if (block === null) return null;
      this.entries = block.entries;
      this.position = 0;
    }
    return this.entries[this.position]!;
  }

  digest(): number {
    return this.entries[this.position + 1]!;
  }

  rowCount(): number {
    return this.entries[this.position + 2]!;
  }

  advance(): void {
    this.position += 3;
  }
}

/**
 * The commit's contacts, each with its digest. With a reader ahead, the
 * stored rows of those the commit will read are asked for a window ahead:
 * contacts whose rows differ from their stored digest, and stored contacts
 * with no rows any more (deleted), in the order the commit takes them.
 */
export class DigestedContacts implements IterableIterator<DigestedContact> {
  private readonly window: DigestedContact[] = [];
  private head = 0;
  private exhausted = false;

  private readonly stored: StoredEntries | null;

  /** `blocks`: a walk of the stored digests of its own, for the reader `ahead`; both null without one. */
  constructor(
    private readonly groups: Iterator<ContactRows>,
    blocks: StoredBlockReader | null,
    private readonly ahead: StoredRowsAhead | null,
  ) {
    this.stored = blocks === null || ahead === null ? null : new StoredEntries(blocks);
  }

  [Symbol.iterator](): IterableIterator<DigestedContact> {
    return this;
  }

  next(): IteratorResult<DigestedContact> {
    const window = this.stored === null ? 1 : WINDOW_CONTACTS;
    while (!this.exhausted && this.window.length - this.head < window) this.pull();
    if (this.head === this.window.length) return { done: true, value: undefined };
    const contact = this.window[this.head++]!;
    if (this.head >= WINDOW_CONTACTS) {
      this.window.splice(0, this.head);
      this.head = 0;
    }
    return { done: false, value: contact };
  }

  private pull(): void {
    const step = this.groups.next();
    const stored = this.stored;
    if (step.done === true) {
      this.exhausted = true;
      if (stored !== null) for (let id = stored.contactId(); id !== null; id = stored.contactId()) this.vanishing(stored, id);
      return;
    }
    const { contactId, rows } = step.value;
    const digest = digestOfRows(rows);
    if (stored !== null) {
      let storedId = stored.contactId();
      for (; storedId !== null && storedId < contactId; storedId = stored.contactId()) this.vanishing(stored, storedId);
      if (storedId === contactId) {
        if (stored.digest() !== digest || stored.rowCount() !== rows.length) this.ahead!.want(contactId);
        stored.advance();
      }
    }
    this.window.push({ contactId, rows, digest });
  }

  private vanishing(stored: StoredEntries, contactId: number): void {
    this.ahead!.want(contactId);
    stored.advance();
  }
}
