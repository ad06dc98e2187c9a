import { NO_DAY } from '../dates/epoch-day';
import type { Exclusion } from '../rules/exclusion';
import type { EmailCandidate, HistoryEmail } from '../types';
import { ensureLength } from './grow';

/** The text index of null. */
export const NO_TEXT = -1;

export const STATUS_PRE_SCHEDULED = 0;
export const STATUS_SKIPPED = 1;
export const FLAG_RESPECTS_WINDOWS = 1;
export const FLAG_FOLLOWUP = 2;

const FOLLOWUP_PREFIX = 'followup_';
/** Recently interned texts kept by length, a power of two. */
const RECENT_TEXT_SLOTS = 32;
const FREQUENCY_STATUSES = new Set(['scheduled', 'processing', 'sent', 'delivered']);

/**
 * `campaignInstanceId` of an email without a campaign instance. Not -1: an
 * instance id is any SQLite integer (CONTRACT.md), 0 and negative ones included.
 */
export const NO_INSTANCE = Number.NaN;

/**
 * A whole run's candidates in columns of numbers, as the organization-wide
 * steps of RULES.md §9 need them: millions of emails without millions of
 * objects. Contacts are appended whole; a contact's emails and history are
 * contiguous.
 */
export class CandidateTable {
  emailCount = 0;
  contactCount = 0;
  historyCount = 0;

  // Per email.
  contactIndex = new Int32Array(0);
  typeCode = new Uint16Array(0);
  day = new Int32Array(0);
  deadline = new Int32Array(0);
  status = new Uint8Array(0);
  priority = new Int32Array(0);
  keyHash = new Uint32Array(0);
  flags = new Uint8Array(0);
  /** E of RULES.md §4, `NO_DAY` when unknown (a follow-up of an initial email without one). */
  eventDay = new Int32Array(0);
  /** `NO_INSTANCE` when none. Float64, as contact ids: SQLite ids go past 2^31. */
  campaignInstanceId = new Float64Array(0);
  // Text columns hold indexes into `texts`: millions of string references in
  // JS arrays would be scanned by every major garbage collection.
  emailTemplate = new Int32Array(0);
  smsTemplate = new Int32Array(0);
  skipReason = new Int32Array(0);
  metadata = new Int32Array(0);
  /** Each distinct text once; text columns index it, NO_TEXT for null. */
  readonly texts: string[] = [];
  private readonly textIndexes = new Map<string, number>();
  private readonly recentText = new Array<string | null>(RECENT_TEXT_SLOTS).fill(null);
  private readonly recentTextIndex = new Int32Array(RECENT_TEXT_SLOTS);

  // Per contact; `emailStart[c] .. emailStart[c + 1]` are its emails.
  // Float64: SQLite's INTEGER ids go past 2^31 (an Int32Array would write another contact's id).
  contactId = new Float64Array(0);
  emailStart = new Int32Array(1);
  historyStart = new Int32Array(1);
  /** Window parameters; `windowAnchorMonth` 0 means no dated window (year 0 is a year like any other). */
  windowAnchorYear = new Int32Array(0);
  windowAnchorMonth = new Uint8Array(0);
  windowAnchorDay = new Uint8Array(0);
  windowUsesMonthStart = new Uint8Array(0);
  windowDaysBefore = new Int32Array(0);
  windowDaysAfter = new Int32Array(0);
  yearRoundFrom = new Int32Array(0);

  // Per kept history row (status outside pre-scheduled/skipped).
  historyType = new Uint16Array(0);
  historyScheduledDay = new Int32Array(0);
  historySentDay = new Int32Array(0);
  /** Counts toward the frequency cap: not a follow-up, and scheduled/processing/sent/delivered. */
  historyCountsForFrequency = new Uint8Array(0);

  private emailCapacity = 0;
  private contactCapacity = 0;
  private historyCapacity = 0;
  /** The output columns are left empty until `fillOutputColumns` (see the constructor). */
  private outputColumnsDeferred = false;

  readonly typeNames: string[] = [];
  private readonly typeCodes = new Map<string, number>();

  /**
   * Sizing for the expected counts up front saves growing (and collecting) columns of millions.
   * `deferOutputColumns`: `append` leaves out the columns only the commit reads (event day, campaign
   * instance, templates, metadata: 24 of an email's 52 bytes, and most of the texts) until
   * `fillOutputColumns` puts them in, once the organization-wide steps, which need the rest and memory of
   * their own, are done. Such a table is filled by `append` only.
   */
  constructor(expected: { contacts?: number; emails?: number; history?: number; deferOutputColumns?: boolean } = {}) {
    this.outputColumnsDeferred = expected.deferOutputColumns === true;
    if (expected.contacts !== undefined) this.growContacts(expected.contacts);
    if (expected.emails !== undefined) this.growEmails(expected.emails);
    if (expected.history !== undefined) this.growHistory(expected.history);
  }

  /**
   * Empties the table for the next chunk: rows, contacts, history, texts and
   * types go, the columns' memory stays. A fresh table per chunk would
   * allocate and zero megabytes of columns each time (about 4% of candidate
   * generation at 10,000 contacts a chunk); every column of a new row is written.
   */
  clear(): void {
    this.emailCount = 0;
    this.contactCount = 0;
    this.historyCount = 0;
    this.texts.length = 0;
    this.textIndexes.clear();
    this.recentText.fill(null);
    this.typeNames.length = 0;
    this.typeCodes.clear();
  }

  /** The index of `text` in `texts` (added when new); NO_TEXT for null. */
  textIndexOf(text: string | null): number {
    if (text === null) return NO_TEXT;
    // Templates repeat email after email: remember the last text of each slot.
    const slot = text.length & (RECENT_TEXT_SLOTS - 1);
    if (this.recentText[slot] === text) return this.recentTextIndex[slot]!;
    let index = this.textIndexes.get(text);
    if (index === undefined) {
      index = this.texts.length;
      this.texts.push(text);
      this.textIndexes.set(text, index);
    }
    this.recentText[slot] = text;
    this.recentTextIndex[slot] = index;
    return index;
  }

  /**
   * Adds `text` without looking for it, so the table may hold it twice (which
   * changes nothing a text column means). For texts a caller adds once per
   * table, by the thousand: a chunk's window reasons, whose lookups cost 4% of
   * candidate generation.
   */
  addText(text: string): number {
    this.texts.push(text);
    return this.texts.length - 1;
  }

  /** Email `e`'s campaign instance id, or null when it has none. */
  campaignInstanceIdAt(e: number): number | null {
    const id = this.campaignInstanceId[e]!;
    return Number.isNaN(id) ? null : id;
  }

  textAt(index: number): string | null {
    return index === NO_TEXT ? null : this.texts[index]!;
  }

  typeCodeOf(emailType: string): number {
    // A run has a handful of types, and an email's type is usually the very
    // string object the table met first: comparing identities beats hashing.
    const names = this.typeNames;
    for (let code = 0; code < names.length && code < 16; code++) if (names[code] === emailType) return code;
    let code = this.typeCodes.get(emailType);
    if (code === undefined) {
      code = this.typeNames.length;
      this.typeNames.push(emailType);
      this.typeCodes.set(emailType, code);
    }
    return code;
  }

  /** Each type's position in alphabetical order, for "then by type" orderings. */
  typeRanks(): Int32Array {
    const ranks = new Int32Array(this.typeNames.length);
    [...this.typeNames.keys()]
      .sort((a, b) => (this.typeNames[a]! < this.typeNames[b]! ? -1 : 1))
      .forEach((code, rank) => (ranks[code] = rank));
    return ranks;
  }

  /** Appends one usable contact with its candidates and the history the sender holds. */
  addContact(
    contactId: number,
    exclusion: Exclusion | null,
    emails: readonly EmailCandidate[],
    history: readonly HistoryEmail[],
  ): void {
    this.beginContact(contactId, exclusion);
    for (const email of emails) this.writeCandidate(this.newEmail(), email);
    this.endContact(history);
  }

  /** Opens the next contact: its emails are appended (`newEmail`) until `endContact`. */
  beginContact(contactId: number, exclusion: Exclusion | null): void {
    const c = this.contactCount++;
    if (c + 1 > this.contactCapacity) this.growContacts(Math.max(1024, (c + 1) * 2));
    this.contactId[c] = contactId;
    this.yearRoundFrom[c] = exclusion === null ? NO_DAY : exclusion.yearRoundFrom;
    const window = exclusion === null ? null : exclusion.window;
    this.windowAnchorYear[c] = window === null ? 0 : window.anchorYear;
    this.windowAnchorMonth[c] = window === null ? 0 : window.anchorMonth;
    this.windowAnchorDay[c] = window === null ? 0 : window.anchorDay;
    this.windowUsesMonthStart[c] = window !== null && window.useMonthStart ? 1 : 0;
    this.windowDaysBefore[c] = window === null ? 0 : window.daysBefore;
    this.windowDaysAfter[c] = window === null ? 0 : window.daysAfter;
  }

  /** The index of a new email of the open contact, every column of which the caller writes. */
  newEmail(): number {
    const e = this.emailCount++;
    if (this.emailCount > this.emailCapacity) this.growEmails(Math.max(4096, this.emailCount * 2));
    return e;
  }

  /** Drops the open contact's last emails, down to `count` emails in all. */
  truncateEmails(count: number): void {
    if (count > this.emailCount) throw new RangeError(`cannot truncate ${this.emailCount} emails to ${count}`);
    this.emailCount = count;
  }

  /** Writes an email given as an object into row `e`. */
  writeCandidate(e: number, email: EmailCandidate): void {
    this.contactIndex[e] = this.contactCount - 1;
    this.typeCode[e] = this.typeCodeOf(email.emailType);
    this.day[e] = email.day;
    this.deadline[e] = email.deadline;
    this.status[e] = email.status === 'pre-scheduled' ? STATUS_PRE_SCHEDULED : STATUS_SKIPPED;
    this.priority[e] = email.priority;
    this.keyHash[e] = email.keyHash;
    this.flags[e] = (email.respectsWindows ? FLAG_RESPECTS_WINDOWS : 0) | (email.isFollowup ? FLAG_FOLLOWUP : 0);
    this.eventDay[e] = email.eventDay ?? NO_DAY;
    this.campaignInstanceId[e] = email.campaignInstanceId ?? NO_INSTANCE;
    this.emailTemplate[e] = this.textIndexOf(email.emailTemplate);
    this.smsTemplate[e] = this.textIndexOf(email.smsTemplate);
    this.skipReason[e] = this.textIndexOf(email.skipReason);
    this.metadata[e] = this.textIndexOf(email.metadata);
  }

  /** Closes the open contact, with the history the sender holds. */
  endContact(history: readonly HistoryEmail[]): void {
    const c = this.contactCount - 1;
    this.emailStart[c + 1] = this.emailCount;
    const firstHistory = this.historyCount;
    this.historyCount += history.length;
    if (this.historyCount > this.historyCapacity) this.growHistory(Math.max(1024, this.historyCount * 2));
    for (let k = 0; k < history.length; k++) {
      const row = history[k]!;
      const h = firstHistory + k;
      this.historyType[h] = this.typeCodeOf(row.emailType);
      this.historyScheduledDay[h] = row.scheduledDay;
      this.historySentDay[h] = row.sentDay;
      this.historyCountsForFrequency[h] =
        !row.emailType.startsWith(FOLLOWUP_PREFIX) && FREQUENCY_STATUSES.has(row.status) ? 1 : 0;
    }
    this.historyStart[c + 1] = this.historyCount;
  }

  /**
   * Appends another table's contacts after this one's (a run's chunks, in
   * contact-id order), mapping its type codes onto this table's.
   */
  append(other: CandidateTable): void {
    const typeMap = other.typeNames.map((name) => this.typeCodeOf(name));
    const mapText = this.textMapOf(other);
    const contactBase = this.contactCount;
    const emailBase = this.emailCount;
    const historyBase = this.historyCount;
    this.contactCount += other.contactCount;
    this.emailCount += other.emailCount;
    this.historyCount += other.historyCount;
    if (this.contactCount > this.contactCapacity) this.growContacts(this.contactCount);
    if (this.emailCount > this.emailCapacity) this.growEmails(this.emailCount);
    if (this.historyCount > this.historyCapacity) this.growHistory(this.historyCount);

    const copy = <T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(to: T, from: T, at: number, count: number) =>
      to.set(from.subarray(0, count), at);
    const n = other.emailCount;
    for (let e = 0; e < n; e++) {
      this.contactIndex[emailBase + e] = other.contactIndex[e]! + contactBase;
      this.typeCode[emailBase + e] = typeMap[other.typeCode[e]!]!;
      this.skipReason[emailBase + e] = mapText(other.skipReason[e]!);
    }
    copy(this.day, other.day, emailBase, n);
    copy(this.deadline, other.deadline, emailBase, n);
    copy(this.status, other.status, emailBase, n);
    copy(this.priority, other.priority, emailBase, n);
    copy(this.keyHash, other.keyHash, emailBase, n);
    copy(this.flags, other.flags, emailBase, n);
    if (!this.outputColumnsDeferred) this.copyOutputColumns(other, emailBase, mapText);

    const m = other.contactCount;
    copy(this.contactId, other.contactId, contactBase, m);
    copy(this.windowAnchorYear, other.windowAnchorYear, contactBase, m);
    copy(this.windowAnchorMonth, other.windowAnchorMonth, contactBase, m);
    copy(this.windowAnchorDay, other.windowAnchorDay, contactBase, m);
    copy(this.windowUsesMonthStart, other.windowUsesMonthStart, contactBase, m);
    copy(this.windowDaysBefore, other.windowDaysBefore, contactBase, m);
    copy(this.windowDaysAfter, other.windowDaysAfter, contactBase, m);
    copy(this.yearRoundFrom, other.yearRoundFrom, contactBase, m);
    for (let c = 1; c <= m; c++) {
      this.emailStart[contactBase + c] = other.emailStart[c]! + emailBase;
      this.historyStart[contactBase + c] = other.historyStart[c]! + historyBase;
    }

    const h = other.historyCount;
    for (let k = 0; k < h; k++) this.historyType[historyBase + k] = typeMap[other.historyType[k]!]!;
    copy(this.historyScheduledDay, other.historyScheduledDay, historyBase, h);
    copy(this.historySentDay, other.historySentDay, historyBase, h);
    copy(this.historyCountsForFrequency, other.historyCountsForFrequency, historyBase, h);
  }

  /**
   * Puts a deferred table's output columns in for rows `emailBase ..`, from `other`: the table appended there,
   * or one equal to it (the same chunk decoded again), which is checked on its contacts and types. The first
   * call allocates the columns for `emailCount` rows.
   */
  fillOutputColumns(other: CandidateTable, emailBase: number, contactBase: number): void {
    if (this.outputColumnsDeferred) {
      this.outputColumnsDeferred = false;
      this.growOutputColumns(this.emailCount);
    }
    const n = other.emailCount;
    const m = other.contactCount;
    const sameShape =
      emailBase + n <= this.emailCount &&
      contactBase + m <= this.contactCount &&
      this.emailStart[contactBase]! === emailBase &&
      this.emailStart[contactBase + m]! === emailBase + n;
    let same = sameShape;
    for (let c = 0; same && c < m; c++) {
      same = this.contactId[contactBase + c] === other.contactId[c] && this.emailStart[contactBase + c]! - emailBase === other.emailStart[c];
    }
    const typeMap = other.typeNames.map((name) => this.typeNames.indexOf(name));
    for (let e = 0; same && e < n; e++) same = this.typeCode[emailBase + e] === typeMap[other.typeCode[e]!];
    if (!same) throw new Error(`the emails at ${emailBase} .. ${emailBase + n} are not the ones appended there`);
    this.copyOutputColumns(other, emailBase, this.textMapOf(other));
  }

  /**
   * `other`'s text indexes as this table's (NO_TEXT stays NO_TEXT). Each text is added on its first use, so that
   * a table deferring its output columns holds no metadata texts until they are filled.
   */
  private textMapOf(other: CandidateTable): (index: number) => number {
    const mapped = new Int32Array(other.texts.length).fill(NO_TEXT);
    return (index) => {
      if (index === NO_TEXT) return NO_TEXT;
      if (mapped[index] === NO_TEXT) mapped[index] = this.textIndexOf(other.texts[index]!);
      return mapped[index]!;
    };
  }

  private copyOutputColumns(other: CandidateTable, emailBase: number, mapText: (index: number) => number): void {
    const n = other.emailCount;
    for (let e = 0; e < n; e++) {
      this.emailTemplate[emailBase + e] = mapText(other.emailTemplate[e]!);
      this.smsTemplate[emailBase + e] = mapText(other.smsTemplate[e]!);
      this.metadata[emailBase + e] = mapText(other.metadata[e]!);
    }
    this.eventDay.set(other.eventDay.subarray(0, n), emailBase);
    this.campaignInstanceId.set(other.campaignInstanceId.subarray(0, n), emailBase);
  }

  /** After its columns were replaced whole (a decoded chunk): their lengths are the capacity. */
  adoptCapacity(): void {
    this.emailCapacity = this.day.length;
    this.contactCapacity = this.contactId.length;
    this.historyCapacity = this.historyType.length;
  }

  private growEmails(length: number): void {
    this.emailCapacity = length;
    this.contactIndex = ensureLength(this.contactIndex, length);
    this.typeCode = ensureLength(this.typeCode, length);
    this.day = ensureLength(this.day, length);
    this.deadline = ensureLength(this.deadline, length);
    this.status = ensureLength(this.status, length);
    this.priority = ensureLength(this.priority, length);
    this.keyHash = ensureLength(this.keyHash, length);
    this.flags = ensureLength(this.flags, length);
    this.skipReason = ensureLength(this.skipReason, length);
    if (!this.outputColumnsDeferred) this.growOutputColumns(length);
  }

  private growOutputColumns(length: number): void {
    this.eventDay = ensureLength(this.eventDay, length);
    this.campaignInstanceId = ensureLength(this.campaignInstanceId, length);
    this.emailTemplate = ensureLength(this.emailTemplate, length);
    this.smsTemplate = ensureLength(this.smsTemplate, length);
    this.metadata = ensureLength(this.metadata, length);
  }

  private growContacts(length: number): void {
    this.contactCapacity = length;
    this.contactId = ensureLength(this.contactId, length);
    this.emailStart = ensureLength(this.emailStart, length + 1);
    this.historyStart = ensureLength(this.historyStart, length + 1);
    this.windowAnchorYear = ensureLength(this.windowAnchorYear, length);
    this.windowAnchorMonth = ensureLength(this.windowAnchorMonth, length);
    this.windowAnchorDay = ensureLength(this.windowAnchorDay, length);
    this.windowUsesMonthStart = ensureLength(this.windowUsesMonthStart, length);
    this.windowDaysBefore = ensureLength(this.windowDaysBefore, length);
    this.windowDaysAfter = ensureLength(this.windowDaysAfter, length);
    this.yearRoundFrom = ensureLength(this.yearRoundFrom, length);
  }

  private growHistory(length: number): void {
    this.historyCapacity = length;
    this.historyType = ensureLength(this.historyType, length);
    this.historyScheduledDay = ensureLength(this.historyScheduledDay, length);
    this.historySentDay = ensureLength(this.historySentDay, length);
    this.historyCountsForFrequency = ensureLength(this.historyCountsForFrequency, length);
  }
}
