/**
 * CONTRACT.md "Values written by the scheduler" and the configuration keys
 * that decide them (`send_time`, `templates`), checked on the rows a full run
 * commits to a real SQLite file through a real Redis: what the sending
 * service reads in `email_schedules`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateOrganizationDb, openOrganizationDb, seedOrganization } from '@scheduler/db';
import { configWith, connectClient, newWorld } from './support/fleet-world';

const AS_OF = '2026-11-28';
const FIXED_TYPES = [
  'birthday',
  'effective_date',
  'aep',
  'post_window',
  'followup_1_cold',
  'followup_2_clicked_no_hq',
  'followup_3_hq_no_yes',
  'followup_4_hq_with_yes',
];
const SKIP_CODES = ['exclusion_window', 'year_round', 'frequency_cap', 'campaign_conflict'];
/** CONTRACT.md: "datetimes are UTC `YYYY-MM-DD HH:MM:SS` text". */
const UTC_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

interface Row {
  id: number;
  contact_id: number;
  email_type: string;
  event_year: number | null;
  event_month: number | null;
  event_day: number | null;
  scheduled_send_date: string;
  scheduled_send_time: string;
  status: string;
  skip_reason: string | null;
  email_template: string | null;
  sms_template: string | null;
  scheduler_run_id: string | null;
  metadata: string | null;
  created_at: string | null;
  updated_at: string | null;
}

describe('when a full run commits with send_time and templates configured', () => {
  const world = newWorld();
  const database = join(world.directory, 'acme.sqlite');
  let runId = '';
  let rows: Row[] = [];
  let campaignTypes: string[] = [];
  let typeOfRow = new Map<number, string>();

  beforeAll(async () => {
    seedOrganization(database, { contacts: 1_500, seed: 11, asOf: AS_OF });
    // birthday: both templates given; aep: only sms (its email defaults); the other types: neither.
    const config = configWith({
      send_time: '09:15',
      templates: { birthday: { email: 'birthday_v1', sms: null }, aep: { sms: 'aep_sms_v2' } },
    });
    const client = await connectClient(database, world.prefix, { config });
    try {
      runId = (await client.fullRun('acme', { asOf: AS_OF })).run_id;
    } finally {
      await client.close();
    }
    const db = openOrganizationDb(database, { readonly: true });
    try {
      rows = db.sqlite.prepare(`SELECT * FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped') ORDER BY id`).all() as Row[];
      campaignTypes = db.sqlite.prepare('SELECT name FROM campaign_types').pluck().all() as string[];
      typeOfRow = new Map(
        (db.sqlite.prepare('SELECT id, email_type FROM email_schedules').raw().all() as [number, string][]).map(([id, type]) => [id, type]),
      );
    } finally {
      db.close();
    }
  }, 120_000);
  afterAll(() => world.cleanup());

  const ofType = (type: string): Row[] => rows.filter((row) => row.email_type === type);

  it('writes every row of the run with the scheduled_send_time of send_time, as HH:MM:SS', () => {
    expect(rows.length).toBeGreaterThan(1_000);
    for (const row of rows) expect(row.scheduler_run_id).toBe(runId);
    expect([...new Set(rows.map((row) => row.scheduled_send_time))]).toEqual(['09:15:00']);
  });

  it('writes only the statuses pre-scheduled and skipped, and only the contract email types', () => {
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(['pre-scheduled', 'skipped']));
    const allowed = new Set([...FIXED_TYPES, ...campaignTypes.map((name) => `campaign_${name}`)]);
    expect(rows.filter((row) => !allowed.has(row.email_type)).map((row) => row.email_type)).toEqual([]);
  });

  it('gives every skipped row, and only those, a skip_reason of a contract code, ": " and words', () => {
    for (const row of rows) {
      if (row.status === 'pre-scheduled') {
        expect(row.skip_reason).toBeNull();
        continue;
      }
      const [code, words] = [row.skip_reason!.slice(0, row.skip_reason!.indexOf(': ')), row.skip_reason!.slice(row.skip_reason!.indexOf(': ') + 2)];
      expect(SKIP_CODES, row.skip_reason!).toContain(code);
      expect(words.trim().length, row.skip_reason!).toBeGreaterThan(0);
    }
    expect(rows.some((row) => row.status === 'skipped')).toBe(true);
  });

  it('takes a configured template, else the email_type for email and null for sms', () => {
    for (const [type, email, sms] of [
      ['birthday', 'birthday_v1', null],
      ['aep', 'aep', 'aep_sms_v2'],
      ['effective_date', 'effective_date', null],
      ['post_window', 'post_window', null],
    ] as const) {
      const written = ofType(type);
      expect(written.length, type).toBeGreaterThan(0);
      expect(new Set(written.map((row) => `${row.email_template}|${row.sms_template}`)), type).toEqual(new Set([`${email}|${sms}`]));
    }
  });

  it('writes a follow-up metadata JSON naming its initial email by id and type', () => {
    const followups = rows.filter((row) => row.email_type.startsWith('followup_'));
    expect(followups.length).toBeGreaterThan(0);
    for (const row of followups) {
      const metadata = JSON.parse(row.metadata ?? 'null') as { initial_email_id?: unknown; initial_email_type?: unknown };
      expect(Number.isSafeInteger(metadata.initial_email_id), row.metadata!).toBe(true);
      expect(metadata.initial_email_type, row.metadata!).toBe(typeOfRow.get(metadata.initial_email_id as number));
    }
  });

  it('writes event dates as integers and dates and datetimes in their contract formats', () => {
    for (const row of rows) {
      expect(row.scheduled_send_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(row.created_at).toMatch(UTC_DATETIME);
      expect(row.updated_at).toMatch(UTC_DATETIME);
      for (const part of [row.event_year, row.event_month, row.event_day]) expect(Number.isInteger(part)).toBe(true);
    }
  });
});

/**
 * CONTRACT.md: `campaign_instances(id INTEGER PRIMARY KEY ...)` — any SQLite
 * integer, as contact ids are — and RULES.md §7/§8: a campaign email's
 * `campaign_instance_id` comes from its instance, a follow-up's from its parent.
 */
describe('when campaign instances have negative ids', () => {
  const world = newWorld();
  const database = join(world.directory, 'negative.sqlite');
  let rows: { contact_id: number; email_type: string; campaign_instance_id: number | null; email_template: string | null; priority: number }[] = [];

  beforeAll(async () => {
    migrateOrganizationDb(database);
    const db = openOrganizationDb(database);
    try {
      db.sqlite.exec(`
        INSERT INTO contacts (id, email, zip_code, state) VALUES
          (1, 'one@example.com', '75001', 'TX'), (2, 'two@example.com', '75001', 'TX'), (3, 'three@example.com', '75001', 'TX');
        INSERT INTO campaign_types (name, priority) VALUES ('promo', 5), ('rates', 6);
        INSERT INTO campaign_instances (id, campaign_type, instance_name, email_template, sms_template) VALUES
          (-7, 'promo', 'winter', 'promo_email', 'promo_sms'), (-1, 'rates', 'spring', 'rates_email', NULL);
        INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date) VALUES (1, -7, '2026-12-10'), (2, -1, '2026-12-12');
        INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, campaign_instance_id, actual_send_datetime)
          VALUES (3, 'campaign_promo', '2026-11-20', 'sent', -7, '2026-11-20 15:00:00');
      `);
    } finally {
      db.close();
    }
    const client = await connectClient(database, world.prefix);
    try {
      await client.fullRun('negative', { asOf: AS_OF });
    } finally {
      await client.close();
    }
    const read = openOrganizationDb(database, { readonly: true });
    try {
      rows = read.sqlite
        .prepare(
          `SELECT contact_id, email_type, campaign_instance_id, email_template, priority FROM email_schedules
           WHERE status IN ('pre-scheduled', 'skipped') AND (email_type LIKE 'campaign_%' OR email_type LIKE 'followup_%') ORDER BY contact_id`,
        )
        .all() as typeof rows;
    } finally {
      read.close();
    }
  }, 120_000);
  afterAll(() => world.cleanup());

  it("writes each campaign email with its instance's id, -1 included", () => {
    expect(rows.filter((row) => row.email_type.startsWith('campaign_'))).toEqual([
      { contact_id: 1, email_type: 'campaign_promo', campaign_instance_id: -7, email_template: 'promo_email', priority: 5 },
      { contact_id: 2, email_type: 'campaign_rates', campaign_instance_id: -1, email_template: 'rates_email', priority: 6 },
    ]);
  });

  it("writes a campaign's follow-up with its parent's instance id and priority", () => {
    expect(rows.filter((row) => row.email_type.startsWith('followup_'))).toEqual([
      { contact_id: 3, email_type: 'followup_1_cold', campaign_instance_id: -7, email_template: 'followup_1_cold', priority: 5 },
    ]);
  });
});
