import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { rowKey, type StoredRow } from './schedule-statements';
import { BATCHES_SENT, CLOSED, CONTACT_HEAD, ROW_FIELDS, type StoredRowBatch, type StoredRowsReaderData } from './stored-rows-reader';

/**
 * The stored rows of the contacts a commit will rewrite, read ahead of it on
 * another thread. Reading them was a next day's largest cost on the commit's
 * own thread (3.8 of 9.4 s at 1M contacts, profiled), while the machine's
 * other core waited; see docs/next-day-cost.md.
 */
export interface StoredRowsAhead {
  /** Asks for a contact's stored rows; contacts are asked for in ascending id order, as the commit takes them. */
  want(contactId: number): void;
  /** The stored rows of a contact asked for, once read; null when there are none to be had (the commit reads them itself). */
  take(contactId: number): StoredRow[] | null;
  /** Ends the reading (its read transaction too): before the commit's COMMIT. */
  close(): void;
}

/** Contacts asked for per message to the reader. */
const CONTACTS_PER_REQUEST = 256;
/** How long the commit waits for the reader before it reads the rest itself: it reads faster than the commit writes. */
const READER_WAIT_MS = 30_000;

/** How long closing waits for the reader to close its connection (it ends its read transaction with it). */
const CLOSE_WAIT_MS = 5_000;

// Loads the module that exports serveStoredRowReads (in the fleet, the compute threads' bundle); one that
// cannot be loaded is reported as a failed batch, so that the commit does not wait for it.
const READER_SCRIPT = `
const { workerData } = require('node:worker_threads');
import(workerData.moduleUrl).then(
  (module) => module.serveStoredRowReads(workerData),
  (error) => {
    const counters = new Int32Array(workerData.sent);
    workerData.port.postMessage({ entries: new Float64Array(0), contacts: 0, texts: [], error: String(error) });
    Atomics.add(counters, ${BATCHES_SENT}, 1);
    Atomics.notify(counters, ${BATCHES_SENT});
    Atomics.store(counters, ${CLOSED}, 1);
    Atomics.notify(counters, ${CLOSED});
    workerData.port.close();
  },
);
`;

/** The commit's end of a reader thread's channel. */
export interface ReaderChannel {
  readonly port: MessagePort;
  /** The reader's counters (see StoredRowsReaderData). */
  readonly counters: Int32Array;
  readonly stop: () => void;
}

/**
 * A reader for a commit that holds the write lock of the file at
 * `databasePath`, on a thread started when the first contact is asked for
 * (a commit that fails before that leaves none behind). `moduleUrl`: a plain
 * JavaScript module exporting `serveStoredRowReads` (a thread cannot load
 * our TypeScript sources).
 */
export const startStoredRowsReader = (databasePath: string, moduleUrl: string): StoredRowsAhead =>
  new StoredRowsFromThread(() => {
    const { port1, port2 } = new MessageChannel();
    const sent = new SharedArrayBuffer(8);
    const workerData: StoredRowsReaderData & { moduleUrl: string } = { databasePath, port: port2, sent, moduleUrl };
    const worker = new Worker(READER_SCRIPT, { eval: true, workerData, transferList: [port2], stdout: false, stderr: false });
    worker.unref();
    // A reader that fails to start says so in a batch; one that dies without a word is waited for, then read around.
    worker.on('error', () => undefined);
    return { port: port1, counters: new Int32Array(sent), stop: () => void worker.terminate() };
  });

/** The commit's side of a reader thread: asks in batches, and takes each contact's rows as they come back. */
export class StoredRowsFromThread implements StoredRowsAhead {
  private wanted: number[] = [];
  /** Contacts asked for and not yet answered. */
  private outstanding = 0;
  private entries: Float64Array = new Float64Array(0);
  private position = 0;
  private readonly texts: string[] = [];
  private stopped = false;
  private channel: ReaderChannel | null = null;

  constructor(
    private readonly open: () => ReaderChannel,
    private readonly waitMs = READER_WAIT_MS,
  ) {}

  want(contactId: number): void {
    if (this.stopped) return;
    this.wanted.push(contactId);
    if (this.wanted.length >= CONTACTS_PER_REQUEST) this.ask();
  }

  take(contactId: number): StoredRow[] | null {
    for (;;) {
      if (this.stopped) return null;
      while (this.position < this.entries.length) {
        const id = this.entries[this.position]!;
        // Not asked for: the commit reads it itself.
        if (id > contactId) return null;
        const count = this.entries[this.position + 1]!;
        if (id === contactId) {
          const rows = this.rowsAt(this.position + CONTACT_HEAD, count);
          this.position += CONTACT_HEAD + count * ROW_FIELDS;
          return rows;
        }
        // Asked for, but the commit went past it (it had nothing to write there after all).
        this.position += CONTACT_HEAD + count * ROW_FIELDS;
      }
      if (this.outstanding === 0 && this.wanted.length === 0) return null;
      this.ask();
      if (!this.receive()) this.close();
    }
  }

  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.channel === null) return;
    const { port, counters, stop } = this.channel;
    port.postMessage(null);
    // Its read transaction must be over before the COMMIT: the checkpoint would stop short of it.
    Atomics.wait(counters, CLOSED, 0, CLOSE_WAIT_MS);
    port.close();
    stop();
  }

  private ask(): void {
    if (this.wanted.length === 0) return;
    this.channel ??= this.open();
    const ids = Float64Array.from(this.wanted);
    this.channel.port.postMessage(ids, [ids.buffer]);
    this.outstanding += this.wanted.length;
    this.wanted = [];
  }

  /** The next batch, waiting for it; false when the reader failed or did not answer in time. */
  private receive(): boolean {
    const { port, counters } = this.channel!;
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const seen = Atomics.load(counters, BATCHES_SENT);
      const message = receiveMessageOnPort(port);
      if (message !== undefined) {
        const batch = message.message as StoredRowBatch;
        if (batch.error !== undefined) return false;
        this.texts.push(...batch.texts);
        this.entries = batch.entries;
        this.position = 0;
        this.outstanding -= batch.contacts;
        return true;
      }
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(counters, BATCHES_SENT, seen, left);
    }
  }

  private rowsAt(start: number, count: number): StoredRow[] {
    const rows: StoredRow[] = new Array<StoredRow>(count);
    for (let i = 0; i < count; i++) {
      const at = start + i * ROW_FIELDS;
      const emailType = this.texts[this.entries[at + 2]!]!;
      const scheduledSendDate = this.texts[this.entries[at + 3]!]!;
      rows[i] = {
        id: this.entries[at]!,
        key: rowKey(emailType, scheduledSendDate),
        emailType,
        scheduledSendDate,
        status: this.texts[this.entries[at + 4]!]!,
        values: null,
        contentDigest: this.entries[at + 1]!,
      };
    }
    return rows;
  }
}
