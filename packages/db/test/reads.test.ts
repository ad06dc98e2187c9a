import { createSchedulingContext, NO_DAY, parseConfig, parseIsoDate, scheduleContact } from '@scheduler/core';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  contactChunks,
  rowsBeyondSafeIds,
  countContactRows,
  existingDayCounts,
  existingDayCountsOfTable,
  markCampaignChangesProcessed,
  openOrganizationDb,
  readCampaignInstances,
  readContactInputs,
  readContactPages,
  readContacts,
  readPendingCampaignChanges,
} from '../src';
import { freshOrganization } from './support/organization-fixture';
import { useTempDirectory } from './support/temp-directory';

const day = (iso: string): number => parseIsoDate(iso)!;

describe('contact reads', () => {
  const directory = useTempDirectory();

  it('read a range by keyset pages, whatever the gaps in ids', () => {
    const db = freshOrganization(directory());
    const insert = db.sqlite.prepare(`INSERT INTO contacts (id, email, zip_code) VALUES (?, ?, ?)`);
    const ids = [3, 4, 10, 11, 12, 50, 51, 99, 100, 1000];
    for (const id of ids) insert.run(id, `c${id}@example.com`, '90210');
    db.sqlite.exec(`UPDATE contacts SET zip_code = 2108 WHERE id = 50`);
    expect(readContacts(db, { fromId: 4, toId: 99 }).map((contact) => contact.id)).toEqual([4, 10, 11, 12, 50, 51, 99]);
    // A ZIP written as a number (a spreadsheet import) reads as its text, leading zero lost as stored.
    expect(readContacts(db, { fromId: 50, toId: 50 })[0]!.zipCode).toBe('2108');
    expect(countContactRows(db)).toBe(ids.length);
    db.close();
  });

  it('read every stored value exactly, whatever the page holds', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      INSERT INTO contacts (id, email, zip_code, state, birth_date, effective_date) VALUES
        (1, NULL, '', 'CA', NULL, '2020-01-01'),
        (2, 'b@example.com', '90210', X'4341', '1950-06-15', NULL),
        (3, 'c@example.com', X'', 'NY', '1951-01-01', '2021-02-01');
      INSERT INTO contacts (id, email, zip_code) VALUES (10, 'plain@example.com', '10001'), (11, NULL, NULL);
      INSERT INTO contacts (id, email, zip_code) VALUES (20, char(1), '10001'), (21, NULL, '10002');
      INSERT INTO contacts (id, email, zip_code) VALUES (30, 'a' || char(30) || 'b', '10001'), (31, 'é@example.com', X'C3A9');
    `);
    const read = (fromId: number, toId: number) => readContacts(db, { fromId, toId }).map((c) => [c.id, c.email, c.zipCode, c.state, c.birthDate, c.effectiveDate]);
    expect(read(1, 3)).toEqual([
      [1, null, '', 'CA', null, '2020-01-01'],
      [2, 'b@example.com', '90210', 'CA', '1950-06-15', null],
      [3, 'c@example.com', '', 'NY', '1951-01-01', '2021-02-01'],
    ]);
    expect(read(10, 11)).toEqual([[10, 'plain@example.com', '10001', null, null, null], [11, null, null, null, null, null]]);
    // A text that is the null marker, or holds the separator, is read row by row: still exact.
    expect(read(20, 21)).toEqual([[20, '\u0001', '10001', null, null, null], [21, null, '10002', null, null, null]]);
    expect(read(30, 31)).toEqual([[30, 'a\u001eb', '10001', null, null, null], [31, 'é@example.com', 'é', null, null, null]]);
    // Pages smaller than the range, ending inside it.
    for (const pageSize of [1, 2, 3]) {
      expect([...readContactPages(db, { fromId: 1, toId: 30 }, pageSize)].flat().map((c) => c.id)).toEqual([1, 2, 3, 10, 11, 20, 21, 30]);
    }
    db.close();
  });

  it('read a contacts table whose columns are not TEXT (a foreign file) row by row', () => {
    const path = join(directory(), 'foreign.sqlite');
    const raw = new Database(path);
    raw.exec(`CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code INTEGER, state, birth_date TEXT, effective_date TEXT, phone_number TEXT);
      INSERT INTO contacts VALUES (1, 'a@example.com', 2108, 2.5, '1950-06-15', NULL, NULL)`);
    raw.close();
    const db = openOrganizationDb(path, { readonly: true });
    expect(readContacts(db, { fromId: 1, toId: 1 })).toEqual([
      { id: 1, email: 'a@example.com', zipCode: '2108', state: '2.5', birthDate: '1950-06-15', effectiveDate: null },
    ]);
    db.close();
  });

  it('split into chunks that cover every contact exactly once', () => {
    const db = freshOrganization(directory());
    const insert = db.sqlite.prepare(`INSERT INTO contacts (id, email) VALUES (?, 'x@example.com')`);
    const ids: number[] = [];
    for (let id = 1; id <= 2500; id += 1 + (id % 7)) ids.push(id);
    db.sqlite.transaction(() => ids.forEach((id) => insert.run(id)))();
    for (const batchSize of [1, 7, 100, 1000, 10_000]) {
      const chunks = contactChunks(db, batchSize);
      const covered = chunks.flatMap((chunk) => readContacts(db, chunk).map((contact) => contact.id));
      expect(covered).toEqual(ids);
      expect(chunks.map((chunk) => chunk.count).reduce((a, b) => a + b, 0)).toBe(ids.length);
      expect(chunks.every((chunk, i) => chunk.chunkIndex === i && (i === 0 || chunk.fromId > chunks[i - 1]!.toId))).toBe(true);
      expect(chunks.slice(0, -1).every((chunk) => chunk.count === batchSize)).toBe(true);
    }
    expect(contactChunks(freshOrganization(directory(), 'empty.sqlite'), 10)).toEqual([]);
    db.close();
  });

  it('chunk every contact whose id JavaScript holds exactly, the bounds included, and count the others apart', () => {
    const db = freshOrganization(directory());
    // contacts.id is a 64-bit INTEGER PRIMARY KEY; ids are bound as text so that SQLite stores them exactly.
    const insert = db.sqlite.prepare(`INSERT INTO contacts (id) VALUES (CAST(? AS INTEGER))`);
    const beyond = ['-9223372036854775808', '-9007199254740992', '9007199254740992', '9007199254740993', '9223372036854775807'];
    const safe = [Number.MIN_SAFE_INTEGER, -1, 0, 7, Number.MAX_SAFE_INTEGER];
    for (const id of [...beyond, ...safe.map(String)]) insert.run(id);
    for (const batchSize of [1, 2, 10]) {
      const chunks = contactChunks(db, batchSize);
      expect(chunks.flatMap((chunk) => readContacts(db, chunk).map((contact) => contact.id))).toEqual(safe);
      expect(chunks.every((chunk) => Number.isSafeInteger(chunk.fromId) && Number.isSafeInteger(chunk.toId))).toBe(true);
      expect(chunks.reduce((sum, chunk) => sum + chunk.count, 0)).toBe(safe.length);
    }
    expect(rowsBeyondSafeIds(db, 'contacts')).toEqual({ count: beyond.length, examples: beyond });
    db.sqlite.exec(`DELETE FROM contacts WHERE id BETWEEN ${Number.MIN_SAFE_INTEGER} AND ${Number.MAX_SAFE_INTEGER}`);
    expect(contactChunks(db, 10)).toEqual([]);
    db.close();
  });
});

describe('contact inputs', () => {
  const directory = useTempDirectory();

  const seedHistory = () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      INSERT INTO contacts (id, email, zip_code) VALUES (1, 'a@example.com', '90210'), (2, 'b@example.com', '10001'), (3, 'c@example.com', '99501');
      INSERT INTO email_schedules (id, contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, actual_send_datetime, campaign_instance_id, metadata) VALUES
        -- 2026-03-08 is the spring-forward day in Chicago: 07:59 UTC is 01:59 CST (Mar 8), 05:30 UTC on Mar 8 is still Mar 7 CST.
        (10, 1, 'birthday', 2026, 3, 22, '2026-03-08', 'sent', '2026-03-08 05:30:00', NULL, NULL),
        (11, 1, 'effective_date', 2026, 4, 1, '2026-03-02', 'delivered', '2026-03-08 07:59:00', NULL, NULL),
        -- 2026-11-01 fall-back: 05:30 UTC is 00:30 CDT (Nov 1); 04:59 UTC is 23:59 CDT (Oct 31).
        (12, 1, 'aep', 2026, 9, 15, '2026-10-30', 'sent', '2026-11-01 04:59:00', NULL, NULL),
        (13, 1, 'followup_1_cold', 2026, 3, 22, '2026-03-10', 'scheduled', NULL, NULL, '{"initial_email_id": 10, "initial_email_type": "birthday"}'),
        (14, 2, 'campaign_spring', 2026, 2, 30, '2026-04-01', 'failed', 'not a datetime', 7, '{not json'),
        (15, 2, 'birthday', NULL, NULL, NULL, '2026-02-30', 'sent', NULL, NULL, NULL),
        (16, 2, 'aep', NULL, NULL, NULL, '2026-09-01', 'pre-scheduled', NULL, NULL, NULL),
        (17, 2, 'birthday', NULL, NULL, NULL, '2026-09-02', 'skipped', NULL, NULL, NULL),
        (18, 3, 'aep', NULL, NULL, NULL, '2026-09-03', 'bounced', NULL, NULL, NULL);
      INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status) VALUES (2, 7, '2026-05-01', 'pending'), (2, 8, NULL, 'scheduled');
      INSERT INTO tracking_clicks (contact_id, email_schedule_id, clicked_at) VALUES (1, 10, '2026-03-09 03:00:00'), (1, 10, '2025-01-01 12:00:00'), (3, NULL, 'yesterday');
      INSERT INTO contact_events (contact_id, event_type, created_at, metadata) VALUES
        (1, 'eligibility_answered', '2026-03-09 12:00:00', '{"has_medical_conditions": true}'),
        (2, 'eligibility_answered', '2026-03-09 12:00:00', '{"main_questions_yes_count": 2}'),
        (2, 'eligibility_answered', '2026-03-10 12:00:00', '{"main_questions_yes_count": 0, "has_medical_conditions": false}'),
        (3, 'eligibility_answered', '2026-03-10 12:00:00', 'garbage'),
        (3, 'eligibility_answered', '2026-03-11 12:00:00', '{"has_medical_conditions": "true"}'),
        (3, 'eligibility_answered', '2026-03-11 13:00:00', '{"main_questions_yes_count": "2", "has_medical_conditions": null}'),
        (3, 'eligibility_answered', '2026-03-11 14:00:00', '{"main_questions_yes_count": null, "has_medical_conditions": false}'),
        (3, 'page_view', '2026-03-10 12:00:00', NULL);
    `);
    return db;
  };

  it('turn history rows into HistoryEmail with CT days across DST changes', () => {
    const db = seedHistory();
    const { inputs } = readContactInputs(db, { fromId: 1, toId: 3, timeZone: 'America/Chicago' });
    const history = inputs[0]!.history;
    expect(history.map((email) => email.id)).toEqual([10, 11, 12, 13]);
    expect(history[0]).toMatchObject({ emailType: 'birthday', status: 'sent', scheduledDay: day('2026-03-08'), sentDay: day('2026-03-07'), eventDay: day('2026-03-22') });
    expect(history[1]!.sentDay).toBe(day('2026-03-08'));
    expect(history[2]!.sentDay).toBe(day('2026-10-31'));
    expect(history[3]).toMatchObject({ status: 'scheduled', sentDay: day('2026-03-10'), initialEmailId: 10 });
    db.close();
  });

  it('count and skip rows that cannot be read, keep a status the contract does not name as other, and never return scheduler rows as history', () => {
    const db = seedHistory();
    const { inputs, unreadable } = readContactInputs(db, { fromId: 1, toId: 3, timeZone: 'America/Chicago' });
    const second = inputs[1]!.history;
    // Row 14: unreadable actual_send_datetime falls back to the scheduled date; Feb 30 is no event day.
    expect(second).toEqual([
      { id: 14, emailType: 'campaign_spring', status: 'failed', scheduledDay: day('2026-04-01'), sentDay: day('2026-04-01'), eventDay: null, campaignInstanceId: 7, initialEmailId: null },
    ]);
    // Row 18's 'bounced' is no status the contract names, but it is not pre-scheduled or skipped: the sender's (RULES.md §4).
    expect(inputs[2]!.history).toEqual([
      { id: 18, emailType: 'aep', status: 'other', scheduledDay: day('2026-09-03'), sentDay: day('2026-09-03'), eventDay: null, campaignInstanceId: null, initialEmailId: null },
    ]);
    expect(unreadable).toEqual({
      // 'garbage', and the two answers whose fields are text: they read as no conditions (RULES.md §8 compares with true and 0).
      'contact_events.malformed_metadata': 3,
      'email_schedules.malformed_actual_send_datetime': 1,
      'email_schedules.malformed_event_date': 1,
      'email_schedules.malformed_scheduled_send_date': 1,
      'email_schedules.unknown_status': 1,
      'tracking_clicks.malformed_clicked_at': 1,
    });
    db.close();
  });

  it('read ids beyond ±(2^53 − 1) as no other row\'s: such a sent email only blocks its key, such an instance is left out, both counted', () => {
    const db = freshOrganization(directory());
    const big = String(2n ** 60n + 1n);
    db.sqlite.exec(`
      INSERT INTO contacts (id, email, zip_code) VALUES (1, 'a@example.com', '90210');
      INSERT INTO campaign_instances (id, campaign_type, instance_name) VALUES (${big}, 'spring', 'big'), (5, 'spring', 'small');
      INSERT INTO email_schedules (id, contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, campaign_instance_id) VALUES
        (${big}, 1, 'birthday', 2026, 3, 22, '2026-03-08', 'sent', NULL),
        (20, 1, 'campaign_spring', NULL, NULL, NULL, '2026-03-09', 'sent', ${big});
      INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status) VALUES (1, ${big}, NULL, 'pending'), (1, 5, NULL, 'pending');
    `);
    const { inputs, unreadable } = readContactInputs(db, { fromId: 1, toId: 1, timeZone: 'America/Chicago' });
    const [campaign, birthday] = inputs[0]!.history;
    expect(campaign).toMatchObject({ id: 20, status: 'sent', campaignInstanceId: null });
    // Still the sender's: it blocks its key (RULES.md §4), but no follow-up can name it as its initial email.
    expect(birthday).toMatchObject({ emailType: 'birthday', status: 'other', scheduledDay: day('2026-03-08') });
    expect(inputs[0]!.targets.map((target) => target.campaignInstanceId)).toEqual([5]);
    expect(unreadable).toEqual({
      'email_schedules.id_beyond_safe_integers': 1,
      'email_schedules.malformed_campaign_instance_id': 1,
      'contact_campaigns.malformed_campaign_instance_id': 1,
    });
    expect(readCampaignInstances(db).map((instance) => instance.id)).toEqual([5]);
    expect(rowsBeyondSafeIds(db, 'campaign_instances')).toEqual({ count: 1, examples: [big] });
    db.close();
  });

  it('group targets and behaviour by contact, typed by the answer metadata', () => {
    const db = seedHistory();
    const { inputs } = readContactInputs(db, { fromId: 1, toId: 3, timeZone: 'America/Chicago' });
    expect(inputs[1]!.targets).toEqual([
      { campaignInstanceId: 7, triggerDate: '2026-05-01', status: 'pending' },
      { campaignInstanceId: 8, triggerDate: null, status: 'scheduled' },
    ]);
    expect(inputs[0]!.behaviour).toEqual(
      expect.arrayContaining([
        { kind: 'click', day: day('2026-03-08') },
        { kind: 'click', day: day('2025-01-01') },
        { kind: 'answered_with_conditions', day: day('2026-03-09') },
      ]),
    );
    expect(inputs[1]!.behaviour).toEqual([
      { kind: 'answered_with_conditions', day: day('2026-03-09') },
      { kind: 'answered_no_conditions', day: day('2026-03-10') },
    ]);
    // Text where RULES.md §8 compares with true or 0 is no condition: the "true" and the "2" answers are without conditions.
    expect(inputs[2]!.behaviour).toEqual([
      { kind: 'answered_no_conditions', day: day('2026-03-10') },
      { kind: 'answered_no_conditions', day: day('2026-03-11') },
      { kind: 'answered_no_conditions', day: day('2026-03-11') },
      { kind: 'answered_no_conditions', day: day('2026-03-11') },
    ]);
    db.close();
  });

  it('type an answer by its JSON values only: the strings "true" and "2" are an answer without conditions', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      INSERT INTO contacts (id, email, zip_code) VALUES (1, 'a@example.com', '60601');
      INSERT INTO contact_events (contact_id, event_type, created_at, metadata) VALUES
        (1, 'eligibility_answered', '2026-03-09 12:00:00', '{"has_medical_conditions": "true"}'),
        (1, 'eligibility_answered', '2026-03-10 12:00:00', '{"main_questions_yes_count": "2"}'),
        (1, 'eligibility_answered', '2026-03-11 12:00:00', '{"has_medical_conditions": true}'),
        (1, 'eligibility_answered', '2026-03-12 12:00:00', '{"main_questions_yes_count": 2}');
    `);
    const { inputs } = readContactInputs(db, { fromId: 1, toId: 1, timeZone: 'America/Chicago' });
    expect(inputs[0]!.behaviour).toEqual(
      expect.arrayContaining([
        { kind: 'answered_no_conditions', day: day('2026-03-09') },
        { kind: 'answered_no_conditions', day: day('2026-03-10') },
        { kind: 'answered_with_conditions', day: day('2026-03-11') },
        { kind: 'answered_with_conditions', day: day('2026-03-12') },
      ]),
    );
    expect(inputs[0]!.behaviour).toHaveLength(4);
    db.close();
  });

  it('read behaviour only from the lookback window when asked', () => {
    const db = seedHistory();
    const { inputs } = readContactInputs(db, { fromId: 1, toId: 1, timeZone: 'America/Chicago', behaviourSinceDay: day('2026-03-01') });
    expect(inputs[0]!.behaviour.map((event) => event.day)).not.toContain(day('2025-01-01'));
    expect(inputs[0]!.behaviour).toHaveLength(2);
    db.close();
  });

  it('count, within the lookback or not, the clicks and answers whose time is no datetime, though it sorts before the window', () => {
    const db = seedHistory();
    db.sqlite.exec(`
      INSERT INTO tracking_clicks (contact_id, clicked_at) VALUES
        (1, 1772928000), (1, 17729280.5), (1, '1/8/2026 10:00'), (1, ' 2026-03-09 12:00:00'), (1, '2019-01-01 10:00:00');
      INSERT INTO contact_events (contact_id, event_type, created_at, metadata) VALUES
        (1, 'eligibility_answered', 1772928000, '{}'), (1, 'eligibility_answered', '03/09/2026', '{}'),
        (1, 'eligibility_answered', '2019-01-01 10:00:00', '{}'), (1, 'page_view', 1772928000, NULL);
    `);
    const since = readContactInputs(db, { fromId: 1, toId: 1, timeZone: 'America/Chicago', behaviourSinceDay: day('2026-03-01') });
    const all = readContactInputs(db, { fromId: 1, toId: 1, timeZone: 'America/Chicago' });
    for (const { inputs, unreadable } of [since, all]) {
      expect(unreadable).toMatchObject({ 'tracking_clicks.malformed_clicked_at': 4, 'contact_events.malformed_created_at': 2 });
      expect(inputs[0]!.behaviour.map((event) => event.day)).not.toContain(Number.NaN);
    }
    // Well-formed times before the window are still passed over: the 2019 click and answer, and the seed's 2025 click.
    expect(all.inputs[0]!.behaviour.length - since.inputs[0]!.behaviour.length).toBe(3);
    db.close();
  });
});

describe('§4 history blocks repeats', () => {
  const directory = useTempDirectory();

  describe('when a sender row has the key of a candidate but a malformed scheduled_send_date', () => {
    // RULES.md §4: the key is contact_id|email_type|event_date; a row with that key and a status
    // other than pre-scheduled/skipped blocks the candidate, whatever its send date reads as.
    const seed = () => {
      const db = freshOrganization(directory());
      db.sqlite.exec(`
        INSERT INTO contacts (id, email, zip_code, birth_date) VALUES (1, 'a@example.com', '60601', '1980-07-20');
        INSERT INTO email_schedules (id, contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, actual_send_datetime) VALUES
          (20, 1, 'birthday', 2026, 7, 20, '07/06/2026', 'sent', NULL),
          (21, 1, 'aep', 2026, 9, 15, '', 'delivered', '2026-09-15 14:00:00');
      `);
      return db;
    };

    it('reads the row as history with its key and no send date, counting the malformed date', () => {
      const db = seed();
      const { inputs, unreadable } = readContactInputs(db, { fromId: 1, toId: 1, timeZone: 'America/Chicago' });
      expect(inputs[0]!.history).toEqual([
        { id: 20, emailType: 'birthday', status: 'sent', scheduledDay: NO_DAY, sentDay: NO_DAY, eventDay: day('2026-07-20'), campaignInstanceId: null, initialEmailId: null },
        { id: 21, emailType: 'aep', status: 'delivered', scheduledDay: NO_DAY, sentDay: day('2026-09-15'), eventDay: day('2026-09-15'), campaignInstanceId: null, initialEmailId: null },
      ]);
      expect(unreadable).toEqual({ 'email_schedules.malformed_scheduled_send_date': 2 });
      db.close();
    });

    it('produces neither the birthday nor the AEP email that the sender already holds', () => {
      const db = seed();
      const { inputs } = readContactInputs(db, { fromId: 1, toId: 1, timeZone: 'America/Chicago' });
      const { context } = createSchedulingContext({
        today: day('2026-06-01'),
        config: parseConfig({}),
        zipToState: () => 'IL',
        campaignTypes: [],
        campaignInstances: [],
      });
      const outcome = scheduleContact(context, inputs[0]!);
      expect(outcome.usable && outcome.emails.map((email) => email.emailType)).toEqual([]);
      db.close();
    });
  });
});

describe('day counts and campaign changes', () => {
  const directory = useTempDirectory();

  it('count scheduled/processing rows per day, and other contacts’ pre-scheduled rows for a reschedule', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES
        (1, 'effective_date', '2026-05-01', 'scheduled'), (2, 'birthday', '2026-05-01', 'processing'),
        (3, 'birthday', '2026-05-01', 'sent'), (1, 'birthday', '2026-05-02', 'pre-scheduled'),
        (2, 'effective_date', '2026-05-02', 'pre-scheduled'), (4, 'aep', '2026-05-02', 'skipped'), (5, 'aep', 'bad', 'scheduled');
    `);
    expect(existingDayCounts(db)).toEqual(new Map([[day('2026-05-01'), { all: 2, effectiveDate: 1 }]]));
    expect(existingDayCounts(db, '2026-05-02')).toEqual(new Map());
    const forReschedule = existingDayCountsOfTable(db, [1]);
    expect(forReschedule.get(day('2026-05-01'))).toEqual({ all: 2, effectiveDate: 1 });
    expect(forReschedule.get(day('2026-05-02'))).toEqual({ all: 1, effectiveDate: 1 });
    db.close();
  });

  it('list pending campaign changes and mark them processed with a UTC datetime', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      INSERT INTO campaign_change_log (id, campaign_instance_id, field_changed, changed_at, requires_rescheduling, processed_at) VALUES
        (1, 7, 'active_start_date', '2026-01-01 00:00:00', 1, NULL),
        (2, 7, 'email_template', '2026-01-02 00:00:00', 0, NULL),
        (3, 8, 'active_end_date', '2026-01-03 00:00:00', 1, '2026-01-04 00:00:00'),
        (4, 99, 'active_end_date', '2026-01-05 00:00:00', 1, NULL),
        (5, 7, 'metadata', '2026-01-06 00:00:00', 1, ' ');
    `);
    // A blank processed_at is no processed_at.
    expect(readPendingCampaignChanges(db).map((change) => change.id)).toEqual([1, 4, 5]);
    expect(markCampaignChangesProcessed(db, [1, 4, 3, 5], new Date('2026-02-03T04:05:06Z'))).toBe(3);
    expect(readPendingCampaignChanges(db)).toEqual([]);
    expect(db.sqlite.prepare('SELECT processed_at FROM campaign_change_log ORDER BY id').pluck().all()).toEqual([
      '2026-02-03 04:05:06',
      null,
      '2026-01-04 00:00:00',
      '2026-02-03 04:05:06',
      '2026-02-03 04:05:06',
    ]);
    db.close();
  });

  it('list and mark a change whose id is beyond ±(2^53 − 1) exactly, not the row its rounded id would be', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      INSERT INTO campaign_change_log (id, campaign_instance_id, field_changed, changed_at, requires_rescheduling, processed_at) VALUES
        (9007199254740992, 7, 'email_template', '2026-01-02 00:00:00', 0, NULL),
        (9007199254740993, 7, 'active_end_date', '2026-01-03 00:00:00', 1, NULL);
    `);
    const pending = readPendingCampaignChanges(db).map((change) => change.id);
    expect(pending).toEqual(['9007199254740993']);
    expect(markCampaignChangesProcessed(db, pending, new Date('2026-02-03T04:05:06Z'))).toBe(1);
    expect(db.sqlite.prepare('SELECT CAST(id AS TEXT), processed_at FROM campaign_change_log ORDER BY id').raw().all()).toEqual([
      ['9007199254740992', null],
      ['9007199254740993', '2026-02-03 04:05:06'],
    ]);
    db.close();
  });
});
