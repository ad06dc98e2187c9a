/**
 * End-to-end differential test of TARGETED RESCHEDULES (RULES.md §10): "the
 * same rules for those contacts only, balanced against the organization's
 * current day counts; replaces only those contacts' pre-scheduled/skipped
 * rows, in one transaction. campaign_change_log rows with
 * requires_rescheduling and no processed_at trigger a reschedule of the
 * instance's targets and are then marked processed."
 *
 * A seeded organization gets a full run through the real pipeline; then some
 * contacts' data change with plain SQL (birth dates, ZIPs, effective dates,
 * campaign targets, sender-status history rows, clicks and answers; a contact
 * made unusable, one deleted, ids that never existed) and those contacts are
 * rescheduled through the real pipeline — RunClient.rescheduleContacts, the
 * `reschedule-contacts` and `reschedule-campaign` payloads of CONTRACT.md
 * added to the requests queue as another service would, and the
 * `poll-changes` job that picks up `campaign_change_log` rows. After each:
 *   1. the rescheduled contacts' committed rows are the rows the reference
 *      models give (support/reschedule-expectations.ts: §2–§8 per contact,
 *      §9 over those contacts only, balanced against the organization's
 *      current day counts — the reading is argued there);
 *   2. every other contact's scheduler rows are byte-identical (ids included);
 *   3. every sender-status row is byte-identical;
 *   4. change-log rows that trigger a reschedule get `processed_at`.
 *
 * Two cases are pinned by hand: a `reschedule-contacts` job naming contact 0
 * (once refused by the job schema, which took only positive ids), and a
 * `reschedule-campaign` job for a target-all-contacts instance, which the
 * engine answers with a full run (a choice, argued at that test).
 *
 * RESCHEDULE_DEBUG=1 prints the differences.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '@scheduler/core';
import { migrateOrganizationDb, seedOrganization } from '@scheduler/db';
import { QUEUE_NAMES, REQUEST_JOB_NAMES } from '@scheduler/queue';
import { refIso } from '../../core/test/support/reference';
import { multisetMinus as minus } from '../../core/test/support/multiset';
import type { Fleet, RunClient } from '../src/index';
import { connectClient, newWorld, redisUrl, startDirectoryFleet } from './support/fleet-world';
import { dayOfIso, readCommittedIndependently, readOrganizationIndependently, senderRowsSnapshot } from './support/independent-reader';
import type { CommittedScheduleRow } from './support/independent-reader';
import {
  changeLogRows,
  committedLine,
  contactOfLine,
  currentDayCounts,
  expectedForContacts,
  usableContactIds,
  isUtcDatetime,
  schedulerRowsSnapshot,
  targetsOfInstance,
  type ChangeLogRow,
  type TargetedExpectation,
} from './support/reschedule-expectations';

const CONTACTS = 2_000;
/** Default rules (the daily cap, smoothing and the frequency cap bite), a send time of its own. */
const CONFIG: Config = parseConfig({ batch_size: 500, send_time: '06:15' });

const BIG_ID = 2 ** 32 + 7;
const plusDays = (date: string, days: number): string => refIso(dayOfIso(date)! + days);
const utcNow = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ');

// ------------------------------------------------------------------ one reschedule, observed

interface StepOutcome {
  readonly name: string;
  readonly targeted: Set<number>;
  readonly expected: TargetedExpectation;
  /** The rows under the other reading (day counts of sender rows only): must differ, or the test tells nothing apart. */
  readonly otherReading: string[];
  readonly committed: string[];
  readonly onlyCommitted: string[];
  readonly onlyExpected: string[];
  /** Checkpoints the reschedule wrote (RULES.md §10: each run writes one). */
  readonly newCheckpoints: Array<{ runId: string; status: string }>;
  /** Rows of the rescheduled contacts whose run id is not the new run's and that were not there before, same content and run id. */
  readonly strangeRunIds: string[];
  readonly rowsOfNewRun: number;
  readonly othersBefore: string[];
  readonly othersAfter: string[];
  readonly senderBefore: string[];
  readonly senderAfter: string[];
  readonly targetedRowsBefore: number;
  readonly result: unknown;
}

/** Computes what the rules give `targeted` now, runs `reschedule`, reads what was committed. */
const observeReschedule = async (
  name: string,
  path: string,
  asOf: string,
  targeted: Set<number>,
  reschedule: () => Promise<unknown>,
): Promise<StepOutcome> => {
  const org = readOrganizationIndependently(path);
  const today = dayOfIso(asOf)!;
  const expected = expectedForContacts(org, CONFIG, today, targeted, currentDayCounts(path, targeted));
  const otherReading = expectedForContacts(org, CONFIG, today, targeted, currentDayCounts(path, targeted, { includeOthersPreScheduled: false })).lines;
  const isOther = (id: number) => !targeted.has(id);
  const othersBefore = schedulerRowsSnapshot(path, isOther);
  const targetedRowsBefore = schedulerRowsSnapshot(path, (id) => targeted.has(id)).length;
  const stamped = (row: CommittedScheduleRow) => `${committedLine(row)} #${row.schedulerRunId}`;
  const stampedBefore = new Set(readCommittedIndependently(path).filter((row) => targeted.has(row.contactId)).map(stamped));
  const checkpointsBefore = new Set(checkpoints(path).map((row) => row.runId));
  const senderBefore = senderRowsSnapshot(path);
  const result = await reschedule();
  const rows = readCommittedIndependently(path).filter((row) => targeted.has(row.contactId));
  const committed = rows.map(committedLine).sort();
  const newCheckpoints = checkpoints(path).filter((row) => !checkpointsBefore.has(row.runId));
  const newRunIds = new Set(newCheckpoints.map((row) => row.runId));
  const outcome: StepOutcome = {
    name,
    targeted,
    expected,
    otherReading,
    committed,
    onlyCommitted: minus(committed, expected.lines),
    onlyExpected: minus(expected.lines, committed),
    newCheckpoints,
    strangeRunIds: rows.filter((row) => !newRunIds.has(row.schedulerRunId ?? '') && !stampedBefore.has(stamped(row))).map(stamped),
    rowsOfNewRun: rows.filter((row) => newRunIds.has(row.schedulerRunId ?? '')).length,
    othersBefore,
    othersAfter: schedulerRowsSnapshot(path, isOther),
    senderBefore,
    senderAfter: senderRowsSnapshot(path),
    targetedRowsBefore,
    result,
  };
  if (process.env.RESCHEDULE_DEBUG !== undefined) {
    console.log(name, 'targeted', targeted.size, 'expected', expected.lines.length, 'committed', committed.length, JSON.stringify(expected.finalized.counts));
    console.log('ONLY COMMITTED\n' + outcome.onlyCommitted.join('\n'));
    console.log('ONLY EXPECTED\n' + outcome.onlyExpected.join('\n'));
    console.log('OTHERS CHANGED\n' + minus(outcome.othersAfter, othersBefore).slice(0, 20).join('\n'));
  }
  return outcome;
};

const checkpoints = (path: string): Array<{ runId: string; status: string }> => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT scheduler_run_id AS runId, status FROM scheduler_checkpoints ORDER BY id').all() as Array<{ runId: string; status: string }>).map(
      (row) => ({ runId: String(row.runId), status: String(row.status) }),
    );
  } finally {
    db.close();
  }
};

// ------------------------------------------------------------------ the changes, in plain SQL

const withDb = <T>(path: string, work: (db: Database.Database) => T): T => {
  const db = new Database(path);
  try {
    return db.transaction(() => work(db))();
  } finally {
    db.close();
  }
};

const ids = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/**
 * The first round of changes (as of `T`), to contacts 101–159 and a few the
 * seed gave sent initial emails; returns the contacts to reschedule.
 */
const firstChanges = (path: string, T: string): Set<number> =>
  withDb(path, (db) => {
    const d = (days: number) => plusDays(T, days);
    const setContact = db.prepare('UPDATE contacts SET email = ?, zip_code = ?, state = ?, birth_date = ?, effective_date = ? WHERE id = ?');
    const contact = (id: number, zip: string | null, state: string | null, birth: string | null, effective: string | null = null, email = `r${id}@example.com`) =>
      setContact.run(email, zip, state, birth, effective, id);
    const addRow = db.prepare(
      `INSERT INTO email_schedules (contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, priority,
         campaign_instance_id, scheduler_run_id, actual_send_datetime, created_at, updated_at)
       VALUES (@contact, @type, @ey, @em, @ed, @date, @status, 10, @ci, 'sender', @at, @date || ' 06:00:00', @date || ' 06:00:00')`,
    );
    const addTarget = db.prepare(
      "INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status, created_at, updated_at) VALUES (?, ?, ?, ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    );
    const addClick = db.prepare('INSERT INTO tracking_clicks (contact_id, email_schedule_id, clicked_at) VALUES (?, NULL, ?)');
    const addEvent = db.prepare("INSERT INTO contact_events (contact_id, event_type, created_at, metadata) VALUES (?, 'eligibility_answered', ?, ?)");
    const ymd = (date: string) => date.split('-').map(Number) as [number, number, number];

    // Birth dates (IL has no rule; CA, NV windows).
    const [, nearM, nearD] = ymd(d(5));
    contact(101, '60601', 'IL', `1950-${String(nearM).padStart(2, '0')}-${String(nearD).padStart(2, '0')}`); // late birthday, before its deadline
    contact(102, '60601', 'IL', '1960-02-29');
    contact(103, '60601', 'IL', '1990-02-30'); // not a date
    contact(104, '60601', 'IL', '2030-01-01'); // after today
    contact(105, '90001', 'CA', '1955-12-20'); // inside the CA window now
    contact(106, '89101', 'NV', '1970-01-31');
    contact(107, '60601', 'IL', null);
    contact(108, '60601', 'IL', `1948-${T.slice(5)}`); // birthday ideal today − 14
    // ZIPs and states.
    contact(109, '10001', 'NY', '1960-05-05'); // year-round
    contact(110, '63101', 'MO', '1961-07-07', '2015-12-20'); // MO effective-date window
    contact(111, '00000', 'IL', '1962-03-03'); // unknown ZIP
    contact(112, null, 'IL', '1962-03-03'); // missing ZIP
    contact(113, '6060', 'IL', '1962-03-03'); // 4 digits: 06060, CT, year-round
    contact(114, '75001', 'CA', '1963-04-04', '2001-02-01'); // TX, state column disagrees
    contact(115, '83702', 'ID', '1980-01-15');
    contact(116, '97201', 'OR', '1975-03-01');
    // Effective dates on one day: 20 > ed_limit (15), smoothing.
    for (const id of ids(121, 140)) contact(id, '60601', 'IL', null, '2012-01-13');
    // Campaign targets: spring_promo (1: 7 days before, priority 15) and rate_increase (4: 14 days before, priority 5) on one send day.
    contact(141, '60601', 'IL', null);
    addTarget.run(141, 1, d(17), 'pending');
    addTarget.run(141, 4, d(24), 'pending');
    contact(142, '60601', 'IL', null);
    addTarget.run(142, 4, null, 'pending'); // no trigger date: the instance's start, or today
    contact(143, '60601', 'IL', null);
    addTarget.run(143, 4, d(2), 'scheduled'); // late, deadline in two days
    contact(144, '30301', 'GA', null);
    addTarget.run(144, 1, d(-3), 'pending'); // event already past
    db.prepare("UPDATE contact_campaigns SET status = 'cancelled' WHERE contact_id = 145").run();
    contact(145, '60601', 'IL', '1950-06-06');
    addTarget.run(145, 1, d(30), 'completed'); // not a target
    contact(146, '60601', 'IL', null);
    addTarget.run(146, 5, d(30), 'pending'); // instance not active yet
    // History of sender statuses.
    contact(147, '60601', 'IL', null);
    addRow.run({ contact: 147, type: 'birthday', ey: 2026, em: 11, ed: 30, date: d(-3), status: 'sent', ci: null, at: `${d(-3)} 15:00:00` });
    addEvent.run(147, `${d(-1)} 15:00:00`, '{"has_medical_conditions": true}');
    contact(148, '60601', 'IL', '1950-12-25');
    addRow.run({ contact: 148, type: 'birthday', ey: 2026, em: 12, ed: 25, date: '2026-12-11', status: 'scheduled', ci: null, at: null }); // blocks its birthday
    addRow.run({ contact: 148, type: 'aep', ey: 2027, em: 9, ed: 15, date: '2027-09-15', status: 'processing', ci: null, at: null }); // blocks its AEP
    contact(150, '60601', 'IL', '1950-12-15');
    for (const days of [-9, -6, -2]) {
      addRow.run({ contact: 150, type: 'campaign_spring_promo', ey: 2026, em: 12, ed: 1, date: d(days), status: 'delivered', ci: 1, at: `${d(days)} 14:00:00` });
    }
    contact(151, '60601', 'IL', null);
    addRow.run({ contact: 151, type: 'effective_date', ey: 2026, em: 12, ed: 20, date: d(-4), status: 'delivered', ci: null, at: `${d(-3)} 03:00:00` }); // CT: d(-4)
    addClick.run(151, `${d(-2)} 12:00:00`);
    contact(152, '60601', 'IL', '1952-01-05');
    addRow.run({ contact: 152, type: 'birthday', ey: 2027, em: 1, ed: 5, date: '2026-12-22', status: 'failed', ci: null, at: null }); // failed blocks too
    // A sender row of the seed that changes status (another contact's row: only its status and send time change).
    const touched = db
      .prepare("SELECT id, contact_id FROM email_schedules WHERE status = 'scheduled' AND contact_id > 160 AND scheduled_send_date >= ? ORDER BY id LIMIT 1")
      .get(T) as { id: number; contact_id: number };
    db.prepare("UPDATE email_schedules SET status = 'sent', actual_send_datetime = ? WHERE id = ?").run(`${d(-1)} 16:00:00`, touched.id);
    // Unusable, deleted.
    contact(153, '60601', 'IL', '1950-01-01', null, 'not an email');
    db.prepare('DELETE FROM contacts WHERE id = 154').run();
    // Behaviour of contacts the seed gave a recent sent initial email.
    const initials = db
      .prepare(
        `SELECT DISTINCT contact_id FROM email_schedules WHERE status IN ('sent', 'delivered') AND email_type IN ('birthday', 'effective_date', 'aep', 'post_window')
           AND scheduled_send_date BETWEEN ? AND ? AND contact_id > 300 ORDER BY contact_id LIMIT 3`,
      )
      .all(d(-25), d(-3)) as Array<{ contact_id: number }>;
    const behaviour = initials.map((row) => row.contact_id);
    addClick.run(behaviour[0]!, `${T} 12:00:00`);
    addEvent.run(behaviour[1]!, `${T} 12:00:00`, '{"has_medical_conditions": false, "main_questions_yes_count": 0}');
    addEvent.run(behaviour[2]!, `${T} 12:00:00`, '{"main_questions_yes_count": 2}');
    // A contact added since the full run, of an id past 2^32.
    db.prepare("INSERT INTO contacts (id, email, zip_code, state, birth_date) VALUES (?, 'big@example.com', '60601', 'IL', '1950-12-09')").run(BIG_ID);
    // Unchanged contacts, and an id that never was.
    return new Set([...ids(101, 116), ...ids(121, 148), ...ids(150, 159), touched.contact_id, ...behaviour, BIG_ID, 999_999]);
  });

/** The second round: late birthdays with deadlines, a contact of the first round changed again. */
const secondChanges = (path: string, T: string): Set<number> =>
  withDb(path, (db) => {
    const set = db.prepare("UPDATE contacts SET email = ?, zip_code = '60601', state = 'IL', birth_date = ?, effective_date = NULL WHERE id = ?");
    const birthdays = ['1944-12-01', '1944-12-02', '1945-12-10', '1946-12-11', '1947-11-30', '1948-12-08', '1949-12-12', '1950-12-13', '1951-12-28', '1952-01-20'];
    ids(201, 210).forEach((id, k) => set.run(`s${id}@example.com`, birthdays[k], id));
    set.run('again101@example.com', '1950-12-24', 101);
    void T;
    return new Set([...ids(201, 210), 101]);
  });

/** Two IL contacts with birthdays, a target-all-contacts campaign type and one active instance of it. */
const seedMinimal = (path: string, T: string): void => {
  migrateOrganizationDb(path);
  withDb(path, (db) => {
    db.prepare("INSERT INTO contacts (id, email, zip_code, state, birth_date) VALUES (1, 'one@example.com', '60601', 'IL', '1950-12-20'), (2, 'two@example.com', '60601', 'IL', '1951-12-21')").run();
    db.prepare("INSERT INTO campaign_types (name, target_all_contacts, priority) VALUES ('newsletter', 1, 60)").run();
    db.prepare("INSERT INTO campaign_instances (id, campaign_type, instance_name, email_template, active_start_date) VALUES (1, 'newsletter', 'monthly', 'newsletter_v1', ?)").run(plusDays(T, -1));
  });
};

// ------------------------------------------------------------------ the queue, as another service uses it

interface RequestsQueue {
  readonly requests: Queue;
  readonly events: QueueEvents;
  readonly idle: () => Promise<boolean>;
  readonly close: () => Promise<void>;
}

const openRequestsQueue = async (prefix: string): Promise<RequestsQueue> => {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const queues = Object.values(QUEUE_NAMES).map((name) => new Queue(name, { connection: redis, prefix }));
  const requests = queues.find((queue) => queue.name === QUEUE_NAMES.requests)!;
  const events = new QueueEvents(QUEUE_NAMES.requests, { connection: redis.duplicate(), prefix });
  await events.waitUntilReady();
  return {
    requests,
    events,
    idle: async () => {
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (Object.values(counts).some((n) => n > 0)) return false;
      }
      return true;
    },
    close: async () => {
      await events.close();
      for (const queue of queues) await queue.close();
      redis.disconnect();
    },
  };
};

const until = async (condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

// ------------------------------------------------------------------ checks shared by every step

const checkStep = (get: () => StepOutcome, minimumTargetedRows: number, minimumOtherRows = 1_000) => {
  it('commits, for the rescheduled contacts, exactly the rows the rules give against the current day counts', () => {
    const step = get();
    expect({ onlyCommitted: step.onlyCommitted.slice(0, 30), onlyExpected: step.onlyExpected.slice(0, 30) }).toEqual({ onlyCommitted: [], onlyExpected: [] });
    expect(step.committed.length).toBe(step.expected.lines.length);
    expect(step.expected.lines.length).toBeGreaterThanOrEqual(minimumTargetedRows);
    expect(step.expected.finalized.invariantBreaks).toEqual([]);
  });

  it('writes completed checkpoints, and the rescheduled contacts\' rows under a new run id (a row kept as it was may keep its own)', () => {
    // RULES.md §10 Determinism compares "every column but ids, timestamps and run ids": an unchanged row kept with
    // its earlier run id is the same row; a row that is new or changed carries the reschedule's run id.
    const step = get();
    expect(step.newCheckpoints.length).toBeGreaterThan(0);
    expect(step.newCheckpoints.filter((row) => row.status !== 'completed')).toEqual([]);
    expect(step.strangeRunIds).toEqual([]);
    expect(step.rowsOfNewRun).toBeGreaterThan(0);
  });

  it('leaves every other contact\'s scheduler rows byte-identical (ids included)', () => {
    const step = get();
    expect(step.othersBefore.length).toBeGreaterThanOrEqual(minimumOtherRows);
    expect({ gone: minus(step.othersBefore, step.othersAfter).slice(0, 10), added: minus(step.othersAfter, step.othersBefore).slice(0, 10) }).toEqual({
      gone: [],
      added: [],
    });
    expect(step.othersAfter).toEqual(step.othersBefore);
  });

  it('leaves every row of a sender status byte-identical', () => {
    const step = get();
    expect(step.senderBefore.length).toBeGreaterThan(300);
    expect(step.senderAfter).toEqual(step.senderBefore);
  });
};

// ------------------------------------------------------------------ a contact list, then a campaign instance, as of a fixed day

describe('targeted reschedules of contacts and of a campaign instance, against the rules read independently', () => {
  const world = newWorld();
  const T = '2026-11-28';
  const organization = 'resched-contacts';
  const path = join(world.directory, `${organization}.sqlite`);
  const steps = new Map<string, StepOutcome>();
  let client: RunClient;
  let queue: RequestsQueue;
  let fullRunSummary: { status: string; run_id: string };
  let campaignLog: { before: ChangeLogRow[]; instanceTargets: Set<number> };

  beforeAll(async () => {
    seedOrganization(path, { contacts: CONTACTS, seed: 31, asOf: T });
    client = await connectClient(path, world.prefix, { config: CONFIG });
    queue = await openRequestsQueue(world.prefix);
    fullRunSummary = (await client.fullRun(organization, { asOf: T })) as unknown as typeof fullRunSummary;

    // 1. A contact list, through RunClient.rescheduleContacts.
    const first = firstChanges(path, T);
    steps.set('contacts', await observeReschedule('contacts', path, T, first, () => client.rescheduleContacts(organization, [...first], T)));

    // 2. A contact list, as the `reschedule-contacts` payload another service adds to the requests queue.
    const second = secondChanges(path, T);
    steps.set(
      'payload',
      await observeReschedule('payload', path, T, second, async () => {
        const job = await queue.requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization, contactIds: [...second], asOf: T, requestedBy: 'differential-test' });
        return job.waitUntilFinished(queue.events, 30_000);
      }),
    );

    // 3. A campaign instance: rate_increase (4) gets other templates, a start date and a new target; the
    // `reschedule-campaign` payload. Its targets are its pending/scheduled contact_campaigns rows (RULES.md §7).
    withDb(path, (db) => {
      db.prepare(
        `UPDATE campaign_instances SET email_template = 'rate_increase_v2', sms_template = NULL, active_start_date = ?,
           metadata = '{"followup_email_template": "rate_increase_fu_v2", "followup_sms_template": "rate_fu_sms"}' WHERE id = 4`,
      ).run(plusDays(T, -2));
      db.prepare(
        "INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status) VALUES (301, 4, ?, 'pending'), (302, 4, NULL, 'scheduled')",
      ).run(plusDays(T, 40));
      db.prepare(
        "INSERT INTO campaign_change_log (campaign_instance_id, field_changed, old_value, new_value, changed_at, changed_by, requires_rescheduling, processed_at) VALUES (4, 'email_template', 'rate_increase_v1', 'rate_increase_v2', ?, 'ops', 1, NULL)",
      ).run(`${T} 12:00:00`);
      // Contact 0 (an id too: INTEGER PRIMARY KEY), added since the full run, a target.
      db.prepare("INSERT INTO contacts (id, email, zip_code, state, birth_date) VALUES (0, 'zero@example.com', '60601', 'IL', NULL)").run();
      db.prepare("INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status) VALUES (0, 4, ?, 'pending')").run(plusDays(T, 33));
      // A target row cancelled since the full run: no target any more (RULES.md §7). The contact still holds the
      // instance's email, so this reschedule redoes it too, and the email goes.
      db.prepare("UPDATE contact_campaigns SET status = 'cancelled' WHERE campaign_instance_id = 4 AND contact_id = 141").run();
    });
    const instanceTargets = targetsOfInstance(path, 4);
    const logBefore = changeLogRows(path);
    steps.set(
      'campaign',
      await observeReschedule('campaign', path, T, instanceTargets, async () => {
        const job = await queue.requests.add(REQUEST_JOB_NAMES.rescheduleCampaign, { organization, campaignInstanceId: 4, asOf: T, requestedBy: 'differential-test' });
        return job.waitUntilFinished(queue.events, 30_000);
      }),
    );
    campaignLog = { before: logBefore, instanceTargets };

    // 4. A campaign instance whose type targets all contacts: newsletter_monthly (3) starts yesterday with another
    // template. Its targets are every usable contact (RULES.md §7). Every contact with rows is usable here, so
    // this targeted reschedule and a full run must agree; where they do not (a contact that is no target but has
    // rows), see the pinned case at the end of the file.
    withDb(path, (db) => {
      db.prepare("UPDATE campaign_instances SET email_template = 'newsletter_v8', active_start_date = ? WHERE id = 3").run(plusDays(T, -1));
    });
    const everyone = usableContactIds(readOrganizationIndependently(path), CONFIG, dayOfIso(T)!);
    steps.set(
      'all-contacts campaign',
      await observeReschedule('all-contacts campaign', path, T, everyone, async () => {
        const job = await queue.requests.add(REQUEST_JOB_NAMES.rescheduleCampaign, { organization, campaignInstanceId: 3, asOf: T });
        const outcome = await job.waitUntilFinished(queue.events, 30_000);
        // This job's outcome is a PLANNED run (status "planned"), finished before the commit: wait for the commit.
        await until(async () => (await queue.idle()) && checkpoints(path).every((row) => row.status !== 'started'), 'the planned run to commit');
        return outcome;
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await client?.close();
    world.cleanup();
  });

  it('starts from a completed full run that marked every change-log row requiring a reschedule processed', () => {
    expect(fullRunSummary.status).toBe('completed');
    const pending = campaignLog.before.filter((row) => row.requiresRescheduling === 1 && row.processedAt === null && row.campaignInstanceId !== 4);
    expect(pending).toEqual([]);
  });

  describe('a contact list (RunClient.rescheduleContacts)', () => {
    const get = () => steps.get('contacts')!;
    checkStep(get, 80);

    it('covers what the changes were made for: skips of every kind, follow-ups, campaign emails, smoothing, the daily cap, the frequency cap', () => {
      const { expected, targetedRowsBefore } = get();
      const lines = expected.lines.join('\n');
      for (const needle of ['skip=exclusion_window', 'skip=year_round', 'skip=campaign_conflict', 'skip=frequency_cap', 'followup_2_clicked_no_hq', 'followup_3_hq_no_yes', 'followup_4_hq_with_yes', 'post_window', 'campaign_rate_increase', 'campaign_spring_promo']) {
        expect(lines).toContain(needle);
      }
      expect(expected.finalized.counts.smoothed).toBeGreaterThan(0);
      expect(expected.finalized.counts.movedByDailyCap).toBeGreaterThan(0);
      expect(expected.finalized.counts.frequencyCapped).toBeGreaterThan(0);
      expect(targetedRowsBefore).toBeGreaterThan(50);
    });

    it('removes the rows of contacts that became unusable or were deleted, and writes none for an id that never was', () => {
      const { committed, expected } = get();
      expect(expected.missing).toEqual([154, 999_999]);
      expect(committed.some((line) => contactOfLine(line) === 103)).toBe(true); // still usable: only its birth date is bad
      for (const gone of [111, 112, 153, 154, 999_999]) expect(committed.filter((line) => contactOfLine(line) === gone)).toEqual([]);
    });

    it('tells the two readings of "current day counts" apart (the other contacts\' pre-scheduled rows count)', () => {
      const { expected, otherReading } = get();
      expect(minus(otherReading, expected.lines).length).toBeGreaterThan(0);
    });
  });

  describe('a contact list (the reschedule-contacts payload on the requests queue)', () => {
    const get = () => steps.get('payload')!;
    checkStep(get, 20);
  });

  describe('a campaign instance (the reschedule-campaign payload on the requests queue)', () => {
    const get = () => steps.get('campaign')!;
    checkStep(get, 40);

    it('reschedules the instance\'s targets with its new templates', () => {
      const { committed } = get();
      expect(campaignLog.instanceTargets.size).toBeGreaterThan(15);
      const campaignRows = committed.filter((line) => line.includes(' campaign_rate_increase '));
      expect(campaignRows.length).toBeGreaterThan(10);
      expect(campaignRows.every((line) => line.includes('tpl=rate_increase_v2/-'))).toBe(true);
      expect(get().targeted.has(0)).toBe(true);
      // Contact 141's target row was cancelled: it held the instance's email, so it is rescheduled without it.
      expect(get().targeted.has(141)).toBe(true);
      expect(committed.some((line) => line.startsWith('c141 campaign_rate_increase '))).toBe(false);
      expect(committed.some((line) => line.startsWith('c141 '))).toBe(true);
      expect(committed.some((line) => line.startsWith('c0 campaign_rate_increase '))).toBe(true);
    });
  });

  describe('a campaign instance of a type that targets all contacts (the reschedule-campaign payload)', () => {
    const get = () => steps.get('all-contacts campaign')!;
    checkStep(get, 3_000, 0);

    it('reschedules every usable contact with the instance\'s new template', () => {
      const { committed, targeted } = get();
      expect(targeted.size).toBeGreaterThan(1_500);
      const newsletters = committed.filter((line) => line.includes(' campaign_newsletter '));
      expect(newsletters.length).toBeGreaterThan(1_000);
      expect(newsletters.every((line) => line.includes('tpl=newsletter_v8/-'))).toBe(true);
    });
  });

  describe('contact 0 (an id too: contacts.id INTEGER PRIMARY KEY)', () => {
    it('is in the organization, usable, with committed rows (a full run or an instance reschedule schedules it)', () => {
      const rows = readCommittedIndependently(path).filter((row) => row.contactId === 0);
      expect(rows.length).toBeGreaterThan(0);
    });

    /*
     * CONTRACT.md: "contacts(id INTEGER PRIMARY KEY, ...)" and the job "reschedule contacts (an organization
     * and a list of contact ids)"; RULES.md §10: "Targeted reschedule (a contact list ...)". A contact whose id
     * is 0 — scheduled by every full run — can be rescheduled too (the job schema once took positive ids only).
     */
    it('reschedules contact 0 through a reschedule-contacts job', async () => {
      withDb(path, (db) => db.prepare("UPDATE contacts SET birth_date = '1950-12-20' WHERE id = 0").run());
      const zero = new Set([0]);
      const step = await observeReschedule('contact 0', path, T, zero, () => client.rescheduleContacts(organization, [0], T));
      expect(step.onlyExpected).toEqual([]);
      expect(step.onlyCommitted).toEqual([]);
      expect(step.committed.some((line) => line.startsWith('c0 birthday E=2026-12-20'))).toBe(true);
    });
  });
});

// ------------------------------------------------------------------ campaign_change_log, picked up by the poll

describe('campaign_change_log rows requiring a reschedule, picked up by the poll-changes job', () => {
  const world = newWorld();
  const organization = 'resched-log';
  const path = join(world.directory, `${organization}.sqlite`);
  let client: RunClient;
  let fleet: Fleet | undefined;
  let queue: RequestsQueue;
  let today: string;
  let step: StepOutcome;
  let logAfterFullRun: ChangeLogRow[];
  let logAtMark: ChangeLogRow[];
  let targetsAtMark: string[];
  let window: { from: string; to: string };
  let newLogIds: number[];

  beforeAll(async () => {
    // The poll's reschedules run as of today (no as-of in the poll job): the organization is seeded around today.
    seedOrganization(path, { contacts: CONTACTS, seed: 32 });
    client = await connectClient(path, world.prefix, { config: CONFIG });
    today = client.today();
    queue = await openRequestsQueue(world.prefix);
    await client.fullRun(organization, { asOf: today });
    logAfterFullRun = changeLogRows(path);

    // spring_promo_current (1) gets another template and end date, with two change-log rows requiring a reschedule;
    // rate_increase_open (4) gets another template with a row that does NOT require one (it must trigger nothing).
    const ids = withDb(path, (db) => {
      db.prepare("UPDATE campaign_instances SET email_template = 'spring_promo_email_v9', sms_template = 'spring_sms_v9', active_end_date = ? WHERE id = 1").run(
        plusDays(today, 50),
      );
      db.prepare("UPDATE campaign_instances SET email_template = 'rate_increase_untriggered' WHERE id = 4").run();
      const add = db.prepare(
        "INSERT INTO campaign_change_log (campaign_instance_id, field_changed, old_value, new_value, changed_at, changed_by, requires_rescheduling, processed_at) VALUES (?, ?, 'old', 'new', ?, 'ops', ?, NULL)",
      );
      const at = `${today} 09:00:00`;
      const a = Number(add.run(1, 'email_template', at, 1).lastInsertRowid);
      const b = Number(add.run(1, 'active_end_date', at, 1).lastInsertRowid);
      add.run(4, 'email_template', at, 0);
      // An instance that is gone: no targets, nothing to reschedule, still a row to mark processed.
      const gone = Number(add.run(777, 'active_start_date', at, 1).lastInsertRowid);
      return { triggered: [a, b, gone] };
    });
    newLogIds = ids.triggered;
    const targets = targetsOfInstance(path, 1);
    const from = utcNow();
    // The poll job is a fleet's (it asks for every organization the fleets serve), not the run's own workers'.
    fleet = await startDirectoryFleet(world.directory, world.prefix, { config: CONFIG });
    step = await observeReschedule('poll', path, today, targets, async () => {
      await queue.requests.add(REQUEST_JOB_NAMES.pollChanges, {});
      await until(() => changeLogRows(path).filter((row) => newLogIds.includes(row.id)).every((row) => row.processedAt !== null), 'processed_at');
      // What the targets' rows are the moment the rows are marked: the reschedule must be committed by then ("and are then marked processed").
      logAtMark = changeLogRows(path);
      targetsAtMark = readCommittedIndependently(path)
        .filter((row) => targets.has(row.contactId))
        .map(committedLine)
        .sort();
      await until(queue.idle, 'the queues to be idle');
    });
    window = { from, to: utcNow() };
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await fleet?.close();
    await client?.close();
    world.cleanup();
  });

  it('was seeded with change-log rows the full run marked processed (UTC datetimes), the one for an instance that is gone included', () => {
    const required = logAfterFullRun.filter((row) => row.requiresRescheduling === 1);
    expect(required.length).toBeGreaterThan(1);
    expect(required.filter((row) => !isUtcDatetime(row.processedAt))).toEqual([]);
  });

  checkStep(() => step, 50);

  it('marks the triggering rows processed, with a UTC datetime of the reschedule, after its commit', () => {
    const marked = logAtMark.filter((row) => newLogIds.includes(row.id));
    expect(marked).toHaveLength(3);
    for (const row of marked) {
      expect(isUtcDatetime(row.processedAt)).toBe(true);
      expect(row.processedAt! >= window.from && row.processedAt! <= window.to).toBe(true);
    }
    expect(minus(targetsAtMark, step.expected.lines)).toEqual([]);
    expect(minus(step.expected.lines, targetsAtMark)).toEqual([]);
  });

  it('reschedules the targets with the instance\'s new template, and no other instance\'s targets (a row that does not require rescheduling triggers nothing)', () => {
    const campaignRows = step.committed.filter((line) => line.includes(' campaign_spring_promo ') && line.includes(' ci=1 '));
    expect(campaignRows.length).toBeGreaterThan(10);
    expect(campaignRows.every((line) => line.includes('tpl=spring_promo_email_v9/spring_sms_v9'))).toBe(true);
    // Others are byte-identical (checkStep), so rate_increase's targets outside instance 1 kept their template.
    expect(step.othersAfter.some((line) => line.includes("'rate_increase_untriggered'"))).toBe(false);
  });

  it('is done with the change log: no row requiring a reschedule is left unprocessed', () => {
    expect(changeLogRows(path).filter((row) => row.requiresRescheduling === 1 && row.processedAt === null)).toEqual([]);
  });
});

// ------------------------------------------------------------------ a target-all-contacts instance and a contact that is no target

/*
 * A CHOICE, not the literal reading. RULES.md §7: a target-all-contacts instance targets "every other usable
 * contact"; RULES.md §10: a targeted reschedule "replaces only those contacts' pre-scheduled/skipped rows".
 * The engine answers a `reschedule-campaign` job for such an instance with a full run (its job finishes with
 * status "planned" before the commit; the checkpoint is the full run's): every usable contact is a target, so
 * the targets' rows are a full run's, and a full run is the way that scales to millions of targets. It also
 * clears the rows of a contact no longer usable, as the next nightly run would, where the literal reading keeps
 * them until then. Minimal: two IL contacts with birthdays, a newsletter type with target_all_contacts and one
 * active instance; full run; contact 2's email set to NULL; reschedule-campaign of the instance.
 */
describe('a reschedule of a target-all-contacts instance and a contact that is no target (no longer usable)', () => {
  const world = newWorld();
  const organization = 'resched-all';
  const path = join(world.directory, `${organization}.sqlite`);
  const T = '2026-11-28';
  let client: RunClient;
  let queue: RequestsQueue;
  let before: string[];

  beforeAll(async () => {
    seedMinimal(path, T);
    client = await connectClient(path, world.prefix, { config: CONFIG });
    queue = await openRequestsQueue(world.prefix);
    await client.fullRun(organization, { asOf: T });
    withDb(path, (db) => db.prepare('UPDATE contacts SET email = NULL WHERE id = 2').run());
    before = schedulerRowsSnapshot(path, (id) => id === 2);
  }, 60_000);

  afterAll(async () => {
    await queue?.close();
    await client?.close();
    world.cleanup();
  });

  it('starts with rows of contact 2 from the full run, and contact 2 no longer usable', () => {
    expect(before.length).toBeGreaterThan(1);
    expect(usableContactIds(readOrganizationIndependently(path), CONFIG, dayOfIso(T)!)).toEqual(new Set([1]));
  });

  it('answers a reschedule-campaign job for a target-all-contacts instance with a full run, which clears the rows of a contact no longer usable', async () => {
    const job = await queue.requests.add(REQUEST_JOB_NAMES.rescheduleCampaign, { organization, campaignInstanceId: 1, asOf: T });
    await job.waitUntilFinished(queue.events, 30_000);
    await until(async () => (await queue.idle()) && checkpoints(path).every((row) => row.status !== 'started'), 'the reschedule to commit');
    expect(checkpoints(path).filter((row) => row.status === 'completed')).toHaveLength(2);
    expect(schedulerRowsSnapshot(path, (id) => id === 2)).toEqual([]);
  });
});
