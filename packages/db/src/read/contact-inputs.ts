import { UtcDatetimeToDay, type ContactInputs } from '@scheduler/core';
import type { OrganizationDb } from '../connection/open-organization-db';
import { readBehaviour } from './behaviour-reads';
import { readContactPages, type IdRange } from './contact-reads';
import { readHistory } from './history-reads';
import { readCampaignTargets } from './target-reads';
import type { UnreadableRows } from './unreadable-rows';

export interface ContactInputsOptions extends IdRange {
  /** The configured time zone that stored UTC datetimes are read in (RULES.md §1). */
  readonly timeZone: string;
  /** Read clicks and answers only from this day on (today − followup_lookback_days); all when omitted. */
  readonly behaviourSinceDay?: number;
  /** Contacts per page: what is held in memory at once. */
  readonly pageSize?: number;
}

export interface ContactInputsPage {
  readonly inputs: ContactInputs[];
  /** Rows skipped in this page, by `table.reason`. */
  readonly unreadable: UnreadableRows;
}

const EMPTY: readonly never[] = [];

/**
 * Everything the core needs per contact, for the contacts in [fromId, toId],
 * one page of contacts at a time: each page reads its contacts, then their
 * history, campaign targets and behaviour by the page's id range, and joins
 * them in memory by contact id.
 */
export function* readContactInputPages(db: OrganizationDb, options: ContactInputsOptions): Generator<ContactInputsPage> {
  const toDay = UtcDatetimeToDay.forZone(options.timeZone);
  for (const contacts of readContactPages(db, options, options.pageSize)) {
    const range = { fromId: contacts[0]!.id, toId: contacts[contacts.length - 1]!.id };
    const unreadable: UnreadableRows = {};
    const history = readHistory(db, range, toDay, unreadable);
    const targets = readCampaignTargets(db, range, unreadable);
    const behaviour = readBehaviour(db, range, toDay, unreadable, options.behaviourSinceDay ?? null);
    const inputs = contacts.map((contact) => ({
      contact,
      history: history.get(contact.id) ?? EMPTY,
      targets: targets.get(contact.id) ?? EMPTY,
      behaviour: behaviour.get(contact.id) ?? EMPTY,
    }));
    yield { inputs, unreadable };
  }
}

/** The inputs of a whole range (a chunk) at once, with the skipped rows of all its pages. */
export const readContactInputs = (
  db: OrganizationDb,
  options: ContactInputsOptions,
): { inputs: ContactInputs[]; unreadable: UnreadableRows } => {
  const inputs: ContactInputs[] = [];
  const unreadable: UnreadableRows = {};
  for (const page of readContactInputPages(db, options)) {
    for (const input of page.inputs) inputs.push(input);
    for (const [key, count] of Object.entries(page.unreadable)) unreadable[key] = (unreadable[key] ?? 0) + count;
  }
  return { inputs, unreadable };
};
