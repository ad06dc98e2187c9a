/**
 * Conformance of the published interfaces to CONTRACT.md (../shared/spec):
 * the configuration's names and defaults, the organization database's
 * columns, and the job payloads other services enqueue. The CONTRACT text is
 * copied here (not read from ../shared) so that the test runs anywhere.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { loadConfigFile } from '../src/index';
import { migrateOrganizationDb, openOrganizationDb, type OrganizationDb } from '../../db/src/index';
import {
  FullRunJobSchema,
  MalformedJobError,
  QUEUE_NAMES,
  REQUEST_JOB_NAMES,
  RescheduleCampaignJobSchema,
  RescheduleContactsJobSchema,
  jsonSchemaFiles,
  parseJobData,
} from '../../queue/src/index';
import { refusalOf, useConfigFolder } from './support/config-files';

// One folder for the whole file: the database tests below open a file in it across their tests.
const { fileWith, pathOf } = useConfigFolder('contract-conformance-', 'all');

// CONTRACT.md §Configuration, the block of names and defaults, verbatim but for
// `state_rules`, which it gives as an example rather than the default.
const CONTRACT_DEFAULTS_YAML = `
timezone: America/Chicago
send_time: "08:30"
batch_size: 10000            # contacts per chunk job
timing:
  birthday_email_days_before: 14
  effective_date_days_before: 30
  pre_window_exclusion_days: 60
  followup_delay_days: 2
  followup_lookback_days: 35
aep:
  dates: [{ month: 9, day: 15 }]
  years: null                # null = every year
frequency:
  max_emails_per_period: 3
  period_days: 30
load_balancing:
  daily_send_percentage_cap: 0.07
  ed_daily_soft_limit: 15
  ed_smoothing_window_days: 5
  catch_up_spread_days: 7
  overage_threshold: 1.2
priorities: { birthday: 10, effective_date: 20, aep: 30, post_window: 40, followup: 50 }
templates:                   # template names for non-campaign emails; per type, a missing email = the email_type, a missing sms = null
  birthday: { email: birthday_v1, sms: null }
`;

// The same block's example.
const CONTRACT_EXAMPLES_YAML = `
state_rules:                 # replaces the whole default table (RULES.md §5) when given; an example:
  CA: { kind: birthday_window, before: 30, after: 60 }
  NV: { kind: birthday_window, before: 0, after: 60, use_month_start: true }
  MO: { kind: effective_date_window, before: 30, after: 33 }
  NY: { kind: year_round }
`;

describe('CONTRACT.md §Configuration', () => {
  it("has CONTRACT's names and defaults: its block, given in full, changes nothing", () => {
    expect(loadConfigFile(fileWith('contract-defaults.yaml', CONTRACT_DEFAULTS_YAML))).toEqual(defaultConfig());
  });

  it('makes every key optional', () => {
    expect(loadConfigFile(fileWith('empty.json', '{}'))).toEqual(defaultConfig());
  });

  it('has the birthday template of its block by default, and a templates table given replaces it whole', () => {
    expect(defaultConfig().templates).toEqual({ birthday: { email: 'birthday_v1', sms: null } });
    expect(loadConfigFile(fileWith('aep-template.yaml', 'templates:\n  aep: { sms: aep_sms }\n')).templates).toEqual({ aep: { sms: 'aep_sms' } });
  });

  it("accepts CONTRACT's example: state_rules replacing the whole table", () => {
    const config = loadConfigFile(fileWith('contract-examples.yaml', CONTRACT_DEFAULTS_YAML + CONTRACT_EXAMPLES_YAML));
    expect(Object.keys(config.state_rules).sort()).toEqual(['CA', 'MO', 'NV', 'NY']);
    expect(config.state_rules.NV).toMatchObject({ kind: 'birthday_window', before: 0, after: 60, use_month_start: true });
    expect(config.state_rules.MO).toMatchObject({ kind: 'effective_date_window', before: 30, after: 33 });
  });

  it('reads the same configuration from JSON as from YAML', () => {
    const fromYaml = loadConfigFile(fileWith('same.yaml', 'timing:\n  followup_delay_days: 3\naep:\n  years: [2027]\n'));
    const fromJson = loadConfigFile(fileWith('same.json', '{"timing":{"followup_delay_days":3},"aep":{"years":[2027]}}'));
    expect(fromJson).toEqual(fromYaml);
    expect(fromJson.timing.followup_delay_days).toBe(3);
  });

  it.each([
    ['top level', 'bogus: 1\n', 'bogus'],
    ['timing', 'timing:\n  followup_delay: 2\n', 'timing.followup_delay'],
    ['load_balancing', 'load_balancing:\n  daily_cap: 0.1\n', 'load_balancing.daily_cap'],
    ['priorities', 'priorities: { campaign: 5 }\n', 'priorities.campaign'],
    ['a state rule', 'state_rules:\n  CA: { kind: birthday_window, before: 30, after: 60, around: 1 }\n', 'state_rules.CA.around'],
  ])('refuses an unknown key (%s), naming it', (_where, text, key) => {
    expect(refusalOf(fileWith('unknown.yaml', text)).message).toContain(key);
  });

  it.each([
    ['send_time: "8.30"\n', 'send_time'],
    ['batch_size: 0\n', 'batch_size'],
    ['frequency:\n  period_days: -1\n', 'frequency.period_days'],
    ['load_balancing:\n  daily_send_percentage_cap: "7%"\n', 'load_balancing.daily_send_percentage_cap'],
  ])('refuses a bad value (%j), naming its key', (text, key) => {
    const refusal = refusalOf(fileWith('bad.yaml', text));
    expect(refusal.keys).toContain(key);
    expect(refusal.message).toContain(key);
  });
});

// CONTRACT.md §The organization database: [column, declared type ('' when
// CONTRACT gives none), NOT NULL, primary key].
type Column = readonly [string, string, boolean, boolean];
const CONTRACT_TABLES: Record<string, readonly Column[]> = {
  contacts: [
    ['id', 'INTEGER', false, true],
    ['email', 'TEXT', false, false],
    ['zip_code', 'TEXT', false, false],
    ['state', 'TEXT', false, false],
    ['birth_date', 'TEXT', false, false],
    ['effective_date', 'TEXT', false, false],
    ['phone_number', 'TEXT', false, false],
  ],
  campaign_types: [
    ['name', 'TEXT', false, true],
    ['respect_exclusion_windows', 'BOOLEAN', false, false],
    ['enable_followups', 'BOOLEAN', false, false],
    ['days_before_event', 'INTEGER', false, false],
    ['target_all_contacts', 'BOOLEAN', false, false],
    ['priority', 'INTEGER', false, false],
    ['active', 'BOOLEAN', false, false],
    ['created_at', '', false, false],
    ['updated_at', '', false, false],
  ],
  campaign_instances: [
    ['id', 'INTEGER', false, true],
    ['campaign_type', 'TEXT', true, false],
    ['instance_name', 'TEXT', true, false],
    ['email_template', 'TEXT', false, false],
    ['sms_template', 'TEXT', false, false],
    ['active_start_date', 'TEXT', false, false],
    ['active_end_date', 'TEXT', false, false],
    ['metadata', 'TEXT', false, false],
    ['created_at', '', false, false],
    ['updated_at', '', false, false],
  ],
  contact_campaigns: [
    ['id', 'INTEGER', false, true],
    ['contact_id', 'INTEGER', true, false],
    ['campaign_instance_id', 'INTEGER', true, false],
    ['trigger_date', 'TEXT', false, false],
    ['status', 'TEXT', false, false],
    ['metadata', 'TEXT', false, false],
    ['created_at', '', false, false],
    ['updated_at', '', false, false],
  ],
  campaign_change_log: [
    ['id', 'INTEGER', false, true],
    ['campaign_instance_id', 'INTEGER', true, false],
    ['field_changed', 'TEXT', true, false],
    ['old_value', 'TEXT', false, false],
    ['new_value', 'TEXT', false, false],
    ['changed_at', 'TEXT', true, false],
    ['changed_by', 'TEXT', false, false],
    ['requires_rescheduling', 'BOOLEAN', false, false],
    ['processed_at', 'TEXT', false, false],
  ],
  email_schedules: [
    ['id', 'INTEGER', false, true],
    ['contact_id', 'INTEGER', true, false],
    ['email_type', 'TEXT', true, false],
    ['event_year', 'INTEGER', false, false],
    ['event_month', 'INTEGER', false, false],
    ['event_day', 'INTEGER', false, false],
    ['scheduled_send_date', 'TEXT', true, false],
    ['scheduled_send_time', 'TEXT', false, false],
    ['status', 'TEXT', true, false],
    ['skip_reason', 'TEXT', false, false],
    ['priority', 'INTEGER', false, false],
    ['campaign_instance_id', 'INTEGER', false, false],
    ['email_template', 'TEXT', false, false],
    ['sms_template', 'TEXT', false, false],
    ['scheduler_run_id', 'TEXT', false, false],
    ['metadata', 'TEXT', false, false],
    ['created_at', 'TEXT', false, false],
    ['updated_at', 'TEXT', false, false],
    ['actual_send_datetime', 'TEXT', false, false],
  ],
  scheduler_checkpoints: [
    ['id', 'INTEGER', false, true],
    ['run_timestamp', 'TEXT', true, false],
    ['scheduler_run_id', 'TEXT', true, false],
    ['contacts_checksum', 'TEXT', true, false],
    ['schedules_before_checksum', 'TEXT', false, false],
    ['schedules_after_checksum', 'TEXT', false, false],
    ['contacts_processed', 'INTEGER', false, false],
    ['emails_scheduled', 'INTEGER', false, false],
    ['emails_skipped', 'INTEGER', false, false],
    ['status', 'TEXT', true, false],
    ['error_message', 'TEXT', false, false],
    ['completed_at', 'TEXT', false, false],
  ],
  config_versions: [
    ['id', 'INTEGER', false, true],
    ['config_type', 'TEXT', true, false],
    ['config_data', 'TEXT', true, false],
    ['valid_from', 'TEXT', true, false],
    ['valid_to', 'TEXT', false, false],
    ['created_at', 'TEXT', true, false],
    ['created_by', 'TEXT', false, false],
  ],
  tracking_clicks: [
    ['id', 'INTEGER', false, true],
    ['contact_id', 'INTEGER', true, false],
    ['email_schedule_id', 'INTEGER', false, false],
    ['clicked_at', 'TEXT', true, false],
  ],
  contact_events: [
    ['id', 'INTEGER', false, true],
    ['contact_id', 'INTEGER', true, false],
    ['event_type', 'TEXT', true, false],
    ['created_at', 'TEXT', true, false],
    ['metadata', 'TEXT', false, false],
  ],
};

// CONTRACT's UNIQUE constraints (a PRIMARY KEY aside).
const CONTRACT_UNIQUE: Record<string, readonly string[]> = {
  campaign_instances: ['campaign_type', 'instance_name'],
  contact_campaigns: ['contact_id', 'campaign_instance_id', 'trigger_date'],
  email_schedules: ['contact_id', 'email_type', 'scheduled_send_date'],
  scheduler_checkpoints: ['scheduler_run_id'],
};

describe('CONTRACT.md §The organization database, as a fresh file is created', () => {
  let db: OrganizationDb;

  beforeAll(() => {
    const path = pathOf('fresh.sqlite');
    migrateOrganizationDb(path);
    db = openOrganizationDb(path);
  });

  afterAll(() => db.close());

  it('is in WAL mode', () => {
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it.each(Object.entries(CONTRACT_TABLES))('%s has the contract columns, types, NOT NULL and primary key', (table, columns) => {
    const actual = db.sqlite
      .prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`)
      .all(table) as { name: string; type: string; notnull: number; pk: number }[];
    const byName = new Map(actual.map((column) => [column.name, column]));
    for (const [name, type, notNull, primaryKey] of columns) {
      const column = byName.get(name);
      expect(column, `${table}.${name}`).toBeDefined();
      if (type !== '') expect(column!.type.toUpperCase(), `${table}.${name} type`).toBe(type);
      // An INTEGER PRIMARY KEY is never null, whatever the declaration says.
      if (!primaryKey) expect(column!.notnull === 1, `${table}.${name} NOT NULL`).toBe(notNull);
      expect(column!.pk > 0, `${table}.${name} primary key`).toBe(primaryKey);
    }
  });

  it.each(Object.entries(CONTRACT_UNIQUE))('%s has UNIQUE(%s)', (table, columns) => {
    const uniqueIndexes = (db.sqlite.prepare(`SELECT name FROM pragma_index_list(?) WHERE "unique" = 1 AND partial = 0`).pluck().all(table) as string[]).map(
      (name) => db.sqlite.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).pluck().all(name) as string[],
    );
    expect(uniqueIndexes.map((indexColumns) => [...indexColumns].sort())).toContainEqual([...columns].sort());
  });

  it("fills CONTRACT's defaults into a row that gives only the required columns", () => {
    db.sqlite.exec(`
      INSERT INTO campaign_types (name) VALUES ('conformance');
      INSERT INTO contact_campaigns (contact_id, campaign_instance_id) VALUES (1, 1);
      INSERT INTO campaign_change_log (campaign_instance_id, field_changed, changed_at) VALUES (1, 'x', '2026-01-01 00:00:00');
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date) VALUES (1, 'birthday', '2026-01-01');
    `);
    expect(db.sqlite.prepare(`SELECT respect_exclusion_windows, enable_followups, days_before_event, target_all_contacts, priority, active FROM campaign_types`).get()).toEqual({
      respect_exclusion_windows: 1,
      enable_followups: 1,
      days_before_event: 0,
      target_all_contacts: 0,
      priority: 10,
      active: 1,
    });
    expect(db.sqlite.prepare(`SELECT status FROM contact_campaigns`).get()).toEqual({ status: 'pending' });
    expect(db.sqlite.prepare(`SELECT requires_rescheduling FROM campaign_change_log`).get()).toEqual({ requires_rescheduling: 1 });
    expect(db.sqlite.prepare(`SELECT scheduled_send_time, status, priority FROM email_schedules`).get()).toEqual({
      scheduled_send_time: '08:30:00',
      status: 'pre-scheduled',
      priority: 10,
    });
  });
});

describe('CONTRACT.md §Jobs other services enqueue', () => {
  it('names the queue and the two reschedule jobs as the README tells other services', () => {
    expect(QUEUE_NAMES.requests).toBe('scheduler-requests');
    expect(REQUEST_JOB_NAMES.rescheduleContacts).toBe('reschedule-contacts');
    expect(REQUEST_JOB_NAMES.rescheduleCampaign).toBe('reschedule-campaign');
  });

  it('publishes JSON Schema files that are what the zod schemas generate (not stale)', () => {
    for (const [file, text] of jsonSchemaFiles()) {
      expect(readFileSync(new URL(`../../queue/schemas/${file}`, import.meta.url), 'utf8'), file).toBe(text);
    }
  });

  it('requires an organization and a list of contact ids, or an organization and an instance id', () => {
    const published = (name: string): { required: string[]; properties: Record<string, { type: string; items?: { type: string } }> } =>
      JSON.parse(readFileSync(new URL(`../../queue/schemas/${name}.schema.json`, import.meta.url), 'utf8'));
    const contacts = published('reschedule-contacts');
    expect([...contacts.required].sort()).toEqual(['contactIds', 'organization']);
    expect(contacts.properties.organization!.type).toBe('string');
    expect(contacts.properties.contactIds).toMatchObject({ type: 'array', items: { type: 'integer' } });
    const campaign = published('reschedule-campaign');
    expect([...campaign.required].sort()).toEqual(['campaignInstanceId', 'organization']);
    expect(campaign.properties.campaignInstanceId!.type).toBe('integer');
  });

  // A service in another language validates with the JSON Schema file: a payload it lets through must not be one
  // the worker's zod schema then refuses. asOf's calendar check has to be in the file too, not only in zod.
  it.each(['2026-11-28', '2024-02-29', '2026-02-30', '2025-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '9979-12-31', '9980-01-01'])(
    'gives asOf %s the same verdict in every published JSON Schema as in its zod schema',
    (asOf) => {
      const payloads: Record<string, Record<string, unknown>> = {
        'reschedule-contacts': { organization: 'acme', contactIds: [17], asOf },
        'reschedule-campaign': { organization: 'acme', campaignInstanceId: 7, asOf },
        'full-run': { organization: 'acme', asOf },
      };
      const zodSchemas = { 'reschedule-contacts': RescheduleContactsJobSchema, 'reschedule-campaign': RescheduleCampaignJobSchema, 'full-run': FullRunJobSchema };
      for (const [name, payload] of Object.entries(payloads)) {
        const published = JSON.parse(readFileSync(new URL(`../../queue/schemas/${name}.schema.json`, import.meta.url), 'utf8')) as {
          properties: { asOf: { type: string; pattern?: string; allOf?: { pattern: string }[] } };
        };
        const { type, pattern, allOf = [] } = published.properties.asOf;
        const patterns = [...(pattern === undefined ? [] : [pattern]), ...allOf.map((part) => part.pattern)];
        expect(patterns.length, name).toBeGreaterThan(0);
        const byJsonSchema = typeof asOf === type && patterns.every((part) => new RegExp(part, 'u').test(asOf));
        const byZod = zodSchemas[name as keyof typeof zodSchemas].safeParse(payload).success;
        expect(byJsonSchema, `${name}: JSON Schema vs zod`).toBe(byZod);
      }
    },
  );

  // A service validating with the file must refuse the empty list the worker refuses, and let through one id.
  it.each([[[]], [[17]], [[17, 42]]])('gives contactIds %j the same verdict in the published JSON Schema as in the zod schema', (contactIds) => {
    const published = JSON.parse(readFileSync(new URL('../../queue/schemas/reschedule-contacts.schema.json', import.meta.url), 'utf8')) as {
      properties: { contactIds: { type: string; minItems?: number; maxItems?: number } };
    };
    const { type, minItems = 0, maxItems = Infinity } = published.properties.contactIds;
    expect(type).toBe('array');
    const byJsonSchema = contactIds.length >= minItems && contactIds.length <= maxItems;
    const byZod = RescheduleContactsJobSchema.safeParse({ organization: 'acme', contactIds }).success;
    expect(byJsonSchema, 'JSON Schema vs zod').toBe(byZod);
    expect(byZod).toBe(contactIds.length > 0);
  });

  it("accepts the README's example payloads", () => {
    expect(parseJobData(RescheduleContactsJobSchema, { organization: 'acme', contactIds: [17, 42] }, 'reschedule-contacts')).toEqual({
      organization: 'acme',
      contactIds: [17, 42],
    });
    expect(parseJobData(RescheduleCampaignJobSchema, { organization: 'acme', campaignInstanceId: 7 }, 'reschedule-campaign')).toEqual({
      organization: 'acme',
      campaignInstanceId: 7,
    });
  });

  it.each([
    [{ organization: 'acme', contactIds: ['17'] }, 'contactIds'],
    [{ organization: 'acme', contact_ids: [17] }, 'contact_ids'],
    [{ organization: '../acme', contactIds: [17] }, 'organization'],
    // CONTRACT: "an organization and a list of contact ids"; an empty list reschedules nothing and is a caller's mistake.
    [{ organization: 'acme', contactIds: [] }, 'contactIds'],
  ])('fails a bad payload at once (no retries), naming the field: %j', (payload, field) => {
    let thrown: unknown;
    try {
      parseJobData(RescheduleContactsJobSchema, payload, 'reschedule-contacts');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MalformedJobError);
    expect((thrown as Error).message).toContain(field);
  });
});
