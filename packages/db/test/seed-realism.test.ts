import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isContractDatetime,
  isRealIsoDate,
  openPlain,
  REPO_ROOT,
  scheduler,
  schedulerCommandLine,
  tableNames,
  tableRows,
  todayInChicago,
  underTerminal,
} from './support/plain-sqlite';

/*
 * An independent, black-box audit of the README's promise for
 * `pnpm scheduler seed --db FILE --contacts N [--seed S]`: "a realistic
 * organization: states in proportion to the US 65+ population, ages 64–95,
 * effective dates clustered on the 1st of months, leap-day birthdays, a few
 * percent of bad rows of every kind RULES.md §2 counts, campaign types and
 * instances (with and without exclusion respect, target-all, follow-ups),
 * contact targets with trigger dates, send history, clicks and eligibility
 * events. Deterministic for a given seed. It shows progress on a terminal."
 *
 * The file is made by the CLI and read with plain SQL; the rules of §2 and the
 * ZIP data are applied here, from the `zipcodes` package's data itself.
 * seed.test.ts already checks, through the db package's readers, that every
 * bad kind and ZIP form occurs, >70 % effective dates on the 1st, >50 states,
 * the campaign switches and history statuses: this file checks proportions,
 * ages, references between tables, byte-identical determinism and the
 * terminal behaviour, which it does not.
 */

const AS_OF = '2026-11-28';
const CONTACTS = 20_000;

/**
 * People aged 65 and over by state, in thousands: written down for this test
 * from the 2020 Census (Demographic and Housing Characteristics), rounded to
 * about 2 %. Only the proportions matter.
 */
const US_65_PLUS_THOUSANDS: Record<string, number> = {
  CA: 5850, FL: 4640, TX: 3880, NY: 3390, PA: 2480, OH: 2060, IL: 2040, MI: 1780, NC: 1760, GA: 1580,
  NJ: 1480, VA: 1350, AZ: 1300, WA: 1270, MA: 1180, TN: 1150, IN: 1090, MO: 1060, WI: 1010, MD: 990, MN: 940,
  SC: 930, AL: 860, CO: 850, OR: 780, KY: 760, LA: 750, CT: 640, OK: 630, IA: 560, AR: 530,
  NV: 520, MS: 490, KS: 480, NM: 390, UT: 390, WV: 370, NE: 320, ID: 310, ME: 300, HI: 290,
  NH: 280, MT: 220, DE: 200, RI: 190, SD: 160, VT: 130, ND: 120, AK: 100, WY: 100, DC: 85,
};
const STATES_AND_DC = Object.keys(US_65_PLUS_THOUSANDS);

/** ZIP → state from the data set the engine ships (the `zipcodes` package), read here directly. */
const zipStates: Map<string, string> = (() => {
  const require = createRequire(join(REPO_ROOT, 'packages/zip-states/package.json'));
  const { codes } = require('zipcodes') as { codes: Record<string, { zip: string; state: string; country: string }> };
  const map = new Map<string, string>();
  for (const entry of Object.values(codes)) if (entry.country === 'US' && /^\d{5}$/.test(entry.zip)) map.set(entry.zip, entry.state);
  return map;
})();

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const blank = (text: string | null): boolean => text === null || text.trim() === '';

/** RULES.md §2's ZIP reading: NNNNN, NNNNN-NNNN, NNNNNNNNN, or 4 digits left-padded. */
const zip5Of = (zip: string): string | null => {
  if (/^\d{4}$/.test(zip)) return `0${zip}`;
  if (/^\d{5}$/.test(zip) || /^\d{5}-\d{4}$/.test(zip) || /^\d{9}$/.test(zip)) return zip.slice(0, 5);
  return null;
};

interface Contact {
  id: number;
  email: string | null;
  zip_code: string | null;
  state: string | null;
  birth_date: string | null;
  effective_date: string | null;
}

type Verdict = { usable: false; reason: 'missing_email' | 'invalid_email' | 'missing_zip' | 'unknown_zip' } | { usable: true; state: string };

/** RULES.md §2: the first reason that applies, or the ZIP's state. */
const verdictOf = (contact: Contact): Verdict => {
  if (blank(contact.email)) return { usable: false, reason: 'missing_email' };
  if (!EMAIL.test(contact.email!)) return { usable: false, reason: 'invalid_email' };
  if (blank(contact.zip_code)) return { usable: false, reason: 'missing_zip' };
  const zip5 = zip5Of(contact.zip_code!);
  const state = zip5 === null ? undefined : zipStates.get(zip5);
  if (state === undefined) return { usable: false, reason: 'unknown_zip' };
  return { usable: true, state };
};

/** Whole years from `birth` to `day` (both real ISO dates). */
const ageOn = (birth: string, day: string): number =>
  Number(day.slice(0, 4)) - Number(birth.slice(0, 4)) - (birth.slice(5) > day.slice(5) ? 1 : 0);

describe('scheduler seed makes a realistic organization (README)', () => {
  let directory: string;
  let db: Database.Database;
  let contacts: Contact[];
  let verdicts: Map<number, Verdict>;
  let seeded: { status: number | null; stdout: string; stderr: string };

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'seed-realism-'));
    const path = join(directory, 'org.sqlite');
    seeded = scheduler(['seed', '--db', path, '--contacts', String(CONTACTS), '--seed', '11', '--as-of', AS_OF]);
    if (seeded.status !== 0) throw new Error(`seed failed: ${seeded.stderr}`);
    db = openPlain(path);
    contacts = db.prepare('SELECT id, email, zip_code, state, birth_date, effective_date FROM contacts ORDER BY id').all() as Contact[];
    verdicts = new Map(contacts.map((contact) => [contact.id, verdictOf(contact)]));
  });
  afterAll(() => {
    db?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const usableContacts = (): (Contact & { zipState: string })[] =>
    contacts.flatMap((contact) => {
      const verdict = verdicts.get(contact.id)!;
      return verdict.usable ? [{ ...contact, zipState: verdict.state }] : [];
    });

  it('holds the N contacts asked for, ids 1..N', () => {
    expect(contacts).toHaveLength(CONTACTS);
    expect(contacts[0]!.id).toBe(1);
    expect(contacts.at(-1)!.id).toBe(CONTACTS);
  });

  it('spreads contacts over the states in proportion to the US 65+ population, CA FL TX NY PA largest, every state and DC present', () => {
    // The table above names every state and DC: one left out would never be looked for.
    expect(STATES_AND_DC).toHaveLength(51);
    const counts = new Map<string, number>();
    for (const contact of usableContacts()) counts.set(contact.zipState, (counts.get(contact.zipState) ?? 0) + 1);
    const inStates = STATES_AND_DC.reduce((sum, state) => sum + (counts.get(state) ?? 0), 0);
    const population = STATES_AND_DC.reduce((sum, state) => sum + US_65_PLUS_THOUSANDS[state]!, 0);
    // Nearly every contact lives in a state or DC (territories and military ZIPs may hold a few).
    expect(inStates / usableContacts().length).toBeGreaterThan(0.95);
    const off: string[] = [];
    for (const state of STATES_AND_DC) {
      const expected = (US_65_PLUS_THOUSANDS[state]! / population) * inStates;
      const observed = counts.get(state) ?? 0;
      expect(observed, `${state} present`).toBeGreaterThan(0);
      // Generous: 35 % of the expectation plus four standard deviations of the draw.
      if (Math.abs(observed - expected) > 0.35 * expected + 4 * Math.sqrt(expected)) {
        off.push(`${state}: ${observed} contacts, expected about ${Math.round(expected)}`);
      }
    }
    expect(off).toEqual([]);
    const largest = [...counts].filter(([state]) => STATES_AND_DC.includes(state)).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([state]) => state);
    expect(largest.sort()).toEqual(['CA', 'FL', 'NY', 'PA', 'TX']);
  });

  it('gives ages spread over 64–95: every age from 65 to 94 occurs, and nearly all valid birth dates are within 64–95', () => {
    const ages = contacts.filter((contact) => isRealIsoDate(contact.birth_date) && contact.birth_date <= AS_OF).map((contact) => ageOn(contact.birth_date!, AS_OF));
    const seen = new Set(ages);
    for (let age = 65; age <= 94; age++) expect(seen.has(age), `age ${age}`).toBe(true);
    expect(ages.filter((age) => age >= 64 && age <= 95).length / ages.length).toBeGreaterThan(0.99);
  });

  // README "ages 64–95", on the as-of day: a birthday later in the year and a Feb 29 birth included.
  it('gives every valid birth date an age between 64 and 95 on the as-of date', () => {
    const outside = contacts
      .filter((contact) => isRealIsoDate(contact.birth_date) && contact.birth_date <= AS_OF)
      .map((contact) => ({ id: contact.id, birth: contact.birth_date!, age: ageOn(contact.birth_date!, AS_OF) }))
      .filter(({ age }) => age < 64 || age > 95);
    expect(outside.slice(0, 5)).toEqual([]);
  });

  it('clusters effective dates on the 1st of months', () => {
    const valid = contacts.map((contact) => contact.effective_date).filter(isRealIsoDate);
    expect(valid.length / CONTACTS).toBeGreaterThan(0.85);
    const byDay = new Map<string, number>();
    for (const date of valid) byDay.set(date.slice(8), (byDay.get(date.slice(8)) ?? 0) + 1);
    expect(byDay.get('01')! / valid.length).toBeGreaterThan(0.6);
    // Not only the 1st: other days occur, each far less often.
    expect(byDay.size).toBeGreaterThan(20);
    for (const [day, count] of byDay) if (day !== '01') expect(count / valid.length, `day ${day}`).toBeLessThan(0.05);
    // Spread over months and years, not one date.
    expect(new Set(valid.map((date) => date.slice(5, 7))).size).toBe(12);
    expect(new Set(valid.map((date) => date.slice(0, 4))).size).toBeGreaterThan(10);
  });

  it('has leap-day birthdays, real ones (in leap years), among usable contacts', () => {
    const leapDays = usableContacts().filter((contact) => contact.birth_date?.endsWith('-02-29'));
    const real = leapDays.filter((contact) => isRealIsoDate(contact.birth_date));
    expect(real.length).toBeGreaterThanOrEqual(10);
    expect(new Set(real.map((contact) => contact.birth_date!.slice(0, 4))).size).toBeGreaterThan(1);
  });

  it('has a few percent of bad rows, of every kind RULES.md §2 counts, and bad dates among usable contacts', () => {
    const reasons = new Map<string, number>();
    const count = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    for (const contact of contacts) {
      const verdict = verdicts.get(contact.id)!;
      if (!verdict.usable) {
        count(verdict.reason);
        continue;
      }
      if (!blank(contact.birth_date) && (!isRealIsoDate(contact.birth_date) || contact.birth_date > AS_OF)) count('invalid_birth_date');
      if (!blank(contact.effective_date) && !isRealIsoDate(contact.effective_date)) count('invalid_effective_date');
    }
    for (const reason of ['missing_email', 'invalid_email', 'missing_zip', 'unknown_zip', 'invalid_birth_date', 'invalid_effective_date']) {
      // At least 0.1 % of the organization each: a handful of rows would not be "a few percent".
      expect(reasons.get(reason) ?? 0, reason).toBeGreaterThanOrEqual(CONTACTS / 1000);
    }
    const unusable = ['missing_email', 'invalid_email', 'missing_zip', 'unknown_zip'].reduce((sum, reason) => sum + reasons.get(reason)!, 0);
    expect(unusable / CONTACTS).toBeGreaterThan(0.01);
    expect(unusable / CONTACTS).toBeLessThan(0.1);
    // Unknown ZIPs of both sorts: malformed, and well-formed but absent from the data set.
    const unknown = contacts.filter((contact) => (verdicts.get(contact.id) as { reason?: string }).reason === 'unknown_zip');
    expect(unknown.some((contact) => zip5Of(contact.zip_code!) === null)).toBe(true);
    expect(unknown.some((contact) => zip5Of(contact.zip_code!) !== null)).toBe(true);
    // Missing values of both sorts: NULL and blank text.
    const missingEmails = contacts.filter((contact) => (verdicts.get(contact.id) as { reason?: string }).reason === 'missing_email');
    expect(missingEmails.some((contact) => contact.email === null)).toBe(true);
    expect(missingEmails.some((contact) => contact.email !== null)).toBe(true);
  });

  it('has campaign types and instances with and without exclusion respect, target-all, follow-ups on and off', () => {
    const types = db.prepare('SELECT * FROM campaign_types').all() as Record<string, number | string>[];
    const instances = db.prepare('SELECT * FROM campaign_instances').all() as Record<string, string | number | null>[];
    const typeNames = new Set(types.map((type) => type.name));
    for (const instance of instances) expect(typeNames.has(instance.campaign_type as string), `type of instance ${instance.id}`).toBe(true);
    const activeOn = (instance: Record<string, unknown>, day: string) =>
      ((instance.active_start_date as string | null) ?? '0000') <= day && ((instance.active_end_date as string | null) ?? '9999') >= day;
    const typeOf = (instance: Record<string, unknown>) => types.find((type) => type.name === instance.campaign_type)!;
    const activeNow = instances.filter((instance) => activeOn(instance, AS_OF) && typeOf(instance).active === 1);
    // Active on the as-of day: one that respects the windows, one that ignores them, one with follow-ups.
    expect(activeNow.some((instance) => typeOf(instance).respect_exclusion_windows === 1)).toBe(true);
    expect(activeNow.some((instance) => typeOf(instance).respect_exclusion_windows === 0)).toBe(true);
    expect(activeNow.some((instance) => typeOf(instance).enable_followups === 1)).toBe(true);
    expect(types.some((type) => type.enable_followups === 0)).toBe(true);
    // A target-all type with an instance that is active at some point in the coming year.
    const targetAll = instances.filter((instance) => typeOf(instance).target_all_contacts === 1 && typeOf(instance).active === 1);
    expect(targetAll.length).toBeGreaterThan(0);
    expect(targetAll.some((instance) => (instance.active_start_date as string | null ?? AS_OF) <= '2027-11-28' && (instance.active_end_date as string | null ?? '9999') >= AS_OF)).toBe(true);
    // Instances past, present and future; dates are real dates; metadata is JSON when present.
    expect(instances.some((instance) => instance.active_end_date !== null && (instance.active_end_date as string) < AS_OF)).toBe(true);
    expect(instances.some((instance) => instance.active_start_date !== null && (instance.active_start_date as string) > AS_OF)).toBe(true);
    for (const instance of instances) {
      for (const column of ['active_start_date', 'active_end_date'] as const) {
        if (instance[column] !== null) expect(isRealIsoDate(instance[column] as string), `${column} of ${instance.id}`).toBe(true);
      }
      if (instance.metadata !== null) expect(() => JSON.parse(instance.metadata as string)).not.toThrow();
    }
  });

  it('has contact targets with trigger dates, for existing contacts and instances', () => {
    const dangling = db
      .prepare(
        `SELECT count(*) FROM contact_campaigns AS t
         WHERE NOT EXISTS (SELECT 1 FROM contacts AS c WHERE c.id = t.contact_id)
            OR NOT EXISTS (SELECT 1 FROM campaign_instances AS i WHERE i.id = t.campaign_instance_id)`,
      )
      .pluck()
      .get();
    expect(dangling).toBe(0);
    const triggers = db.prepare('SELECT trigger_date FROM contact_campaigns WHERE trigger_date IS NOT NULL').pluck().all() as string[];
    expect(triggers.length).toBeGreaterThan(CONTACTS / 200);
    expect(triggers.filter((date) => !isRealIsoDate(date))).toEqual([]);
    // Targets of more than one instance, pending ones among them (what a run reads, RULES.md §7).
    expect(db.prepare('SELECT count(DISTINCT campaign_instance_id) FROM contact_campaigns').pluck().get()).toBeGreaterThan(1);
    expect(db.prepare(`SELECT count(*) FROM contact_campaigns WHERE status = 'pending' AND trigger_date IS NOT NULL`).pluck().get()).toBeGreaterThan(0);
  });

  it('has send history for existing, usable contacts, dated around the as-of day, with contract values', () => {
    const rows = db.prepare('SELECT * FROM email_schedules').all() as Record<string, string | number | null>[];
    expect(rows.length).toBeGreaterThan(CONTACTS / 10);
    const contractTypes = /^(birthday|effective_date|aep|post_window|campaign_[a-z0-9_]+|followup_1_cold|followup_2_clicked_no_hq|followup_3_hq_no_yes|followup_4_hq_with_yes)$/;
    const problems: string[] = [];
    const instanceIds = new Set(db.prepare('SELECT id FROM campaign_instances').pluck().all());
    for (const row of rows) {
      const where = `row ${row.id}`;
      const verdict = verdicts.get(row.contact_id as number);
      if (verdict === undefined) problems.push(`${where}: no contact ${row.contact_id}`);
      else if (!verdict.usable) problems.push(`${where}: contact ${row.contact_id} is unusable (${verdict.reason}) but has history`);
      if (!contractTypes.test(row.email_type as string)) problems.push(`${where}: email_type ${row.email_type}`);
      if (!isRealIsoDate(row.scheduled_send_date as string)) problems.push(`${where}: scheduled_send_date ${row.scheduled_send_date}`);
      const status = row.status as string;
      if (['sent', 'delivered'].includes(status)) {
        if (!isContractDatetime(row.actual_send_datetime as string | null)) problems.push(`${where}: actual_send_datetime ${row.actual_send_datetime}`);
        if ((row.scheduled_send_date as string) > AS_OF) problems.push(`${where}: ${status} in the future`);
      }
      if (['scheduled', 'processing'].includes(status) && (row.scheduled_send_date as string) < AS_OF) problems.push(`${where}: ${status} in the past`);
      if (row.campaign_instance_id !== null && !instanceIds.has(row.campaign_instance_id)) problems.push(`${where}: instance ${row.campaign_instance_id}`);
      if (row.metadata !== null) {
        try {
          JSON.parse(row.metadata as string);
        } catch {
          problems.push(`${where}: metadata not JSON`);
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // Sent within the follow-up lookback (35 days), so that follow-ups have initial emails (RULES.md §8).
    expect(rows.filter((row) => ['sent', 'delivered'].includes(row.status as string) && (row.scheduled_send_date as string) >= '2026-10-24').length).toBeGreaterThan(CONTACTS / 100);
    // Campaign emails and follow-ups in the history, each follow-up pointing at a sent email of its contact.
    expect(rows.some((row) => (row.email_type as string).startsWith('campaign_'))).toBe(true);
    const followups = db
      .prepare(
        `SELECT f.id, i.contact_id = f.contact_id AS same_contact, i.status AS initial_status, i.email_type = json_extract(f.metadata, '$.initial_email_type') AS same_type
         FROM email_schedules AS f LEFT JOIN email_schedules AS i ON i.id = json_extract(f.metadata, '$.initial_email_id')
         WHERE f.email_type LIKE 'followup_%'`,
      )
      .all() as { id: number; same_contact: number | null; initial_status: string | null; same_type: number | null }[];
    expect(followups.length).toBeGreaterThan(0);
    expect(followups.filter((f) => f.same_contact !== 1 || !['sent', 'delivered'].includes(f.initial_status ?? '') || f.same_type !== 1)).toEqual([]);
  });

  it('has clicks and eligibility events of existing contacts, after the emails they follow', () => {
    expect(db.prepare('SELECT count(*) FROM tracking_clicks').pluck().get()).toBeGreaterThan(CONTACTS / 100);
    const badClicks = db
      .prepare(
        `SELECT k.id, k.clicked_at, s.actual_send_datetime, s.contact_id = k.contact_id AS same_contact,
                EXISTS (SELECT 1 FROM contacts AS c WHERE c.id = k.contact_id) AS contact_exists
         FROM tracking_clicks AS k LEFT JOIN email_schedules AS s ON s.id = k.email_schedule_id
         WHERE k.email_schedule_id IS NOT NULL
               AND (s.id IS NULL OR s.contact_id <> k.contact_id OR s.actual_send_datetime IS NULL
                    OR substr(k.clicked_at, 1, 10) < substr(s.actual_send_datetime, 1, 10))
            OR NOT EXISTS (SELECT 1 FROM contacts AS c WHERE c.id = k.contact_id)`,
      )
      .all();
    expect(badClicks).toEqual([]);
    const clickTimes = db.prepare('SELECT clicked_at FROM tracking_clicks').pluck().all() as string[];
    expect(clickTimes.filter((time) => !isContractDatetime(time))).toEqual([]);

    const events = db.prepare('SELECT contact_id, event_type, created_at, metadata FROM contact_events').all() as { contact_id: number; event_type: string; created_at: string; metadata: string | null }[];
    expect(events.filter((event) => !verdicts.has(event.contact_id) || !isContractDatetime(event.created_at))).toEqual([]);
    const answers = events.filter((event) => event.event_type === 'eligibility_answered');
    expect(answers.length).toBeGreaterThan(CONTACTS / 200);
    const parsed = answers.map((event) => JSON.parse(event.metadata ?? 'null') as Record<string, unknown> | null);
    // Every shape RULES.md §8 tells apart: conditions, yes answers without conditions, neither.
    expect(parsed.some((answer) => answer?.has_medical_conditions === true)).toBe(true);
    expect(parsed.some((answer) => answer?.has_medical_conditions !== true && Number(answer?.main_questions_yes_count ?? 0) > 0)).toBe(true);
    expect(parsed.some((answer) => answer?.has_medical_conditions !== true && Number(answer?.main_questions_yes_count ?? 0) === 0)).toBe(true);
    // An answer comes on or after the day of an email sent to that contact.
    const answeredWithoutSend = db
      .prepare(
        `SELECT count(*) FROM contact_events AS e WHERE e.event_type = 'eligibility_answered' AND NOT EXISTS (
           SELECT 1 FROM email_schedules AS s WHERE s.contact_id = e.contact_id AND substr(s.actual_send_datetime, 1, 10) <= substr(e.created_at, 1, 10))`,
      )
      .pluck()
      .get();
    expect(answeredWithoutSend).toBe(0);
  });

  // Realism: behaviour follows the email it answers (the rules read it by CT date, RULES.md §8).
  it('dates every click after the email it tracks was sent, and every answer after a send to the contact', () => {
    const clickedBeforeSend = db
      .prepare(`SELECT k.id FROM tracking_clicks AS k JOIN email_schedules AS s ON s.id = k.email_schedule_id WHERE k.clicked_at < s.actual_send_datetime`)
      .pluck()
      .all();
    const answeredBeforeSend = db
      .prepare(
        `SELECT e.id FROM contact_events AS e WHERE e.event_type = 'eligibility_answered' AND NOT EXISTS (
           SELECT 1 FROM email_schedules AS s WHERE s.contact_id = e.contact_id AND s.actual_send_datetime <= e.created_at)`,
      )
      .pluck()
      .all();
    expect({ clickedBeforeSend, answeredBeforeSend }).toEqual({ clickedBeforeSend: [], answeredBeforeSend: [] });
  });

  it('prints one summary line on stdout and nothing on stderr when piped', () => {
    expect(seeded.stdout.trim().split('\n')).toHaveLength(1);
    expect(seeded.stdout).toContain(`${CONTACTS} contacts`);
    expect(seeded.stdout).not.toContain('\u001b');
    expect(seeded.stderr).toBe('');
  });
});

/** Every table's rows, exactly (storage classes and bytes), hashed per table. */
const contentDigest = (path: string): Record<string, string> => {
  const db = openPlain(path);
  try {
    return Object.fromEntries(
      tableNames(db).map((table) => [
        table,
        createHash('sha256').update([...tableRows(db, table)].map(([key, row]) => `${key}\t${row}`).join('\n')).digest('hex'),
      ]),
    );
  } finally {
    db.close();
  }
};

describe('scheduler seed is deterministic for a given seed (README)', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'seed-determinism-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const seed = (name: string, ...extra: string[]): string => {
    const path = join(directory, `${name}.sqlite`);
    const result = scheduler(['seed', '--db', path, '--contacts', '2500', ...extra]);
    expect(result.status, result.stderr).toBe(0);
    return path;
  };

  it('gives byte-identical table contents for the same --seed (and as-of day), and other contents for another seed', () => {
    const a = contentDigest(seed('a', '--seed', '42', '--as-of', AS_OF));
    const b = contentDigest(seed('b', '--seed', '42', '--as-of', AS_OF));
    const c = contentDigest(seed('c', '--seed', '43', '--as-of', AS_OF));
    expect(Object.keys(a).length).toBeGreaterThanOrEqual(10);
    expect(b).toEqual(a);
    for (const table of ['contacts', 'email_schedules', 'tracking_clicks', 'contact_events', 'contact_campaigns']) {
      expect(c[table], table).not.toBe(a[table]);
    }
  });

  it('dates the organization around today in Chicago when no --as-of is given, and is deterministic for the documented command', () => {
    const before = todayInChicago();
    const first = seed('today-1', '--seed', '42');
    const second = seed('today-2', '--seed', '42');
    const after = todayInChicago();
    const db = openPlain(first);
    // The seed's as-of day shows in the rows it stamps and the instances it dates around it.
    const stamped = db.prepare('SELECT DISTINCT substr(created_at, 1, 10) FROM campaign_types').pluck().all();
    const newest = db.prepare(`SELECT max(scheduled_send_date) FROM email_schedules WHERE status IN ('sent', 'delivered')`).pluck().get() as string;
    db.close();
    expect(stamped).toHaveLength(1);
    expect([before, after]).toContain(stamped[0]);
    expect(newest < (stamped[0] as string)).toBe(true);
    if (before === after) expect(contentDigest(second)).toEqual(contentDigest(first));
    else expect(before < after).toBe(true); // the two seeds straddled midnight in Chicago: their days differ
  });
});

describe('scheduler seed shows progress on a terminal only (README)', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'seed-progress-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  // Progress is reported every 10,000 contacts, and the bar redraws at most every 200 ms (cli-progress's
  // throttle): a seed long enough to outlast several of those on any machine shows steps between start and end.
  const PROGRESS_CONTACTS = 200_000;
  const seedLine = (name: string, contacts = CONTACTS): string[] => ['seed', '--db', join(directory, `${name}.sqlite`), '--contacts', String(contacts), '--seed', '3', '--as-of', AS_OF];

  it('draws a progress bar that advances while seeding when stdout and stderr are a terminal', () => {
    const result = underTerminal(schedulerCommandLine(seedLine('tty', PROGRESS_CONTACTS)), 120_000);
    expect(result.status).toBe(0);
    const drawn = [...result.stdout.matchAll(new RegExp(`(\\d+)/${PROGRESS_CONTACTS}`, 'g'))].map((match) => Number(match[1]));
    // Intermediate progress, not only the start and the end, and never backwards.
    expect(drawn.some((done) => done > 0 && done < PROGRESS_CONTACTS)).toBe(true);
    expect(drawn).toEqual([...drawn].sort((a, b) => a - b));
    expect(drawn.at(-1)).toBe(PROGRESS_CONTACTS);
    expect(result.stdout).toContain(`${PROGRESS_CONTACTS} contacts,`);
  }, 120_000);

  it('writes no progress, and no escape sequences, when stdout and stderr are pipes', () => {
    const result = scheduler(seedLine('piped', 3000));
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\u001b|\/3000/);
  });

  it('writes no progress into a file that stderr is redirected to while stdout is a terminal', () => {
    const errors = join(directory, 'stderr.txt');
    const result = underTerminal(`${schedulerCommandLine(seedLine('stderr-file', 3000))} 2> '${errors}'`);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('3000 contacts,');
    expect(readFileSync(errors, 'utf8')).toBe('');
  });

  // README "It shows progress on a terminal": the bar is drawn on stderr, so stderr is the terminal that counts.
  it('shows progress when stderr is a terminal and stdout is redirected to a file', () => {
    const summary = join(directory, 'summary.txt');
    const result = underTerminal(`${schedulerCommandLine(seedLine('stdout-file'))} > '${summary}'`, 100_000);
    expect(result.status).toBe(0);
    expect(readFileSync(summary, 'utf8')).toContain(`${CONTACTS} contacts,`);
    expect(result.stdout).toMatch(/\/20000/);
  }, 120_000);
});
