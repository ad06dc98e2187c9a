import type { EmailKind } from '../context';
import { NO_DAY } from '../dates/epoch-day';
import {
  FLAG_FOLLOWUP,
  FLAG_RESPECTS_WINDOWS,
  NO_INSTANCE,
  NO_TEXT,
  STATUS_PRE_SCHEDULED,
  STATUS_SKIPPED,
  type CandidateTable,
} from '../finalize/candidate-table';
import { ensureLength } from '../finalize/grow';
import type { Exclusion, ReasonText } from '../rules/exclusion';
import type { EmailCandidate, HistoryEmail, SkipCode } from '../types';
import { resolveSameDayConflicts } from './same-day-conflicts';

const CAMPAIGN_PREFIX = 'campaign_';

/**
 * One contact's emails, written into a CandidateTable's columns as they are
 * made: the per-contact path of a run creates no object per email. What the
 * table does not keep (skip codes, conflict tie-breakers) is kept here while
 * the contact is open.
 */
export class ContactEmails {
  /** The open contact's first row in the table. */
  private first = 0;
  // Instance or initial email ids: SQLite ids, which go past 2^31.
  private tieBreakers = new Float64Array(16);
  private readonly skipCodes: (SkipCode | null)[] = [];
  /** Per kind id, three entries: its type code and template text indexes in this table. */
  private kindCodes = new Int32Array(0);
  /** Per window reason id, its text index in this table plus one (0: not yet). */
  private reasonIndexes = new Int32Array(0);
  /** The kind each id was resolved for (ids are a context's own). */
  private readonly kinds: (EmailKind | undefined)[] = [];

  constructor(readonly table: CandidateTable) {}

  begin(contactId: number, exclusion: Exclusion | null): void {
    this.table.beginContact(contactId, exclusion);
    this.first = this.table.emailCount;
  }

  end(history: readonly HistoryEmail[]): void {
    this.table.endContact(history);
  }

  /** Appends a pre-scheduled email of `kind` (its key's hash as int32 bits: `emailKeyHashBitsAfter`); returns its row. */
  addOfKind(kind: EmailKind, eventDay: number, day: number, deadline: number, keyHashBits: number): number {
    const table = this.table;
    const e = table.newEmail();
    if (this.kinds[kind.id] !== kind) this.resolve(kind);
    const codes = this.kindCodes;
    const at = kind.id * 3;
    table.contactIndex[e] = table.contactCount - 1;
    table.typeCode[e] = codes[at]!;
    table.day[e] = day;
    table.deadline[e] = deadline;
    table.status[e] = STATUS_PRE_SCHEDULED;
    table.priority[e] = kind.priority;
    table.keyHash[e] = keyHashBits;
    table.flags[e] = kind.respectsWindows ? FLAG_RESPECTS_WINDOWS : 0;
    table.eventDay[e] = eventDay;
    table.campaignInstanceId[e] = kind.campaignInstanceId ?? NO_INSTANCE;
    table.emailTemplate[e] = codes[at + 1]!;
    table.smsTemplate[e] = codes[at + 2]!;
    table.skipReason[e] = NO_TEXT;
    table.metadata[e] = NO_TEXT;
    this.keep(e, kind.campaignInstanceId ?? 0, null);
    return e;
  }

  /** Appends an email given as an object; returns its row. */
  add(email: EmailCandidate): number {
    const e = this.table.newEmail();
    this.table.writeCandidate(e, email);
    this.keep(e, email.tieBreaker, email.skipCode);
    return e;
  }

  /** Takes back the email just added. */
  dropLast(): void {
    this.table.truncateEmails(this.table.emailCount - 1);
  }

  skip(e: number, code: SkipCode, reason: string): void {
    this.skipAs(e, code, this.table.textIndexOf(reason));
  }

  /** Skips row `e` for a dated exclusion window; its reason's text is added to the table once. */
  skipInWindow(e: number, reason: ReasonText): void {
    let index = reason.id < this.reasonIndexes.length ? this.reasonIndexes[reason.id]! - 1 : -1;
    if (index < 0) {
      index = this.table.addText(reason.text);
      this.reasonIndexes = ensureLength(this.reasonIndexes, reason.id + 1);
      this.reasonIndexes[reason.id] = index + 1;
    }
    this.skipAs(e, 'exclusion_window', index);
  }

  private skipAs(e: number, code: SkipCode, reasonIndex: number): void {
    this.table.status[e] = STATUS_SKIPPED;
    this.table.skipReason[e] = reasonIndex;
    this.skipCodes[e - this.first] = code;
  }

  emailTypeAt(e: number): string {
    return this.table.typeNames[this.table.typeCode[e]!]!;
  }

  tieBreakerAt(e: number): number {
    return this.tieBreakers[e - this.first]!;
  }

  /** RULES.md §7 and §8 on the open contact's emails (`resolveSameDayConflicts`), when two of them contest a day. */
  resolveSameDayConflicts(): void {
    if (!this.hasSameDayContest()) return;
    const kept = resolveSameDayConflicts(this.emails());
    this.table.truncateEmails(this.first);
    for (const email of kept) this.add(email);
  }

  /** The open contact's emails as objects. */
  emails(): EmailCandidate[] {
    const emails: EmailCandidate[] = [];
    for (let e = this.first; e < this.table.emailCount; e++) emails.push(this.emailAt(e));
    return emails;
  }

  private emailAt(e: number): EmailCandidate {
    const table = this.table;
    const eventDay = table.eventDay[e]!;
    return {
      emailType: this.emailTypeAt(e),
      eventDay: eventDay === NO_DAY ? null : eventDay,
      day: table.day[e]!,
      deadline: table.deadline[e]!,
      status: table.status[e] === STATUS_PRE_SCHEDULED ? 'pre-scheduled' : 'skipped',
      skipCode: this.skipCodes[e - this.first]!,
      skipReason: table.textAt(table.skipReason[e]!),
      keyHash: table.keyHash[e]!,
      priority: table.priority[e]!,
      tieBreaker: this.tieBreakerAt(e),
      respectsWindows: (table.flags[e]! & FLAG_RESPECTS_WINDOWS) !== 0,
      isFollowup: (table.flags[e]! & FLAG_FOLLOWUP) !== 0,
      campaignInstanceId: table.campaignInstanceIdAt(e),
      emailTemplate: table.textAt(table.emailTemplate[e]!),
      smsTemplate: table.textAt(table.smsTemplate[e]!),
      metadata: table.textAt(table.metadata[e]!),
    };
  }

  /** Two emails on one day that are both campaigns, or of one type: the only case with anything to resolve. */
  private hasSameDayContest(): boolean {
    const { day, typeCode, emailCount } = this.table;
    for (let a = this.first + 1; a < emailCount; a++) {
      for (let b = this.first; b < a; b++) {
        if (day[a] !== day[b]) continue;
        if (typeCode[a] === typeCode[b]) return true;
        if (this.emailTypeAt(a).startsWith(CAMPAIGN_PREFIX) && this.emailTypeAt(b).startsWith(CAMPAIGN_PREFIX)) return true;
      }
    }
    return false;
  }

  private keep(e: number, tieBreaker: number, skipCode: SkipCode | null): void {
    const k = e - this.first;
    if (k >= this.tieBreakers.length) this.tieBreakers = ensureLength(this.tieBreakers, k * 2);
    this.tieBreakers[k] = tieBreaker;
    this.skipCodes[k] = skipCode;
  }

  /** A kind's codes in this table, found on its first email. */
  private resolve(kind: EmailKind): void {
    const at = kind.id * 3;
    this.kindCodes = ensureLength(this.kindCodes, at + 3);
    this.kindCodes[at] = this.table.typeCodeOf(kind.emailType);
    this.kindCodes[at + 1] = this.table.textIndexOf(kind.emailTemplate);
    this.kindCodes[at + 2] = this.table.textIndexOf(kind.smsTemplate);
    this.kinds[kind.id] = kind;
  }
}
