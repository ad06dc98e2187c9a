import { digestOfRows } from './contact-digest';
import type { ContactRows } from './contact-groups';
import { sameContent } from './schedule-row-content';
import { rowKey, type ScheduleStatements } from './schedule-statements';

/** What a commit did, row by row, for its summary. */
export interface Tally {
  contacts: number;
  contactsChanged: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  rowsKept: number;
  conflictsIgnored: number;
}

export const newTally = (): Tally => ({
  contacts: 0,
  contactsChanged: 0,
  rowsInserted: 0,
  rowsUpdated: 0,
  rowsDeleted: 0,
  rowsKept: 0,
  conflictsIgnored: 0,
});

export interface DigestedContact extends ContactRows {
  readonly digest: number;
}

export const digestContact = (group: ContactRows): DigestedContact => ({
  contactId: group.contactId,
  rows: group.rows,
  digest: digestOfRows(group.rows),
});

/**
 * What a contact's rows in the table are after its write: the new rows but
 * those the sender's keys kept out. Digests and checksums describe the table.
 */
export interface WrittenContact {
  readonly digest: number;
  readonly rowCount: number;
  readonly changed: boolean;
}

const writtenContact = (contact: DigestedContact, ignored: number[] | null, changed: boolean): WrittenContact => {
  if (ignored === null) return { digest: contact.digest, rowCount: contact.rows.length, changed };
  const skip = new Set(ignored);
  const kept = contact.rows.filter((_, i) => !skip.has(i));
  return { digest: digestOfRows(kept), rowCount: kept.length, changed };
};

/** Applies the set difference between a contact's stored rows and its new rows. */
export const rewriteContact = (statements: ScheduleStatements, runId: string, contact: DigestedContact, tally: Tally): WrittenContact => {
  const stored = new Map(statements.storedRows(contact.contactId).map((row) => [row.key, row]));
  const inserts: number[] = [];
  let ignored: number[] | null = null;
  let changed = false;
  for (let i = 0; i < contact.rows.length; i++) {
    const row = contact.rows[i]!;
    const key = rowKey(row.emailType, row.scheduledSendDate);
    const old = stored.get(key);
    if (old === undefined) {
      inserts.push(i);
      continue;
    }
    stored.delete(key);
    if (sameContent(old.values, 1, row)) {
      tally.rowsKept++;
    } else {
      statements.update(old, row, runId);
      tally.rowsUpdated++;
      changed = true;
    }
  }
  // A stored row of the same type as a new row moves to the new row's date
  // (no remaining stored row holds a new row's key: those matched above).
  const leftovers = [...stored.values()];
  const remaining: number[] = [];
  for (const i of inserts) {
    const row = contact.rows[i]!;
    const sameType = leftovers.findIndex((old) => old.emailType === row.emailType);
    if (sameType === -1) {
      remaining.push(i);
      continue;
    }
    const [old] = leftovers.splice(sameType, 1);
    changed = true;
    if (statements.move(old!, row, runId)) {
      tally.rowsUpdated++;
    } else {
      statements.delete(old!);
      tally.rowsDeleted++;
      tally.conflictsIgnored++;
      (ignored ??= []).push(i);
    }
  }
  // Deletes before inserts: a new row may take a key only a deleted row held.
  for (const old of leftovers) {
    statements.delete(old);
    tally.rowsDeleted++;
    changed = true;
  }
  for (const i of remaining) {
    if (statements.insert(contact.rows[i]!, runId)) {
      tally.rowsInserted++;
      changed = true;
    } else {
      tally.conflictsIgnored++;
      (ignored ??= []).push(i);
    }
  }
  return writtenContact(contact, ignored, changed);
};

/** A contact without a digest has no scheduler rows (see distrustDigestsUnlessComplete in digest-trust.ts): nothing to read. */
export const insertContact = (statements: ScheduleStatements, runId: string, contact: DigestedContact, tally: Tally): WrittenContact => {
  let ignored: number[] | null = null;
  for (let i = 0; i < contact.rows.length; i++) {
    if (statements.insert(contact.rows[i]!, runId)) tally.rowsInserted++;
    else {
      tally.conflictsIgnored++;
      (ignored ??= []).push(i);
    }
  }
  return writtenContact(contact, ignored, contact.rows.length > (ignored?.length ?? 0));
};

export const deleteContactRows = (statements: ScheduleStatements, contactId: number, tally: Tally): void => {
  for (const old of statements.storedRows(contactId)) {
    statements.delete(old);
    tally.rowsDeleted++;
  }
};
