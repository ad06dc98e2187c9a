import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  backupOrganizationDb,
  completeRunCheckpoint,
  contactsChecksum,
  failRunCheckpoint,
  readInputGeneration,
  readRunCheckpoint,
  recordConfigVersion,
  replaceOrganizationSchedule,
  schedulesChecksum,
  startRunCheckpoint,
} from '../src';
import { freshOrganization, insertContacts, scheduleRow } from './support/organization-fixture';
import { useTempDirectory } from './support/temp-directory';

describe('checksums and checkpoints', () => {
  const directory = useTempDirectory();

  it('contacts checksum changes when any checked field changes, and only then', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2, 3]);
    const first = contactsChecksum(db);
    expect(contactsChecksum(db)).toBe(first);
    db.sqlite.exec(`UPDATE contacts SET phone_number = '555' WHERE id = 2`);
    expect(contactsChecksum(db)).toBe(first);
    db.sqlite.exec(`UPDATE contacts SET zip_code = '10001' WHERE id = 2`);
    expect(contactsChecksum(db)).not.toBe(first);
    db.sqlite.exec(`UPDATE contacts SET zip_code = '90210', birth_date = NULL WHERE id = 2`);
    expect(contactsChecksum(db)).not.toBe(first);
    db.close();
  });

  it('schedules checksum covers only scheduler rows and changes with them', () => {
    const db = freshOrganization(directory());
    const empty = schedulesChecksum(db);
    replaceOrganizationSchedule(db, 'run-1', [scheduleRow(1, 'aep', '2026-09-15'), scheduleRow(2, 'aep', '2026-09-15')]);
    const one = schedulesChecksum(db);
    expect(one).not.toBe(empty);
    db.sqlite.exec(`INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES (3, 'aep', '2026-09-15', 'sent')`);
    expect(schedulesChecksum(db)).toBe(one);
    db.sqlite.exec(`UPDATE email_schedules SET skip_reason = 'x' WHERE contact_id = 1`);
    expect(schedulesChecksum(db)).not.toBe(one);
    db.close();
  });

  it('record a run from started to completed, or to failed', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2]);
    const started = startRunCheckpoint(db, { runId: 'run-1', runAt: new Date('2026-03-01T06:00:00Z') });
    expect(started).toMatchObject({ status: 'started', runTimestamp: '2026-03-01 06:00:00', contactsChecksum: contactsChecksum(db) });
    expect(started.schedulesBeforeChecksum).toBe(schedulesChecksum(db));
    const summary = replaceOrganizationSchedule(db, 'run-1', [scheduleRow(1, 'aep', '2026-09-15')]);
    completeRunCheckpoint(db, 'run-1', {
      contactsProcessed: 2,
      emailsScheduled: 1,
      emailsSkipped: 0,
      schedulesAfterChecksum: summary.schedulesChecksum,
      completedAt: new Date('2026-03-01T06:01:00Z'),
    });
    const completed = readRunCheckpoint(db, 'run-1')!;
    expect(completed).toMatchObject({ status: 'completed', contactsProcessed: 2, emailsScheduled: 1, emailsSkipped: 0, completedAt: '2026-03-01 06:01:00' });
    expect(completed.schedulesAfterChecksum).toBe(schedulesChecksum(db));
    expect(completed.schedulesAfterChecksum).not.toBe(completed.schedulesBeforeChecksum);

    startRunCheckpoint(db, { runId: 'run-2' });
    failRunCheckpoint(db, 'run-2', 'worker lost');
    expect(readRunCheckpoint(db, 'run-2')).toMatchObject({ status: 'failed', errorMessage: 'worker lost' });
    // A job of the run left in the queue fails later, for want of the run: why the run failed stays the first error.
    failRunCheckpoint(db, 'run-2', 'run-2 was never planned');
    expect(readRunCheckpoint(db, 'run-2')).toMatchObject({ status: 'failed', errorMessage: 'worker lost' });
    // A retry of the same run id starts afresh.
    expect(startRunCheckpoint(db, { runId: 'run-2' })).toMatchObject({ status: 'started', errorMessage: null });
    db.close();
  });
});

describe('the input generation', () => {
  const directory = useTempDirectory();

  // One change of each kind to every table a run reads, as the main application and the sender make them.
  const changes: readonly (readonly [string, string])[] = [
    ['a contact added', `INSERT INTO contacts (id, email, zip_code) VALUES (9, 'n@example.com', '75001')`],
    ['a contact changed', `UPDATE contacts SET birth_date = '1980-05-05' WHERE id = 1`],
    ['a contact removed', `DELETE FROM contacts WHERE id = 9`],
    ['a campaign type added', `INSERT INTO campaign_types (name) VALUES ('renewal')`],
    ['a campaign type changed', `UPDATE campaign_types SET priority = 5 WHERE name = 'renewal'`],
    ['a campaign instance added', `INSERT INTO campaign_instances (id, campaign_type, instance_name) VALUES (1, 'renewal', 'spring')`],
    ['a campaign instance changed', `UPDATE campaign_instances SET active_end_date = '2027-01-01' WHERE id = 1`],
    ['a target added', `INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date) VALUES (1, 1, '2026-12-01')`],
    ['a target changed', `UPDATE contact_campaigns SET status = 'scheduled'`],
    ['a target removed', `DELETE FROM contact_campaigns`],
    ['a campaign instance removed', `DELETE FROM campaign_instances WHERE id = 1`],
    ['a campaign type removed', `DELETE FROM campaign_types WHERE name = 'renewal'`],
    ['a click', `INSERT INTO tracking_clicks (contact_id, clicked_at) VALUES (1, '2026-11-20 10:00:00')`],
    ['a click changed', `UPDATE tracking_clicks SET clicked_at = '2026-11-21 10:00:00'`],
    ['a click removed', `DELETE FROM tracking_clicks`],
    ['an event', `INSERT INTO contact_events (contact_id, event_type, created_at) VALUES (1, 'eligibility_answered', '2026-11-20 10:00:00')`],
    ['an event changed', `UPDATE contact_events SET metadata = '{"has_medical_conditions":true}'`],
    ['an event removed', `DELETE FROM contact_events`],
    ['a campaign change logged', `INSERT INTO campaign_change_log (campaign_instance_id, field_changed, changed_at) VALUES (1, 'active_end_date', '2026-11-20 10:00:00')`],
    ['a row the sender sent', `UPDATE email_schedules SET status = 'sent', actual_send_datetime = '2026-11-20 14:00:00' WHERE contact_id = 2`],
    ['a row the sender added', `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES (2, 'birthday', '2026-01-01', 'delivered')`],
    ['a row the sender removed', `DELETE FROM email_schedules WHERE status = 'delivered'`],
  ];

  it('moves with every change to what a run reads, and not with a full run writing its schedule', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2]);
    let generation = readInputGeneration(db);
    expect(generation).not.toBeNull();
    replaceOrganizationSchedule(db, 'run-1', [scheduleRow(1, 'aep', '2026-09-15'), scheduleRow(2, 'aep', '2026-09-15')]);
    expect(readInputGeneration(db)).toBe(generation);
    for (const [change, statement] of changes) {
      db.sqlite.exec(statement);
      const after = readInputGeneration(db);
      expect(after, change).toBeGreaterThan(generation!);
      generation = after;
    }
    replaceOrganizationSchedule(db, 'run-2', [scheduleRow(1, 'aep', '2027-09-15')]);
    expect(readInputGeneration(db)).toBe(generation);
    expect(startRunCheckpoint(db, { runId: 'run-3' }).inputGeneration).toBe(generation);
    db.close();
  });

  it('is not known once one of its triggers is gone', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec('DROP TRIGGER scheduler_inputs_contact_events_insert');
    expect(readInputGeneration(db)).toBeNull();
    db.close();
  });
});

describe('recordConfigVersion', () => {
  const directory = useTempDirectory();

  it('adds a version only when the configuration differs, closing the previous one', () => {
    const db = freshOrganization(directory());
    const first = recordConfigVersion(db, { timezone: 'America/Chicago', batch_size: 10 }, { at: new Date('2026-01-01T00:00:00Z') });
    const same = recordConfigVersion(db, { batch_size: 10, timezone: 'America/Chicago' }, { at: new Date('2026-01-02T00:00:00Z') });
    expect(same).toEqual({ id: first.id, created: false });
    const next = recordConfigVersion(db, { timezone: 'America/Chicago', batch_size: 20 }, { at: new Date('2026-01-03T00:00:00Z') });
    expect(next.created).toBe(true);
    expect(db.sqlite.prepare('SELECT config_type, valid_from, valid_to FROM config_versions ORDER BY id').all()).toEqual([
      { config_type: 'scheduler', valid_from: '2026-01-01 00:00:00', valid_to: '2026-01-03 00:00:00' },
      { config_type: 'scheduler', valid_from: '2026-01-03 00:00:00', valid_to: null },
    ]);
    db.close();
  });
});

describe('backupOrganizationDb', () => {
  const directory = useTempDirectory();

  it('writes a verified copy and deletes copies older than the days kept', async () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2, 3]);
    const backups = join(directory(), 'backups');
    const old = await backupOrganizationDb(db, { now: new Date('2026-03-01T00:00:00Z') });
    expect(old.path.startsWith(backups)).toBe(true);
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    utimesSync(old.path, tenDaysAgo, tenDaysAgo);
    const recent = await backupOrganizationDb(db, { now: new Date('2026-03-09T00:00:00Z') });
    const fresh = await backupOrganizationDb(db, { keepDays: 7 });
    expect(fresh.pruned).toEqual([old.path]);
    expect(existsSync(old.path)).toBe(false);
    expect(readdirSync(backups).sort()).toEqual([recent.path, fresh.path].map((path) => path.slice(backups.length + 1)).sort());
    const copy = new Database(fresh.path, { readonly: true });
    expect(copy.prepare('SELECT count(*) FROM contacts').pluck().get()).toBe(3);
    expect(copy.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    copy.close();
    db.close();
  });

  it('writes copies taken in the same second to files of their own', async () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2, 3]);
    const now = new Date('2026-03-09T00:00:00Z');
    const copies = await Promise.all([backupOrganizationDb(db, { now }), backupOrganizationDb(db, { now })]);
    expect(new Set(copies.map((copy) => copy.path)).size).toBe(2);
    for (const copy of copies) {
      const opened = new Database(copy.path, { readonly: true });
      expect(opened.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
      opened.close();
    }
    db.close();
  });

  it('deletes, a day later, the partial copies of backups killed part-way, which are never named as copies', async () => {
    const db = freshOrganization(directory());
    const backups = join(directory(), 'backups');
    const base = basename(db.path, extname(db.path));
    mkdirSync(backups, { recursive: true });
    const killed = join(backups, `${base}.20260301T000000Z.0badc0de.sqlite.partial`);
    const killedJournal = `${killed}-journal`;
    const inProgress = join(backups, `${base}.20260309T000000Z.5eed5eed.sqlite.partial`);
    for (const path of [killed, killedJournal, inProgress]) writeFileSync(path, 'part of a copy');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(killed, twoDaysAgo, twoDaysAgo);

    const result = await backupOrganizationDb(db);
    expect(result.pruned).toEqual([killed]);
    expect(readdirSync(backups).sort()).toEqual([basename(result.path), basename(inProgress)].sort());
    expect(result.path.endsWith('.sqlite')).toBe(true);
    db.close();
  });

  it('puts copies where it is told', async () => {
    const db = freshOrganization(directory());
    const elsewhere = join(directory(), 'elsewhere');
    const result = await backupOrganizationDb(db, { directory: elsewhere });
    expect(result.path.startsWith(elsewhere)).toBe(true);
    expect(result.bytes).toBeGreaterThan(0);
    db.close();
  });
});
