/**
 * What RULES.md §10 says a TARGETED reschedule commits, computed independently
 * of the engine: the organization is read with plain SQL
 * (support/independent-reader.ts), the per-contact rules are the reference
 * model of §2–§8 (core/test/support/reference-contact-rules.ts) run for the
 * targeted contacts only, and the finalizer is the reference model of §9
 * (core/test/support/reference-finalizer.ts) run over those contacts' emails
 * only, with the organization's CURRENT day counts as its existing rows.
 *
 * The reading of "balanced against the organization's current day counts"
 * (§10) taken here, from §9's "Counting a day counts every pre-scheduled row
 * of the run plus existing scheduled/processing rows on that day. Skipped rows
 * never count and never move.": a day's count is
 *   - the reschedule's own pre-scheduled emails (the run's), plus
 *   - every `scheduled`/`processing` row on that day (any contact, the
 *     targeted ones included: the sender's rows are never replaced), plus
 *   - every committed `pre-scheduled` row of a contact that is NOT targeted
 *     (the organization's current schedule, which this run does not replace;
 *     contacts gone from `contacts` included, their rows are still on the day).
 * The targeted contacts' own committed `pre-scheduled` rows do not count: the
 * reschedule replaces them ("replaces only those contacts' pre-scheduled/skipped
 * rows"), so counting them would count those emails twice. Skipped rows never
 * count. The other contacts' rows cannot move (this run replaces only the
 * targeted contacts' rows), so in the daily cap they are kept first, like the
 * existing rows — which is exactly the role of `existing` in refFinalize.
 * N (the daily cap's base) stays the number of rows in `contacts`: "the same
 * rules", and §9 defines N that way, not as the number of contacts in the run.
 */
import Database from 'better-sqlite3';
import type { Config } from '@scheduler/core';
import { refIso } from '../../../core/test/support/reference';
import { refScheduleContact, type RefWorld } from '../../../core/test/support/reference-contact-rules';
import type { RefFinalizerResult } from '../../../core/test/support/reference-finalizer';
import { dayOfIso, independentZipToState, type ExistingDay, type IndependentOrganization } from './independent-reader';
import { committedLine, referenceSchedule, rowLine } from './reference-schedule';

export { committedLine };

// ------------------------------------------------------------------ lines

/** The contact id a line starts with. */
export const contactOfLine = (line: string): number => Number(/^c(-?\d+)/.exec(line)![1]);

// ------------------------------------------------------------------ the organization's current day counts

type Row = Record<string, unknown>;

/**
 * The day counts a reschedule of `targeted` is balanced against (see the file's
 * comment): scheduled/processing rows of everyone, pre-scheduled rows of everyone
 * but the targeted contacts. `includeOthersPreScheduled: false` gives the
 * other reading (sender rows only), used to show that the test tells the two apart.
 */
export const currentDayCounts = (
  path: string,
  targeted: ReadonlySet<number>,
  options: { includeOthersPreScheduled?: boolean } = {},
): Map<number, ExistingDay> => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT contact_id, email_type, status, scheduled_send_date FROM email_schedules WHERE status IN ('scheduled', 'processing', 'pre-scheduled')")
      .all() as Row[];
    const counts = new Map<number, ExistingDay>();
    for (const row of rows) {
      if (row.status === 'pre-scheduled' && (options.includeOthersPreScheduled === false || targeted.has(Number(row.contact_id)))) continue;
      const day = dayOfIso(row.scheduled_send_date);
      if (day === null) continue;
      const count = counts.get(day) ?? { all: 0, effectiveDate: 0 };
      counts.set(day, { all: count.all + 1, effectiveDate: count.effectiveDate + (row.email_type === 'effective_date' ? 1 : 0) });
    }
    return counts;
  } finally {
    db.close();
  }
};

// ------------------------------------------------------------------ the rules' rows for some contacts

export interface TargetedExpectation {
  /** One line per expected row of the targeted contacts, sorted. */
  readonly lines: string[];
  /** Targeted contacts that exist in `contacts` and are usable. */
  readonly usable: number;
  /** Targeted ids that are no row of `contacts` (their rows must go). */
  readonly missing: number[];
  readonly finalized: RefFinalizerResult;
}

/** The rows RULES.md §2–§9 give the `targeted` contacts when balanced against `existing`. */
export const expectedForContacts = (
  org: IndependentOrganization,
  config: Config,
  today: number,
  targeted: ReadonlySet<number>,
  existing: ReadonlyMap<number, ExistingDay>,
): TargetedExpectation => {
  const present = new Set(org.inputs.map((input) => input.contact.id));
  const { rows, finalized, usable } = referenceSchedule(org, config, today, existing, targeted);
  const sendTime = `${config.send_time}:00`;
  const lines = rows.map((row, k) => {
    const email = finalized.emails[k]!;
    return rowLine({ ...row, send: refIso(email.day), sendTime, status: email.status, skipCode: email.skipCode });
  });
  return { lines: lines.sort(), usable, missing: [...targeted].filter((id) => !present.has(id)).sort((a, b) => a - b), finalized };
};

/** The usable contacts (RULES.md §2), as the reference reads them: a target-all-contacts instance's targets (§7). */
export const usableContactIds = (org: IndependentOrganization, config: Config, today: number): Set<number> => {
  const world: RefWorld = { today, config, zipToState: independentZipToState, campaignTypes: org.campaignTypes, campaignInstances: org.campaignInstances };
  return new Set(org.inputs.filter((input) => refScheduleContact(world, input).usable).map((input) => input.contact.id));
};

// ------------------------------------------------------------------ byte snapshots

/**
 * Every scheduler row (`pre-scheduled`, `skipped`) of the contacts `keep`
 * selects, every column with SQLite's own types and bytes (`quote()`), ids
 * included, in id order: rows a reschedule must not touch.
 */
export const schedulerRowsSnapshot = (path: string, keep: (contactId: number) => boolean): string[] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const columns = (db.prepare("SELECT name FROM pragma_table_info('email_schedules') ORDER BY cid").all() as Array<{ name: string }>).map(
      (column) => column.name,
    );
    const select = columns.map((name) => `quote("${name}")`).join(` || '|' || `);
    return (
      db
        .prepare(`SELECT contact_id AS contact, ${select} AS line FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped') ORDER BY id`)
        .all() as Array<{ contact: number; line: string }>
    )
      .filter((row) => keep(Number(row.contact)))
      .map((row) => row.line);
  } finally {
    db.close();
  }
};

export interface ChangeLogRow {
  readonly id: number;
  readonly campaignInstanceId: number;
  readonly requiresRescheduling: number | null;
  readonly processedAt: string | null;
}

export const changeLogRows = (path: string): ChangeLogRow[] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare('SELECT id, campaign_instance_id, requires_rescheduling, processed_at FROM campaign_change_log ORDER BY id').all() as Row[]
    ).map((row) => ({
      id: Number(row.id),
      campaignInstanceId: Number(row.campaign_instance_id),
      requiresRescheduling: row.requires_rescheduling === null ? null : Number(row.requires_rescheduling),
      processedAt: row.processed_at === null ? null : String(row.processed_at),
    }));
  } finally {
    db.close();
  }
};

/**
 * The contacts a reschedule of an instance redoes: its RULES.md §7 targets (`contact_campaigns` rows with status
 * `pending` or `scheduled`), and every contact that holds a `pre-scheduled` or `skipped` email of the instance (a
 * target taken off it, whose email must go; a follow-up of a sent campaign email, which carries its templates).
 */
export const targetsOfInstance = (path: string, instanceId: number): Set<number> => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT contact_id FROM contact_campaigns WHERE campaign_instance_id = ? AND status IN ('pending', 'scheduled')
         UNION SELECT contact_id FROM email_schedules WHERE campaign_instance_id = ? AND status IN ('pre-scheduled', 'skipped')`,
      )
      .all(instanceId, instanceId) as Row[];
    return new Set(rows.map((row) => Number(row.contact_id)));
  } finally {
    db.close();
  }
};

/** A UTC datetime `YYYY-MM-DD HH:MM:SS` that is a real instant. */
export const isUtcDatetime = (text: string | null): boolean =>
  text !== null && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text.replace(' ', 'T')}Z`));
