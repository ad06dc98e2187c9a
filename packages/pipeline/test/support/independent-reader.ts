/**
 * An independent reader of an organization's SQLite file, written from
 * RULES.md and CONTRACT.md alone: plain SQL through better-sqlite3, its own
 * UTC → America/Chicago conversion (Intl.DateTimeFormat), its own JSON
 * parsing, and the ZIP data set of the `zipcodes` package (the package that
 * @scheduler/zip-states bundles) used directly. It shares no code with
 * packages/db/src/read or the pipeline; only the plain input types of
 * @scheduler/core are borrowed, so that the reference models can read what
 * it produces.
 *
 * The differential end-to-end test feeds what it reads to the reference
 * models of RULES.md §2–§9 and compares their rows with the rows the real
 * pipeline commits (read back here too, with plain SQL).
 */
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import {
  SENDER_STATUSES,
  type Behaviour,
  type CampaignInstance,
  type CampaignTarget,
  type CampaignType,
  type ContactInputs,
  type ContactRecord,
  type HistoryEmail,
  type HistoryStatus,
} from '@scheduler/core';
import { refEpochDay, refParseDate } from '../../../core/test/support/reference';

// ------------------------------------------------------------------ ZIP → state

interface ZipcodesModule {
  lookup(zip: string): { zip: string; state: string; country: string } | undefined;
}

/** The `zipcodes` package, resolved from the zip-states package that depends on it. */
const zipcodes = createRequire(new URL('../../../zip-states/package.json', import.meta.url))('zipcodes') as ZipcodesModule;

/** RULES.md §2: the state the bundled ZIP data set gives a five-digit ZIP (as a number), if any. */
export const independentZipToState = (zip5: number): string | undefined => {
  if (!Number.isInteger(zip5) || zip5 < 0 || zip5 > 99_999) return undefined;
  const found = zipcodes.lookup(String(zip5).padStart(5, '0'));
  if (found === undefined || found.country !== 'US' || typeof found.state !== 'string' || found.state === '') return undefined;
  return found.state;
};

// ------------------------------------------------------------------ dates

const chicagoDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Chicago',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** RULES.md §1: the CT calendar date (`YYYY-MM-DD`) of a stored UTC `YYYY-MM-DD HH:MM:SS`, or null when it is not one. */
export const ctDateOfUtc = (text: unknown): string | null => {
  if (typeof text !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (refParseDate(`${match[1]}-${match[2]}-${match[3]}`) === null || hour > 23 || minute > 59 || second > 59) return null;
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute, second, 0);
  const parts = Object.fromEntries(chicagoDate.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
};

/** Day number (days since 1970-01-01) of a strict `YYYY-MM-DD`, or null. */
export const dayOfIso = (text: unknown): number | null => {
  if (typeof text !== 'string') return null;
  const parsed = refParseDate(text);
  return parsed === null ? null : refEpochDay(parsed.year, parsed.month, parsed.day);
};

// ------------------------------------------------------------------ the organization

export interface ExistingDay {
  readonly all: number;
  readonly effectiveDate: number;
}

export interface IndependentOrganization {
  /** N of RULES.md §9: rows of `contacts`. */
  readonly contactRows: number;
  readonly campaignTypes: CampaignType[];
  readonly campaignInstances: CampaignInstance[];
  /** One per `contacts` row, in id order. */
  readonly inputs: ContactInputs[];
  /** Existing `scheduled`/`processing` rows per `scheduled_send_date` day (RULES.md §9). */
  readonly existing: Map<number, ExistingDay>;
  /** History rows that could not be dated (a malformed scheduled_send_date): none expected. */
  readonly undatedHistory: number[];
}

const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const flag = (value: unknown, fallback: boolean): boolean => (value === null || value === undefined ? fallback : Number(value) !== 0);

const parseJson = (text: unknown): unknown => {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** RULES.md §8: an `eligibility_answered` row is "with conditions" when `has_medical_conditions: true` or `main_questions_yes_count > 0`. */
const answerKindOfMetadata = (metadata: unknown): 'answered_with_conditions' | 'answered_no_conditions' => {
  const record = asRecord(parseJson(metadata));
  if (record === null) return 'answered_no_conditions';
  const yes = record.main_questions_yes_count;
  if (record.has_medical_conditions === true || (typeof yes === 'number' && yes > 0)) return 'answered_with_conditions';
  return 'answered_no_conditions';
};

const groupBy = <T>(rows: readonly T[], key: (row: T) => number): Map<number, T[]> => {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list === undefined) out.set(k, [row]);
    else list.push(row);
  }
  return out;
};

type Row = Record<string, unknown>;

/** Reads an organization file into the plain inputs of the reference models. */
export const readOrganizationIndependently = (path: string): IndependentOrganization => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const all = (sql: string): Row[] => db.prepare(sql).all() as Row[];

    const contactRows = Number((db.prepare('SELECT COUNT(*) AS n FROM contacts').get() as { n: number }).n);

    const campaignTypes: CampaignType[] = all(
      'SELECT name, respect_exclusion_windows, enable_followups, days_before_event, target_all_contacts, priority, active FROM campaign_types ORDER BY name',
    ).map((row) => ({
      name: String(row.name),
      respectExclusionWindows: flag(row.respect_exclusion_windows, true),
      enableFollowups: flag(row.enable_followups, true),
      daysBeforeEvent: row.days_before_event === null ? 0 : Number(row.days_before_event),
      targetAllContacts: flag(row.target_all_contacts, false),
      priority: row.priority === null ? 10 : Number(row.priority),
      active: flag(row.active, true),
    }));

    const campaignInstances: CampaignInstance[] = all(
      'SELECT id, campaign_type, instance_name, email_template, sms_template, active_start_date, active_end_date, metadata FROM campaign_instances ORDER BY id',
    ).map((row) => ({
      id: Number(row.id),
      campaignType: String(row.campaign_type),
      instanceName: String(row.instance_name),
      emailTemplate: textOrNull(row.email_template),
      smsTemplate: textOrNull(row.sms_template),
      activeStartDate: textOrNull(row.active_start_date),
      activeEndDate: textOrNull(row.active_end_date),
      metadata: textOrNull(row.metadata),
    }));

    // History: every row the sender has touched (RULES.md §4, §8, §9).
    const undatedHistory: number[] = [];
    const history: Array<HistoryEmail & { contactId: number }> = [];
    // "a status other than pre-scheduled or skipped"; one the contract does not name is `other`.
    for (const row of all(
      `SELECT id, contact_id, email_type, status, scheduled_send_date, actual_send_datetime, event_year, event_month, event_day, campaign_instance_id, metadata
         FROM email_schedules WHERE status NOT IN ('pre-scheduled', 'skipped') ORDER BY id`,
    )) {
      const scheduledDay = dayOfIso(row.scheduled_send_date);
      if (scheduledDay === null) {
        undatedHistory.push(Number(row.id));
        continue;
      }
      const sentCt = ctDateOfUtc(row.actual_send_datetime);
      const sentDay = sentCt === null ? scheduledDay : dayOfIso(sentCt)!;
      const { event_year: y, event_month: m, event_day: d } = row;
      let eventDay: number | null = null;
      if (y !== null && m !== null && d !== null) {
        eventDay = dayOfIso(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
      }
      const emailType = String(row.email_type);
      let initialEmailId: number | null = null;
      if (emailType.startsWith('followup_')) {
        const id = asRecord(parseJson(row.metadata))?.initial_email_id;
        initialEmailId = typeof id === 'number' && Number.isInteger(id) ? id : null;
      }
      history.push({
        contactId: Number(row.contact_id),
        id: Number(row.id),
        emailType,
        status: ((SENDER_STATUSES as readonly string[]).includes(String(row.status)) ? row.status : 'other') as HistoryStatus,
        scheduledDay,
        sentDay,
        eventDay,
        campaignInstanceId: row.campaign_instance_id === null ? null : Number(row.campaign_instance_id),
        initialEmailId,
      });
    }
    const historyOf = groupBy(history, (row) => row.contactId);

    const targets = all('SELECT contact_id, campaign_instance_id, trigger_date, status FROM contact_campaigns ORDER BY id').map((row) => ({
      contactId: Number(row.contact_id),
      target: {
        campaignInstanceId: Number(row.campaign_instance_id),
        triggerDate: textOrNull(row.trigger_date),
        status: textOrNull(row.status),
      } satisfies CampaignTarget,
    }));
    const targetsOf = groupBy(targets, (row) => row.contactId);

    const behaviour: Array<{ contactId: number; behaviour: Behaviour }> = [];
    for (const row of all('SELECT contact_id, clicked_at FROM tracking_clicks ORDER BY id')) {
      const day = dayOfIso(ctDateOfUtc(row.clicked_at));
      if (day !== null) behaviour.push({ contactId: Number(row.contact_id), behaviour: { kind: 'click', day } });
    }
    for (const row of all("SELECT contact_id, created_at, metadata FROM contact_events WHERE event_type = 'eligibility_answered' ORDER BY id")) {
      const day = dayOfIso(ctDateOfUtc(row.created_at));
      if (day !== null) behaviour.push({ contactId: Number(row.contact_id), behaviour: { kind: answerKindOfMetadata(row.metadata), day } });
    }
    const behaviourOf = groupBy(behaviour, (row) => row.contactId);

    const inputs: ContactInputs[] = all('SELECT id, email, zip_code, state, birth_date, effective_date FROM contacts ORDER BY id').map((row) => {
      const id = Number(row.id);
      const contact: ContactRecord = {
        id,
        email: textOrNull(row.email),
        zipCode: textOrNull(row.zip_code),
        state: textOrNull(row.state),
        birthDate: textOrNull(row.birth_date),
        effectiveDate: textOrNull(row.effective_date),
      };
      return {
        contact,
        history: (historyOf.get(id) ?? []).map(({ contactId: _, ...email }) => email),
        targets: (targetsOf.get(id) ?? []).map((row) => row.target),
        behaviour: (behaviourOf.get(id) ?? []).map((row) => row.behaviour),
      };
    });

    const existing = new Map<number, ExistingDay>();
    for (const row of all(
      "SELECT scheduled_send_date AS date, email_type AS type, COUNT(*) AS n FROM email_schedules WHERE status IN ('scheduled', 'processing') GROUP BY 1, 2",
    )) {
      const day = dayOfIso(row.date);
      if (day === null) continue;
      const count = existing.get(day) ?? { all: 0, effectiveDate: 0 };
      const n = Number(row.n);
      existing.set(day, { all: count.all + n, effectiveDate: count.effectiveDate + (row.type === 'effective_date' ? n : 0) });
    }

    return { contactRows, campaignTypes, campaignInstances, inputs, existing, undatedHistory };
  } finally {
    db.close();
  }
};

// ------------------------------------------------------------------ what was committed

export interface CommittedScheduleRow {
  readonly contactId: number;
  readonly emailType: string;
  readonly event: string | null;
  readonly send: string;
  readonly sendTime: string | null;
  readonly status: string;
  readonly skipReason: string | null;
  readonly priority: number | null;
  readonly campaignInstanceId: number | null;
  readonly emailTemplate: string | null;
  readonly smsTemplate: string | null;
  readonly metadata: string | null;
  readonly schedulerRunId: string | null;
}

const iso = (y: unknown, m: unknown, d: unknown): string | null =>
  y === null || m === null || d === null ? null : `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The scheduler's rows (`pre-scheduled`, `skipped`), read with plain SQL. */
export const readCommittedIndependently = (path: string): CommittedScheduleRow[] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (
      db
        .prepare(
          `SELECT contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, scheduled_send_time, status, skip_reason,
                  priority, campaign_instance_id, email_template, sms_template, metadata, scheduler_run_id
             FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped') ORDER BY contact_id, email_type, scheduled_send_date`,
        )
        .all() as Row[]
    ).map((row) => ({
      contactId: Number(row.contact_id),
      emailType: String(row.email_type),
      event: iso(row.event_year, row.event_month, row.event_day),
      send: String(row.scheduled_send_date),
      sendTime: textOrNull(row.scheduled_send_time),
      status: String(row.status),
      skipReason: textOrNull(row.skip_reason),
      priority: row.priority === null ? null : Number(row.priority),
      campaignInstanceId: row.campaign_instance_id === null ? null : Number(row.campaign_instance_id),
      emailTemplate: textOrNull(row.email_template),
      smsTemplate: textOrNull(row.sms_template),
      metadata: textOrNull(row.metadata),
      schedulerRunId: textOrNull(row.scheduler_run_id),
    }));
  } finally {
    db.close();
  }
};

/**
 * Every row of a sender status, every column, with SQLite's own types and
 * bytes (`quote()` of each value), in id order: a run must leave these
 * byte-identical (RULES.md §10, CONTRACT.md).
 */
export const senderRowsSnapshot = (path: string): string[] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const columns = (db.prepare("SELECT name FROM pragma_table_info('email_schedules') ORDER BY cid").all() as Array<{ name: string }>).map(
      (column) => column.name,
    );
    const select = columns.map((name) => `quote("${name}")`).join(` || '|' || `);
    return (
      db
        .prepare(`SELECT ${select} AS line FROM email_schedules WHERE status IS NULL OR status NOT IN ('pre-scheduled', 'skipped') ORDER BY id`)
        .all() as Array<{ line: string }>
    ).map((row) => row.line);
  } finally {
    db.close();
  }
};
