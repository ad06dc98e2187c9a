/**
 * End-to-end differential test of the ADAPTERS: an organization file is read
 * by an independent reader (support/independent-reader.ts: plain SQL, its own
 * UTC → America/Chicago dates, its own JSON parsing, the `zipcodes` data set
 * used directly) into the plain inputs of the two reference models written
 * from RULES.md alone (core/test/support/reference-contact-rules.ts for
 * §2–§8, reference-finalizer.ts for §9). Their rows are what the rules say
 * the schedule is. The REAL pipeline then runs on the same file (queue,
 * workers, db readers and writers), and the committed `email_schedules` rows
 * must be those rows, column by column; rows of sender statuses must be
 * byte-identical before and after.
 *
 * The organization is the realistic seed (bad rows of every kind, leap days,
 * campaigns, history, clicks, answers) plus hand-made rows for what the seed
 * does not reach: `actual_send_datetime`, clicks and answers near midnight
 * UTC and on both sides of a DST change, eligibility answers of every
 * metadata shape, target rows with a NULL (or blank) trigger date, sent
 * campaign emails of every instance, ZIPs the seed does not write (Canadian
 * codes, territories, military codes, an INTEGER ZIP), ids 0 and negative,
 * and rows of a previous run (some on the very places this run fills) that
 * the full run must replace.
 *
 * The last describe pins ids of 2^31 and more (contacts, instances, rows),
 * which the engine once cut to 32 bits on their way to `email_schedules`.
 *
 * E2E_DEBUG=1 prints the hand-made contacts' expected rows and any difference.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '@scheduler/core';
import { migrateOrganizationDb, seedOrganization } from '@scheduler/db';
import { zipToState } from '@scheduler/zip-states';
import { refIso } from '../../core/test/support/reference';
import { connectClient, newWorld } from './support/fleet-world';
import {
  ctDateOfUtc,
  dayOfIso,
  independentZipToState,
  readCommittedIndependently,
  readOrganizationIndependently,
  senderRowsSnapshot,
  type CommittedScheduleRow,
  type IndependentOrganization,
} from './support/independent-reader';
import { multisetMinus as minus } from '../../core/test/support/multiset';
import { committedLine, referenceSchedule, rowLine } from './support/reference-schedule';

const CONTACTS = 2_000;
/** The defaults, but a send time of their own: the daily cap, smoothing and the frequency cap bite. */
const DEFAULT_BALANCING: Config = parseConfig({ batch_size: 600, send_time: '07:45' });
/**
 * A daily cap no day reaches (so follow-ups stay on the day their sent date
 * gives them and the hand-made cases show the CT dates plainly), other
 * templates, priorities and frequency cap.
 */
const NO_DAILY_CAP: Config = parseConfig({
  batch_size: 450,
  send_time: '23:05',
  load_balancing: { daily_send_percentage_cap: 1 },
  frequency: { max_emails_per_period: 2, period_days: 14 },
  priorities: { followup: 45, aep: 12 },
  templates: {
    birthday: { email: 'bd_v2', sms: 'bd_sms' },
    followup_4_hq_with_yes: { email: 'yes_v9', sms: 'yes_sms' },
    followup_2_clicked_no_hq: { sms: 'clicked_sms' },
  },
});

// ------------------------------------------------------------------ hand-made rows

const plusDays = (date: string, days: number): string => refIso(dayOfIso(date)! + days);
const utc = (date: string, time: string): string => `${date} ${time}`;

/** One hand-made contact: an IL contact (no rule) with one sent initial email and, maybe, behaviour. */
interface EdgeCase {
  readonly name: string;
  /** `actual_send_datetime` of the initial email (null: dated by `scheduled_send_date`). */
  readonly sentAt: string | null;
  readonly scheduledSendDate: string;
  readonly initialType?: string;
  readonly event?: readonly [number | null, number | null, number | null];
  readonly clicks?: readonly string[];
  readonly events?: ReadonlyArray<{ type: string; at: string; metadata: string | null }>;
}

const edgeCases = (today: string): EdgeCase[] => {
  const d = (days: number) => plusDays(today, days);
  const answered = (metadata: string | null): EdgeCase => ({
    name: `answer ${metadata}`,
    sentAt: utc(d(-2), '15:00:00'),
    scheduledSendDate: d(-2),
    events: [{ type: 'eligibility_answered', at: utc(d(-1), '15:00:00'), metadata }],
  });
  return [
    // The CT date of actual_send_datetime decides the follow-up date, and whether there is one.
    { name: 'sent 03:00 UTC the day before (CT two days before)', sentAt: utc(d(-1), '03:00:00'), scheduledSendDate: d(-1) },
    { name: 'sent 05:30 UTC the day before', sentAt: utc(d(-1), '05:30:00'), scheduledSendDate: d(-1) },
    { name: 'sent 05:30 UTC today', sentAt: utc(d(0), '05:30:00'), scheduledSendDate: d(0) },
    { name: 'sent 04:30 UTC today', sentAt: utc(d(0), '04:30:00'), scheduledSendDate: d(0) },
    { name: 'sent 02:00 UTC tomorrow (CT today)', sentAt: utc(d(1), '02:00:00'), scheduledSendDate: d(0) },
    { name: 'sent 00:00 UTC tomorrow (CT today)', sentAt: utc(d(1), '00:00:00'), scheduledSendDate: d(0) },
    { name: 'sent 23:59 UTC today', sentAt: utc(d(0), '23:59:59'), scheduledSendDate: d(0) },
    { name: 'sent 03:00 UTC 35 days ago (CT 36 days ago: out of the look-back)', sentAt: utc(d(-35), '03:00:00'), scheduledSendDate: d(-35) },
    { name: 'sent 12:00 UTC 35 days ago (in the look-back)', sentAt: utc(d(-35), '12:00:00'), scheduledSendDate: d(-35) },
    { name: 'sent 05:30 UTC 34 days ago (under CST the CT date is 35 days ago: the last day of the look-back)', sentAt: utc(d(-34), '05:30:00'), scheduledSendDate: d(-34) },
    { name: 'no actual_send_datetime', sentAt: null, scheduledSendDate: d(-1) },
    { name: 'actual_send_datetime days after scheduled_send_date', sentAt: utc(d(-1), '16:00:00'), scheduledSendDate: d(-20) },
    { name: 'initial email with a partial event date', sentAt: utc(d(-1), '16:00:00'), scheduledSendDate: d(-1), initialType: 'aep', event: [2026, null, 15] },
    { name: 'initial post_window email', sentAt: utc(d(-2), '01:00:00'), scheduledSendDate: d(-2), initialType: 'post_window', event: [2026, 2, 28] },
    // Behaviour is dated in CT too.
    { name: 'click 03:00 UTC tomorrow (CT today)', sentAt: utc(d(-2), '15:00:00'), scheduledSendDate: d(-2), clicks: [utc(d(1), '03:00:00')] },
    { name: 'click 04:00 UTC on the sent day (CT the day before)', sentAt: utc(d(-2), '15:00:00'), scheduledSendDate: d(-2), clicks: [utc(d(-2), '04:00:00')] },
    { name: 'click 05:30 UTC on the sent day', sentAt: utc(d(-2), '15:00:00'), scheduledSendDate: d(-2), clicks: [utc(d(-2), '05:30:00')] },
    { name: 'click 05:30 UTC the day after the sent day', sentAt: utc(d(-2), '15:00:00'), scheduledSendDate: d(-2), clicks: [utc(d(-1), '05:30:00')] },
    {
      name: 'answer with conditions 03:00 UTC on the sent day (CT before it) and a click after',
      sentAt: utc(d(-2), '15:00:00'),
      scheduledSendDate: d(-2),
      clicks: [utc(d(-1), '12:00:00')],
      events: [{ type: 'eligibility_answered', at: utc(d(-2), '03:00:00'), metadata: '{"has_medical_conditions": true, "main_questions_yes_count": 3}' }],
    },
    {
      name: 'answer with conditions 04:00 UTC tomorrow (CT today)',
      sentAt: utc(d(-2), '15:00:00'),
      scheduledSendDate: d(-2),
      events: [{ type: 'eligibility_answered', at: utc(d(1), '04:00:00'), metadata: '{"has_medical_conditions": false, "main_questions_yes_count": 1}' }],
    },
    // Each metadata shape of an answer.
    answered('{"has_medical_conditions": true, "main_questions_yes_count": 0}'),
    answered('{"has_medical_conditions": false, "main_questions_yes_count": 2}'),
    answered('{"has_medical_conditions": false, "main_questions_yes_count": 0}'),
    answered('{"main_questions_yes_count": 0}'),
    answered('{"main_questions_yes_count": 4}'),
    answered('{"has_medical_conditions": true}'),
    answered('{"has_medical_conditions": false}'),
    answered('{}'),
    answered('{"other": 1}'),
    answered(null),
    {
      name: 'a page_view only',
      sentAt: utc(d(-2), '15:00:00'),
      scheduledSendDate: d(-2),
      events: [{ type: 'page_view', at: utc(d(-1), '15:00:00'), metadata: '{"has_medical_conditions": true}' }],
    },
  ];
};

const ODD_IDS = [0, -7] as const;

/** Hand-made contact id → its case, for messages. */
const edgeNames = new Map<number, string>();

interface EdgeSummary {
  readonly firstId: number;
  readonly contacts: number;
  readonly nullTriggerTargets: number;
}

/** Adds the hand-made contacts and rows; returns their ids. */
const addEdgeRows = (path: string, today: string): EdgeSummary => {
  const db = new Database(path);
  try {
    const firstId = Number((db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM contacts').get() as { id: number }).id) + 1;
    let id = firstId;
    const addContact = db.prepare("INSERT INTO contacts (id, email, zip_code, state, birth_date, effective_date) VALUES (?, ?, '60601', 'IL', NULL, NULL)");
    const addSchedule = db.prepare(
      `INSERT INTO email_schedules (contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, scheduled_send_time, status,
         priority, email_template, scheduler_run_id, created_at, updated_at, actual_send_datetime, campaign_instance_id, metadata)
       VALUES (@contact, @type, @ey, @em, @ed, @date, '08:30:00', @status, 10, @type, 'sender', @date || ' 06:00:00', @date || ' 06:00:00', @at, @ci, @metadata)`,
    );
    const addClick = db.prepare('INSERT INTO tracking_clicks (contact_id, email_schedule_id, clicked_at) VALUES (?, ?, ?)');
    const addEvent = db.prepare('INSERT INTO contact_events (contact_id, event_type, created_at, metadata) VALUES (?, ?, ?, ?)');
    const addTarget = db.prepare(
      "INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status, created_at, updated_at) VALUES (?, ?, ?, ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    );
    let nullTriggerTargets = 0;
    db.transaction(() => {
      for (const edge of edgeCases(today)) {
        const contact = id++;
        addContact.run(contact, `edge${contact}@example.com`);
        edgeNames.set(contact, edge.name);
        const [ey, em, ed] = edge.event ?? [2026, 1, 1];
        const initial = addSchedule.run({
          contact,
          type: edge.initialType ?? 'birthday',
          ey,
          em,
          ed,
          date: edge.scheduledSendDate,
          status: 'delivered',
          at: edge.sentAt,
          ci: null,
          metadata: null,
        });
        for (const at of edge.clicks ?? []) addClick.run(contact, initial.lastInsertRowid, at);
        for (const event of edge.events ?? []) addEvent.run(contact, event.type, event.at, event.metadata);
      }
      // Sender rows that are not initial emails, dated near midnight: never touched, counted as existing.
      const busy = id++;
      addContact.run(busy, `edge${busy}@example.com`);
      addSchedule.run({ contact: busy, type: 'aep', ey: null, em: null, ed: null, date: plusDays(today, 3), status: 'scheduled', at: null, ci: null, metadata: null });
      addSchedule.run({ contact: busy, type: 'effective_date', ey: 2027, em: 1, ed: 1, date: plusDays(today, 2), status: 'processing', at: null, ci: null, metadata: null });
      addSchedule.run({ contact: busy, type: 'birthday', ey: 2026, em: 1, ed: 1, date: plusDays(today, -1), status: 'failed', at: utc(today, '04:59:59'), ci: null, metadata: null });
      // Target rows without a trigger date, for every instance (inactive ones give nothing), and with other statuses.
      const instances = db.prepare('SELECT id FROM campaign_instances ORDER BY id').all() as Array<{ id: number }>;
      for (const status of ['pending', 'scheduled', null, 'cancelled'] as const) {
        const contact = id++;
        addContact.run(contact, `edge${contact}@example.com`);
        for (const instance of instances) {
          addTarget.run(contact, instance.id, null, status);
          nullTriggerTargets++;
        }
      }
      // A NULL trigger date next to an explicit one on the same instance.
      const both = id++;
      addContact.run(both, `edge${both}@example.com`);
      for (const instance of instances) {
        addTarget.run(both, instance.id, null, 'pending');
        addTarget.run(both, instance.id, plusDays(today, 9), 'pending');
        nullTriggerTargets++;
      }
      // ZIPs and ids the seed does not write: a Canadian postal code (the data set holds Canada too, by
      // three-character prefix), territories and military codes, a ZIP stored as an INTEGER.
      const addRawContact = db.prepare('INSERT INTO contacts (id, email, zip_code, state, birth_date, effective_date) VALUES (?, ?, ?, ?, ?, ?)');
      for (const zip of ['K1A 0B1', 'K1A', 'M5V', '00000', '99999', '96910', '00801', '34001', '96201', '20001', '9021O', '60601 ', '6060', '606011234', '60601-12345'] as const) {
        const contact = id++;
        addRawContact.run(contact, `zip${contact}@example.com`, zip, 'TX', '1960-06-15', null);
      }
      addRawContact.run(id++, `integer-zip@example.com`, 2108, null, '1955-01-20', '2019-12-01');
      addRawContact.run(id++, `integer-zip-pr@example.com`, 601, null, null, null);
      // Sent campaign emails as initial emails: each instance (follow-ups enabled or not, type active or not, template
      // overrides in the instance metadata or not), an instance that is gone, and a row without an instance.
      const campaignInitials = [
        ...(db.prepare('SELECT id, campaign_type AS type FROM campaign_instances ORDER BY id').all() as Array<{ id: number | null; type: string }>),
        { id: 999, type: 'spring_promo' },
        { id: null, type: 'spring_promo' },
        { id: null, type: 'no_such_type' },
      ];
      for (const initial of campaignInitials) {
        const contact = id++;
        addContact.run(contact, `campaign${contact}@example.com`);
        edgeNames.set(contact, `sent campaign_${initial.type} of instance ${initial.id}`);
        addSchedule.run({ contact, type: `campaign_${initial.type}`, ey: 2026, em: 1, ed: 1, date: plusDays(today, -1), status: 'sent', at: utc(plusDays(today, -1), '15:00:00'), ci: initial.id, metadata: null });
      }
      // Answers whose metadata shows no condition in any readable way, and follow-ups whose metadata names no
      // initial email (so they block nothing): readings of RULES.md §8 these rows leave no doubt about.
      const answeredOddly = (metadata: string): void => {
        const contact = id++;
        addContact.run(contact, `odd${contact}@example.com`);
        edgeNames.set(contact, `answer ${metadata}`);
        addSchedule.run({ contact, type: 'birthday', ey: 2026, em: 1, ed: 1, date: plusDays(today, -2), status: 'sent', at: utc(plusDays(today, -2), '15:00:00'), ci: null, metadata: null });
        addEvent.run(contact, 'eligibility_answered', utc(plusDays(today, -1), '15:00:00'), metadata);
      };
      for (const metadata of ['not json', '[]', '{"has_medical_conditions": null, "main_questions_yes_count": null}']) answeredOddly(metadata);
      for (const metadata of ['not json', '{"initial_email_type": "birthday"}']) {
        const contact = id++;
        addContact.run(contact, `odd${contact}@example.com`);
        edgeNames.set(contact, `follow-up history with metadata ${metadata}`);
        addSchedule.run({ contact, type: 'birthday', ey: 2026, em: 1, ed: 1, date: plusDays(today, -2), status: 'sent', at: utc(plusDays(today, -2), '15:00:00'), ci: null, metadata: null });
        addSchedule.run({ contact, type: 'followup_1_cold', ey: 2026, em: 1, ed: 1, date: plusDays(today, 3), status: 'scheduled', at: null, ci: null, metadata });
      }
      // Blank trigger dates are no trigger date (RULES.md §7 "A target row without a trigger date").
      for (const trigger of ['', '  ']) {
        const contact = id++;
        addContact.run(contact, `blank${contact}@example.com`);
        edgeNames.set(contact, `trigger ${JSON.stringify(trigger)}`);
        for (const instance of instances) addTarget.run(contact, instance.id, trigger, 'pending');
      }
      // Ids 0 and negative are ids too (INTEGER PRIMARY KEY).
      for (const odd of ODD_IDS) addRawContact.run(odd, `id${odd}@example.com`, '89101', 'NV', plusDays(today, -365 * 50 + 40), null);
      // Names and templates with non-ASCII text and separators (|, comma, tab, newline, quotes), on their way
      // through the queue and back; a priority of 2^31 − 1.
      db.prepare(
        "INSERT INTO campaign_types (name, respect_exclusion_windows, enable_followups, days_before_event, target_all_contacts, priority, active) VALUES ('prómo_été🎂', 1, 1, 3, 0, 7, 1), ('a|b,c', 0, 1, 0, 0, 2147483647, 1)",
      ).run();
      const addInstance = db.prepare(
        'INSERT INTO campaign_instances (id, campaign_type, instance_name, email_template, sms_template, active_start_date, active_end_date, metadata) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)',
      );
      addInstance.run(9_001, 'prómo_été🎂', 'unicode', 'tpl_é🎂|x', 'sms\n"q",', '{"followup_email_template":"fu_é🎂"}');
      addInstance.run(9_002, 'a|b,c', 'separators', 'tpl|a,b\tc', null, null);
      for (const [instance, trigger] of [[9_001, plusDays(today, 10)], [9_002, plusDays(today, 4)], [9_001, null]] as const) {
        const contact = id++;
        addContact.run(contact, `text${contact}@example.com`);
        edgeNames.set(contact, `instance ${instance} with odd text`);
        addTarget.run(contact, instance, trigger, 'pending');
        const type = instance === 9_001 ? 'campaign_prómo_été🎂' : 'campaign_a|b,c';
        addSchedule.run({ contact, type, ey: 2026, em: 1, ed: 1, date: plusDays(today, -1), status: 'sent', at: utc(plusDays(today, -1), '15:00:00'), ci: instance, metadata: null });
      }
      // An initial email whose row id is past 2^32 (and so are the ids of every row inserted after it).
      const bigRow = id++;
      addContact.run(bigRow, `bigrow${bigRow}@example.com`);
      edgeNames.set(bigRow, 'initial email of row id 2^32 + 5');
      db.prepare(
        "INSERT INTO email_schedules (id, contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, actual_send_datetime) VALUES (4294967301, ?, 'birthday', 2026, 1, 1, ?, 'sent', ?)",
      ).run(bigRow, plusDays(today, -1), utc(plusDays(today, -1), '15:00:00'));
      // Days the sender already fills (contacts gone from `contacts`): a full day for the daily cap, and
      // effective-date rows in process for the smoothing count (RULES.md §9 "plus existing scheduled/processing rows").
      for (let k = 0; k < 160; k++) {
        addSchedule.run({ contact: 600_000 + k, type: 'aep', ey: null, em: null, ed: null, date: plusDays(today, 5), status: 'scheduled', at: null, ci: null, metadata: null });
      }
      for (let k = 0; k < 20; k++) {
        addSchedule.run({ contact: 610_000 + k, type: 'effective_date', ey: 2027, em: 1, ed: 1, date: plusDays(today, 8), status: 'processing', at: null, ci: null, metadata: null });
      }
      // Rows of a previous run, some of contacts gone: a full run replaces them all.
      addSchedule.run({ contact: 888_888, type: 'birthday', ey: 2027, em: 1, ed: 1, date: plusDays(today, 5), status: 'pre-scheduled', at: null, ci: null, metadata: null });
      addSchedule.run({ contact: 888_888, type: 'aep', ey: 2027, em: 1, ed: 1, date: plusDays(today, 6), status: 'skipped', at: null, ci: null, metadata: null });
      addSchedule.run({ contact: firstId, type: 'aep', ey: 2020, em: 2, ed: 2, date: plusDays(today, 7), status: 'pre-scheduled', at: null, ci: null, metadata: null });
      // A sender row of a contact that is gone: untouched, counted on its day.
      addSchedule.run({ contact: 777_777, type: 'birthday', ey: 2027, em: 1, ed: 1, date: plusDays(today, 4), status: 'scheduled', at: null, ci: null, metadata: null });
    })();
    return { firstId, contacts: id - firstId + ODD_IDS.length, nullTriggerTargets };
  } finally {
    db.close();
  }
};

/**
 * Rows a previous run left where this run puts its own (same contact, type
 * and date, every other column different): the full run replaces them
 * (RULES.md §10). Added after the expected rows are computed; scheduler rows
 * are no input of the rules.
 */
const addStaleRowsAt = (path: string, places: ReadonlyArray<{ contactId: number; emailType: string; send: string }>): number => {
  const db = new Database(path);
  try {
    const add = db.prepare(
      `INSERT INTO email_schedules (contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, scheduled_send_time, status,
         skip_reason, priority, campaign_instance_id, email_template, sms_template, scheduler_run_id, metadata)
       VALUES (?, ?, 1999, 1, 1, ?, '00:00:00', ?, ?, 99, 999, 'stale', 'stale_sms', 'an-old-run', '{"initial_email_id": 1, "initial_email_type": "stale"}')`,
    );
    db.transaction(() => {
      places.forEach((place, k) => add.run(place.contactId, place.emailType, place.send, k % 2 === 0 ? 'pre-scheduled' : 'skipped', k % 2 === 0 ? null : 'frequency_cap: stale'));
    })();
    return places.length;
  } finally {
    db.close();
  }
};

// ------------------------------------------------------------------ the rules' rows

interface Expected {
  readonly lines: string[];
  /** (contact, type, send date) of every expected row. */
  readonly places: Array<{ contactId: number; emailType: string; send: string }>;
  readonly usable: number;
  readonly invalid: Record<string, number>;
  readonly badDates: Record<string, number>;
  /** Usable contacts whose `state` column is set and is not the ZIP's state (RULES.md §2 "a disagreement is counted"). */
  readonly stateDisagreements: number;
  readonly invariantBreaks: string[];
}

const expectedSchedule = (org: IndependentOrganization, config: Config, today: number): Expected => {
  const { rows, finalized, usable, invalid, badDates, stateDisagreements } = referenceSchedule(org, config, today, org.existing);
  const sendTime = `${config.send_time}:00`;
  const lines = rows.map((row, k) => {
    const email = finalized.emails[k]!;
    return rowLine({ ...row, send: refIso(email.day), sendTime, status: email.status, skipCode: email.skipCode });
  });
  const places = rows.map((row, k) => ({ contactId: row.contactId, emailType: row.emailType, send: refIso(finalized.emails[k]!.day) }));
  return { lines: lines.sort(), places, usable, invalid, badDates, stateDisagreements, invariantBreaks: finalized.invariantBreaks };
};

// ------------------------------------------------------------------ the runs

interface RunOutcome {
  readonly expected: Expected;
  readonly committed: CommittedScheduleRow[];
  readonly onlyCommitted: string[];
  readonly onlyExpected: string[];
  readonly senderBefore: string[];
  readonly senderAfter: string[];
  readonly summary: {
    status: string;
    contacts: { total: number; usable: number; invalid: Record<string, number>; bad_dates: Record<string, number>; state_disagreements: number };
  };
  readonly org: IndependentOrganization;
  readonly edges: EdgeSummary;
  readonly staleRows: number;
}

const runOrganization = async (directory: string, prefix: string, asOf: string, seed: number, config: Config): Promise<RunOutcome> => {
  const path = join(directory, `org-${asOf}.sqlite`);
  seedOrganization(path, { contacts: CONTACTS, seed, asOf });
  const edges = addEdgeRows(path, asOf);
  const org = readOrganizationIndependently(path);
  const expected = expectedSchedule(org, config, dayOfIso(asOf)!);
  const staleRows = addStaleRowsAt(path, expected.places.filter((_, k) => k % 499 === 0));
  const senderBefore = senderRowsSnapshot(path);
  const client = await connectClient(path, `${prefix}-${asOf}`, { config });
  let summary: RunOutcome['summary'];
  try {
    summary = (await client.fullRun(`org-${asOf}`, { asOf })) as unknown as RunOutcome['summary'];
  } finally {
    await client.close();
  }
  const committed = readCommittedIndependently(path);
  const committedLines = committed.map(committedLine).sort();
  return {
    expected,
    committed,
    onlyCommitted: minus(committedLines, expected.lines),
    onlyExpected: minus(expected.lines, committedLines),
    senderBefore,
    senderAfter: senderRowsSnapshot(path),
    summary,
    org,
    edges,
    staleRows,
  };
};

const AS_OFS = [
  // After the autumn DST change (CST, UTC−6), history dated in October (CDT, UTC−5).
  { asOf: '2026-11-28', seed: 11, config: DEFAULT_BALANCING },
  // The day after the spring DST change (2026-03-08): yesterday 05:30 UTC is CST, today 05:30 UTC is CDT.
  { asOf: '2026-03-09', seed: 12, config: NO_DAILY_CAP },
] as const;

describe('the committed schedule, against the rules read independently from the file', () => {
  const world = newWorld();
  const outcomes = new Map<string, RunOutcome>();

  beforeAll(async () => {
    for (const { asOf, seed, config } of AS_OFS) outcomes.set(asOf, await runOrganization(world.directory, world.prefix, asOf, seed, config));
    if (process.env.E2E_DEBUG !== undefined) {
      for (const [asOf, outcome] of outcomes) {
        const first = outcome.edges.firstId;
        console.log(asOf, 'committed', outcome.committed.length, 'expected', outcome.expected.lines.length, 'sender', outcome.senderBefore.length, JSON.stringify(outcome.summary.contacts));
        console.log(outcome.expected.lines.filter((line) => Number(/^c(-?\d+)/.exec(line)![1]) >= first).join('\n'));
        console.log('ONLY COMMITTED\n' + outcome.onlyCommitted.map((line) => `${JSON.stringify(line)}   [${edgeNames.get(Number(/^c(-?\d+)/.exec(line)![1])) ?? ''}]`).join('\n'));
        console.log('ONLY EXPECTED\n' + outcome.onlyExpected.map((line) => `${JSON.stringify(line)}   [${edgeNames.get(Number(/^c(-?\d+)/.exec(line)![1])) ?? ''}]`).join('\n'));
      }
    }
  }, 120_000);
  afterAll(() => world.cleanup());

  it('converts UTC datetimes to Chicago dates across both DST changes of 2026 (the reader itself)', () => {
    expect(ctDateOfUtc('2026-11-28 05:30:00')).toBe('2026-11-27'); // CST, UTC−6
    expect(ctDateOfUtc('2026-11-28 06:00:00')).toBe('2026-11-28');
    expect(ctDateOfUtc('2026-10-28 04:59:59')).toBe('2026-10-27'); // CDT, UTC−5
    expect(ctDateOfUtc('2026-10-28 05:00:00')).toBe('2026-10-28');
    expect(ctDateOfUtc('2026-03-08 05:30:00')).toBe('2026-03-07'); // before 08:00 UTC: CST
    expect(ctDateOfUtc('2026-03-09 05:30:00')).toBe('2026-03-09'); // CDT
    expect(ctDateOfUtc('2026-11-01 05:30:00')).toBe('2026-11-01'); // 00:30 CDT, an hour before the change back
    expect(ctDateOfUtc('2026-11-01 04:59:59')).toBe('2026-10-31');
    expect(independentZipToState(2108)).toBe('MA');
    expect(independentZipToState(601)).toBe('PR');
    expect(independentZipToState(60601)).toBe('IL');
  });

  it('maps every five-digit ZIP to the state the zipcodes data set gives (the engine\'s bundled table, all 100,000)', () => {
    const differ: string[] = [];
    let mapped = 0;
    for (let zip5 = 0; zip5 <= 99_999; zip5++) {
      const expected = independentZipToState(zip5);
      if (expected !== undefined) mapped++;
      const actual = zipToState(zip5);
      if (actual !== expected && differ.length < 20) differ.push(`${String(zip5).padStart(5, '0')}: ${actual} ≠ ${expected}`);
    }
    expect(differ).toEqual([]);
    expect(mapped).toBeGreaterThan(40_000);
  });

  for (const { asOf } of AS_OFS) {
    describe(`as of ${asOf}`, () => {
      it('reads an organization the seed and the hand-made rows fill with every case', () => {
        const { org, expected, edges, staleRows } = outcomes.get(asOf)!;
        expect(org.undatedHistory).toEqual([]);
        expect(staleRows).toBeGreaterThan(10);
        expect(edges.nullTriggerTargets).toBeGreaterThan(20);
        expect(org.contactRows).toBe(CONTACTS + edges.contacts);
        expect(Object.keys(expected.invalid).sort()).toEqual(['invalid_email', 'missing_email', 'missing_zip', 'unknown_zip']);
        expect(org.inputs.filter((input) => input.history.length > 0).length).toBeGreaterThan(100);
        expect(org.inputs.filter((input) => input.behaviour.length > 0).length).toBeGreaterThan(50);
        expect(org.inputs.filter((input) => input.targets.length > 0).length).toBeGreaterThan(30);
        expect(expected.lines.length).toBeGreaterThan(CONTACTS);
        expect(expected.invariantBreaks).toEqual([]);
      });

      it('counts the contacts as the rules do (run summary)', () => {
        const { summary, expected, org } = outcomes.get(asOf)!;
        expect(summary.status).toBe('completed');
        expect(summary.contacts.total).toBe(org.contactRows);
        expect(summary.contacts.usable).toBe(expected.usable);
        expect(summary.contacts.invalid).toMatchObject(expected.invalid);
        expect(summary.contacts.bad_dates).toMatchObject(expected.badDates);
        expect(summary.contacts.state_disagreements).toBe(expected.stateDisagreements);
      });

      it('commits exactly the rows the rules give (every compared column)', () => {
        const { onlyCommitted, onlyExpected, committed, expected } = outcomes.get(asOf)!;
        expect({ onlyCommitted: onlyCommitted.slice(0, 40), onlyExpected: onlyExpected.slice(0, 40) }).toEqual({ onlyCommitted: [], onlyExpected: [] });
        expect(committed.length).toBe(expected.lines.length);
      });

      it('writes well-formed scheduler rows: one run id, skip reasons "code: words", follow-up metadata JSON', () => {
        const { committed } = outcomes.get(asOf)!;
        expect(new Set(committed.map((row) => row.schedulerRunId)).size).toBe(1);
        expect(committed[0]!.schedulerRunId).not.toBeNull();
        const bad = committed.filter(
          (row) =>
            (row.status === 'skipped') !== (row.skipReason !== null) ||
            (row.skipReason !== null && !/^(exclusion_window|year_round|frequency_cap|campaign_conflict): \S/.test(row.skipReason)),
        );
        expect(bad).toEqual([]);
        for (const row of committed.filter((r) => r.emailType.startsWith('followup_'))) {
          const metadata = JSON.parse(row.metadata!) as Record<string, unknown>;
          expect(typeof metadata.initial_email_id).toBe('number');
          expect(typeof metadata.initial_email_type).toBe('string');
        }
      });

      it('leaves every row of a sender status byte-identical', () => {
        const { senderBefore, senderAfter } = outcomes.get(asOf)!;
        expect(senderBefore.length).toBeGreaterThan(300);
        expect(senderAfter).toEqual(senderBefore);
      });
    });
  }
});

/**
 * CONTRACT.md: `contacts(id INTEGER PRIMARY KEY, ...)`, `campaign_instances(id
 * INTEGER PRIMARY KEY, ...)`, `email_schedules(id INTEGER PRIMARY KEY, ...)`:
 * 64-bit SQLite integers. RULES.md §10: a full run covers every contact; the
 * rows carry the contact's id, the instance's id and (follow-ups) the
 * initial email's id. Small organizations: IL contacts with a birthday.
 *
 * Found by this test: ids of 2^31 and more were cut to 32 bits (contact
 * 4294967303 was written as contact 7, contact 2147483653 as -2147483643; an
 * organization holding contacts 1 and 2147483648 failed its finalize job:
 * "schedule rows must arrive sorted by contact id: -2147483648 came after
 * 1"); fixed in d43ba5f. Campaign instance ids of 2^31 and more, lost on
 * follow-ups (campaign_instance_id NULL) while core's columns were
 * being widened, are covered by the last case (fixed in 5affe66).
 */
describe('ids at and past 2^31', () => {
  const world = newWorld();
  afterAll(() => world.cleanup());
  const AS_OF = '2026-11-28';

  const schedule = async (
    name: string,
    fill: (db: Database.Database) => void,
  ): Promise<{ onlyCommitted: string[]; onlyExpected: string[]; committedIds: number[]; instanceIds: Array<number | null> }> => {
    const path = join(world.directory, `${name}.sqlite`);
    migrateOrganizationDb(path);
    const db = new Database(path);
    try {
      db.transaction(() => fill(db))();
    } finally {
      db.close();
    }
    const expected = expectedSchedule(readOrganizationIndependently(path), DEFAULT_BALANCING, dayOfIso(AS_OF)!);
    const client = await connectClient(path, `${world.prefix}-${name}`, { config: DEFAULT_BALANCING });
    try {
      await client.fullRun(name, { asOf: AS_OF });
    } finally {
      await client.close();
    }
    const committed = readCommittedIndependently(path);
    const lines = committed.map(committedLine).sort();
    return {
      onlyCommitted: minus(lines, expected.lines),
      onlyExpected: minus(expected.lines, lines),
      committedIds: [...new Set(committed.map((row) => row.contactId))].sort((a, b) => a - b),
      instanceIds: [...new Set(committed.map((row) => row.campaignInstanceId))].sort((a, b) => (a ?? -1) - (b ?? -1)),
    };
  };

  const contacts = (ids: readonly number[]) => (db: Database.Database) => {
    const add = db.prepare("INSERT INTO contacts (id, email, zip_code, state, birth_date) VALUES (?, ?, '60601', 'IL', '1960-12-20')");
    for (const id of ids) add.run(id, `c${id}@example.com`);
  };

  it('writes the rows of contact 2147483647 (2^31 − 1) under its own id', async () => {
    const result = await schedule('id-2p31-minus-1', contacts([1, 2 ** 31 - 1]));
    expect(result).toMatchObject({ onlyCommitted: [], onlyExpected: [], committedIds: [1, 2 ** 31 - 1] });
  }, 60_000);

  it('writes the rows of contact 4294967303 (2^32 + 7) under its own id, not as contact 7', async () => {
    const result = await schedule('id-2p32-plus-7', contacts([2 ** 32 + 7]));
    expect(result).toMatchObject({ onlyCommitted: [], onlyExpected: [], committedIds: [2 ** 32 + 7] });
  }, 60_000);

  it('completes a full run of an organization with contacts 1 and 2147483648 (2^31)', async () => {
    const result = await schedule('id-1-and-2p31', contacts([1, 2 ** 31]));
    expect(result).toMatchObject({ onlyCommitted: [], onlyExpected: [], committedIds: [1, 2 ** 31] });
  }, 60_000);

  it('writes campaign instance id 2147483651 on a campaign email and on the follow-up of a sent one (initial email row id 2^32 + 9)', async () => {
    const result = await schedule('instance-2p31-plus-3', (db) => {
      contacts([1, 2])(db);
      db.prepare("INSERT INTO campaign_types (name, enable_followups, days_before_event, priority) VALUES ('alpha', 1, 3, 4)").run();
      db.prepare(
        "INSERT INTO campaign_instances (id, campaign_type, instance_name, email_template, sms_template, metadata) VALUES (2147483651, 'alpha', 'big', 'alpha_v1', 'alpha_sms', '{\"followup_sms_template\":\"alpha_fu_sms\"}')",
      ).run();
      db.prepare("INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status) VALUES (1, 2147483651, '2026-12-10', 'pending')").run();
      db.prepare(
        `INSERT INTO email_schedules (id, contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, campaign_instance_id, actual_send_datetime)
         VALUES (4294967305, 2, 'campaign_alpha', 2026, 11, 30, '2026-11-27', 'delivered', 2147483651, '2026-11-27 15:00:00')`,
      ).run();
    });
    expect(result).toMatchObject({ onlyCommitted: [], onlyExpected: [], committedIds: [1, 2], instanceIds: [null, 2147483651] });
  }, 60_000);
});
