import type { MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ContactDigest } from './contact-digest';
import { digestStoredRow, STORED_ROW_COLUMNS } from './schedule-row-content';

/*
 * The reading side of stored-rows-ahead.ts, on a thread of its own: it reads
 * the stored rows of the contacts a commit asks for, on a connection of its
 * own, and sends each row back as five numbers (see StoredRowBatch).
 */

/** Numbers per contact before its rows (contact id, row count), and per row (id, content digest, type, date, status). */
export const CONTACT_HEAD = 2;
export const ROW_FIELDS = 5;

/** What the reader sends per batch of contacts asked for. */
export interface StoredRowBatch {
  /** Per contact: id, row count; per row: id, content digest, then its type, date and status as indexes into the texts. */
  readonly entries: Float64Array;
  /** How many contacts `entries` answers. */
  readonly contacts: number;
  /** Texts first seen in this batch, in index order after those of earlier batches. */
  readonly texts: readonly string[];
  /** Set when the reader failed: the commit reads the rest itself. */
  readonly error?: string;
}

/** What a reader thread starts with (its workerData). */
export interface StoredRowsReaderData {
  readonly databasePath: string;
  readonly port: MessagePort;
  /** Two counters the commit sleeps on (Atomics.wait): at BATCHES_SENT the batches sent, at CLOSED 1 once the connection is closed. */
  readonly sent: SharedArrayBuffer;
}

export const BATCHES_SENT = 0;
export const CLOSED = 1;

/** Tells the commit that the reader's connection is closed (its read transaction with it). */
export const signalClosed = (counters: Int32Array): void => {
  Atomics.store(counters, CLOSED, 1);
  Atomics.notify(counters, CLOSED);
};

/** Sends a batch and wakes the commit. */
export const postBatch = (port: MessagePort, counters: Int32Array, batch: StoredRowBatch, transfer: ArrayBuffer[] = []): void => {
  port.postMessage(batch, transfer);
  Atomics.add(counters, BATCHES_SENT, 1);
  Atomics.notify(counters, BATCHES_SENT);
};

/** What a reader sends when it cannot read: the commit reads the rest itself. */
export const failedBatch = (error: unknown): StoredRowBatch => ({
  entries: new Float64Array(0),
  contacts: 0,
  texts: [],
  error: error instanceof Error ? error.message : String(error),
});

// Positions in a read row: the id, then STORED_ROW_COLUMNS.
const TYPE = 1;
const DATE = 5;
const STATUS = 7;

/** The digest a stored row's compared values give alone: digestOfRows of the same row as a new one gives the same. */
export const storedRowDigest = (values: readonly unknown[]): number => {
  const digest = new ContactDigest();
  digestStoredRow(digest, values, 1);
  return digest.value();
};

/**
 * Serves one commit: reads in one read transaction, taken when the commit
 * already holds the write lock, so that it sees exactly what the commit
 * started from; a message `null` ends it (the transaction is closed before
 * the commit's COMMIT, whose checkpoint would otherwise stop at it).
 */
export const serveStoredRowReads = ({ databasePath, port, sent }: StoredRowsReaderData): void => {
  const counters = new Int32Array(sent);
  let sqlite: Database.Database | null = null;
  const end = (): void => {
    sqlite?.close();
    signalClosed(counters);
    port.close();
  };
  try {
    sqlite = new Database(databasePath, { readonly: true, fileMustExist: true });
    const rowsOf = sqlite
      .prepare(`SELECT id, ${STORED_ROW_COLUMNS} FROM email_schedules WHERE contact_id = ? AND +status IN ('pre-scheduled', 'skipped')`)
      .raw();
    sqlite.exec('BEGIN');
    const textIndex = new Map<string, number>();
    const indexOf = (value: unknown, texts: string[]): number => {
      const text = String(value);
      let index = textIndex.get(text);
      if (index === undefined) {
        index = textIndex.size;
        textIndex.set(text, index);
        texts.push(text);
      }
      return index;
    };
    port.on('message', (contactIds: Float64Array | null) => {
      if (contactIds === null) return end();
      try {
        const entries: number[] = [];
        const texts: string[] = [];
        for (const contactId of contactIds) {
          const rows = rowsOf.all(contactId) as unknown[][];
          entries.push(contactId, rows.length);
          for (const values of rows) {
            entries.push(values[0] as number, storedRowDigest(values), indexOf(values[TYPE], texts), indexOf(values[DATE], texts), indexOf(values[STATUS], texts));
          }
        }
        const packed = Float64Array.from(entries);
        postBatch(port, counters, { entries: packed, contacts: contactIds.length, texts }, [packed.buffer]);
      } catch (error) {
        postBatch(port, counters, failedBatch(error));
        end();
      }
    });
  } catch (error) {
    postBatch(port, counters, failedBatch(error));
    end();
  }
};
