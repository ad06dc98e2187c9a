import { join } from 'node:path';
import { contactUsability, parseIsoDate, type ContactRecord } from '@scheduler/core';
import { zipToState } from '@scheduler/zip-states';
import { describe, expect, it } from 'vitest';
import {
  contactsChecksum,
  openOrganizationDb,
  readCampaignInstances,
  readCampaignTypes,
  readContacts,
  readPendingCampaignChanges,
  seedOrganization,
  SeedError,
  type OrganizationDb,
} from '../src';
import { useTempDirectory } from './support/temp-directory';

const AS_OF = '2026-03-15';

/** Every table's rows, hashed: two seeds agree only if every table does. */
const fingerprint = (db: OrganizationDb): string[] =>
  ['email_schedules', 'tracking_clicks', 'contact_events', 'contact_campaigns', 'campaign_types', 'campaign_instances', 'campaign_change_log'].map(
    (table) => `${table}:${JSON.stringify(db.sqlite.prepare(`SELECT * FROM ${table} ORDER BY rowid`).raw().all())}`,
  );

describe('seedOrganization', () => {
  const directory = useTempDirectory();

  it('makes the same organization twice from one seed and day, and another from another seed', () => {
    const paths = ['a', 'b', 'c'].map((name) => join(directory(), `${name}.sqlite`));
    seedOrganization(paths[0]!, { contacts: 3000, seed: 7, asOf: AS_OF });
    seedOrganization(paths[1]!, { contacts: 3000, seed: 7, asOf: AS_OF });
    seedOrganization(paths[2]!, { contacts: 3000, seed: 8, asOf: AS_OF });
    const [a, b, c] = paths.map((path) => openOrganizationDb(path, { readonly: true }));
    expect(contactsChecksum(a!)).toBe(contactsChecksum(b!));
    expect(fingerprint(a!)).toEqual(fingerprint(b!));
    expect(contactsChecksum(a!)).not.toBe(contactsChecksum(c!));
    for (const db of [a, b, c]) db!.close();
  });

  it('holds every kind of bad row, leap-day birthdays, odd ZIP forms, and realistic campaigns and history', () => {
    const path = join(directory(), 'org.sqlite');
    const progress: number[] = [];
    const summary = seedOrganization(path, { contacts: 20_000, seed: 3, asOf: AS_OF, onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(20_000);
    const db = openOrganizationDb(path, { readonly: true });
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    const contacts = readContacts(db, { fromId: 1, toId: 20_000 });
    expect(contacts).toHaveLength(20_000);

    const reasons = new Map<string, number>();
    const states = new Set<string>();
    const today = parseIsoDate(AS_OF)!;
    const count = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const badDate = (text: string | null, latest: number) => text !== null && text.trim() !== '' && ((parseIsoDate(text) ?? Infinity) > latest);
    for (const contact of contacts as ContactRecord[]) {
      const usability = contactUsability(contact, zipToState);
      if (!usability.usable) {
        count(usability.reason);
        continue;
      }
      states.add(usability.state);
      if (badDate(contact.birthDate, today)) count('invalid_birth_date');
      if (badDate(contact.effectiveDate, Number.MAX_SAFE_INTEGER)) count('invalid_effective_date');
      if (contact.birthDate?.endsWith('-02-29')) count('leap_day_birthday');
      if (/^\d{4}$/.test(contact.zipCode!)) count('four_digit_zip');
      if (/^\d{5}-?\d{4}$/.test(contact.zipCode!)) count('zip_plus_four');
      if (usability.stateDisagrees) count('state_disagrees');
      if (contact.effectiveDate?.endsWith('-01')) count('effective_on_the_first');
    }
    for (const kind of ['missing_email', 'invalid_email', 'missing_zip', 'unknown_zip', 'invalid_birth_date', 'invalid_effective_date', 'leap_day_birthday', 'four_digit_zip', 'zip_plus_four', 'state_disagrees']) {
      expect(reasons.get(kind) ?? 0, kind).toBeGreaterThan(0);
    }
    expect(reasons.get('effective_on_the_first')! / contacts.length).toBeGreaterThan(0.7);
    expect(states.size).toBeGreaterThan(50);
    expect([...states]).toEqual(expect.arrayContaining(['CA', 'FL', 'DC', 'PR', 'WY']));

    const types = readCampaignTypes(db);
    expect(types.some((type) => !type.respectExclusionWindows)).toBe(true);
    expect(types.some((type) => type.targetAllContacts)).toBe(true);
    expect(types.some((type) => !type.enableFollowups)).toBe(true);
    expect(types.some((type) => !type.active)).toBe(true);
    const instances = readCampaignInstances(db);
    expect(instances.some((instance) => instance.activeEndDate !== null && instance.activeEndDate < AS_OF)).toBe(true);
    expect(instances.some((instance) => (instance.activeStartDate ?? '') <= AS_OF && (instance.activeEndDate ?? '9999') >= AS_OF)).toBe(true);
    expect(readPendingCampaignChanges(db).length).toBeGreaterThan(0);

    const statuses = db.sqlite.prepare('SELECT DISTINCT status FROM email_schedules ORDER BY status').pluck().all();
    expect(statuses).toEqual(expect.arrayContaining(['delivered', 'failed', 'scheduled', 'sent']));
    expect(db.sqlite.prepare(`SELECT count(*) FROM email_schedules WHERE status IN ('sent', 'delivered') AND actual_send_datetime IS NULL`).pluck().get()).toBe(0);
    expect(db.sqlite.prepare(`SELECT count(*) FROM contact_campaigns WHERE trigger_date IS NULL`).pluck().get()).toBeGreaterThan(0);
    expect(db.sqlite.prepare(`SELECT count(*) FROM contact_events WHERE event_type = 'eligibility_answered'`).pluck().get()).toBeGreaterThan(0);
    expect(summary.trackingClicks).toBe(db.sqlite.prepare('SELECT count(*) FROM tracking_clicks').pluck().get());
    expect(db.sqlite.prepare(`SELECT count(*) FROM email_schedules WHERE email_type LIKE 'followup_%' AND json_extract(metadata, '$.initial_email_id') IS NOT NULL`).pluck().get()).toBeGreaterThan(0);
    db.close();
  });

  it('refuses a file that already holds contacts', () => {
    const path = join(directory(), 'org.sqlite');
    seedOrganization(path, { contacts: 10, seed: 1, asOf: AS_OF });
    expect(() => seedOrganization(path, { contacts: 10, seed: 1, asOf: AS_OF })).toThrow(SeedError);
  });

  it('refuses, naming why, a file seeded with no contacts: its campaign types are there', () => {
    const path = join(directory(), 'org.sqlite');
    seedOrganization(path, { contacts: 0, seed: 1, asOf: AS_OF });
    expect(() => seedOrganization(path, { contacts: 10, seed: 1, asOf: AS_OF })).toThrow(/already holds contacts, schedules or campaign types; seed only a new file/);
  });
});
