import {
  defaultConfig,
  exclusionFor,
  parseConfig,
  parseIsoDate,
  exclusionReason,
} from '@scheduler/core';
import { eq } from 'drizzle-orm';
import { schema } from '@scheduler/db';
import { describe, expect, test } from 'vitest';
import { readContactSchedule } from '../src/organizations/contact-schedule';
import { readEmailCounts } from '../src/organizations/email-counts';
import { readLastCompletedRun, readRecentRuns, utcDatetimeMs } from '../src/organizations/run-history';
import { readScheduleVolume } from '../src/organizations/schedule-volume';
import { readSkipSummary, skipCodeOf, stateNamedBy } from '../src/organizations/skip-summary';
import { email, useSmallOrganization } from './support/small-organization';

const organization = useSmallOrganization();
const config = defaultConfig();
const day = (iso: string): number => parseIsoDate(iso)!;

// 90210 is in CA (birthday window), 10001 in NY (year-round), 75001 in TX (no rule).
const CONTACTS = [
  { id: 1, email: 'a@example.com', zipCode: '90210', state: 'CA', birthDate: '1950-06-15', effectiveDate: '2010-03-01' },
  { id: 2, email: 'b@example.com', zipCode: '10001', state: 'NY', birthDate: '1960-01-20', effectiveDate: null },
  { id: 3, email: 'c@example.com', zipCode: '75001', state: 'TX', birthDate: '1955-09-09', effectiveDate: null },
  { id: 4, email: null, zipCode: '75001', state: 'TX', birthDate: null, effectiveDate: null },
];

describe('skip reasons', () => {
  test('the code is the text before the first colon, the state the one an exclusion names', () => {
    expect(skipCodeOf('exclusion_window: CA birthday window 2026-04-16 to 2026-08-14')).toBe('exclusion_window');
    expect(skipCodeOf('frequency_cap: more than 3 emails in 30 days')).toBe('frequency_cap');
    expect(skipCodeOf('no colon here')).toBe('unknown');
    expect(skipCodeOf(null)).toBe('unknown');
    expect(stateNamedBy('year_round: NY allows no marketing email all year')).toBe('NY');
    expect(stateNamedBy('exclusion_window: CA birthday window 2026-04-16 to 2026-08-14')).toBe('CA');
    expect(stateNamedBy('frequency_cap: more than 3 emails in 30 days')).toBeNull();
  });

  test('skipped emails are counted by code and state, the state of stateless reasons from the ZIP', () => {
    const db = organization();
    db.orm.insert(schema.contacts).values(CONTACTS).run();
    db.orm
      .insert(schema.emailSchedules)
      .values([
        email(1, 'birthday', '2026-06-01', { status: 'skipped', skipReason: 'exclusion_window: CA birthday window 2026-03-17 to 2026-08-14' }),
        email(1, 'aep', '2026-09-15', { status: 'skipped', skipReason: 'frequency_cap: more than 3 emails in 30 days' }),
        email(2, 'birthday', '2026-01-06', { status: 'skipped', skipReason: 'year_round: NY allows no marketing email all year' }),
        email(2, 'aep', '2026-09-15', { status: 'skipped', skipReason: 'year_round: NY allows no marketing email all year' }),
        email(3, 'aep', '2026-09-15', { status: 'skipped', skipReason: 'frequency_cap: more than 3 emails in 30 days' }),
        email(3, 'birthday', '2026-08-26'),
      ])
      .run();
    expect(readSkipSummary(db)).toEqual([
      { code: 'exclusion_window', state: 'CA', emails: 1 },
      { code: 'frequency_cap', state: 'CA', emails: 1 },
      { code: 'frequency_cap', state: 'TX', emails: 1 },
      { code: 'year_round', state: 'NY', emails: 2 },
    ]);
  });

  test('a reason carried by rows of another status counts only the skipped ones', () => {
    const db = organization();
    db.orm.insert(schema.contacts).values(CONTACTS).run();
    const reason = 'frequency_cap: more than 3 emails in 30 days';
    db.orm
      .insert(schema.emailSchedules)
      .values([
        email(1, 'aep', '2026-09-15', { status: 'skipped', skipReason: reason }),
        email(3, 'aep', '2026-09-15', { status: 'sent', skipReason: reason }),
      ])
      .run();
    expect(readSkipSummary(db)).toEqual([{ code: 'frequency_cap', state: 'CA', emails: 1 }]);
  });
});

describe('the volume of the coming days', () => {
  test('counts pre-scheduled emails per day and type, every day present, with the daily cap of the contact rows', () => {
    const db = organization();
    db.orm.insert(schema.contacts).values(CONTACTS).run();
    db.orm
      .insert(schema.emailSchedules)
      .values([
        email(1, 'birthday', '2026-06-01'),
        email(2, 'birthday', '2026-06-01'),
        email(3, 'aep', '2026-06-01'),
        email(3, 'effective_date', '2026-06-03'),
        email(1, 'aep', '2026-06-03', { status: 'skipped', skipReason: 'frequency_cap: x' }),
        email(2, 'aep', '2026-06-03', { status: 'sent' }),
        email(1, 'post_window', '2026-05-31'),
        email(1, 'followup_1_cold', '2026-06-05'),
      ])
      .run();
    const volume = readScheduleVolume(db, day('2026-06-01'), 5, config);
    expect(volume.days.map((d) => [d.date, d.total])).toEqual([
      ['2026-06-01', 3],
      ['2026-06-02', 0],
      ['2026-06-03', 1],
      ['2026-06-04', 0],
      ['2026-06-05', 1],
    ]);
    expect(volume.days[0]!.byType).toEqual({ birthday: 2, aep: 1 });
    expect(volume.emailTypes).toEqual(['birthday', 'effective_date', 'aep', 'followup_1_cold']);
    expect(volume.contactRows).toBe(4);
    expect(volume.dailyCap).toBe(1);
    expect(readScheduleVolume(db, day('2026-06-01'), 1, parseConfig({ load_balancing: { daily_send_percentage_cap: 0.5 } })).dailyCap).toBe(2);
    // floor(cap × overage_threshold), RULES.md §9.2: 1 × 1.2 by default; 2 × 1.5 = 3.
    expect(volume.capThreshold).toBe(1);
    const wider = parseConfig({ load_balancing: { daily_send_percentage_cap: 0.5, overage_threshold: 1.5 } });
    expect(readScheduleVolume(db, day('2026-06-01'), 1, wider)).toMatchObject({ dailyCap: 2, capThreshold: 3 });
  });

  test('all emails are counted by status and type', () => {
    const db = organization();
    db.orm
      .insert(schema.emailSchedules)
      .values([email(1, 'birthday', '2026-06-01'), email(2, 'birthday', '2026-07-01'), email(2, 'aep', '2026-07-01', { status: 'sent' })])
      .run();
    expect(readEmailCounts(db)).toEqual(
      expect.arrayContaining([
        { status: 'pre-scheduled', emailType: 'birthday', emails: 2 },
        { status: 'sent', emailType: 'aep', emails: 1 },
      ]),
    );
  });
});

describe('runs', () => {
  test('recent runs are newest first with their duration; the last completed one is found past later failures', () => {
    const db = organization();
    const checkpoint = { contactsChecksum: 'x', contactsProcessed: 4, emailsScheduled: 3, emailsSkipped: 1 };
    db.orm
      .insert(schema.schedulerCheckpoints)
      .values([
        { ...checkpoint, schedulerRunId: 'run-a', runTimestamp: '2026-06-01 02:00:00', completedAt: '2026-06-01 02:03:30', status: 'completed' },
        { ...checkpoint, schedulerRunId: 'reschedule-a-7', runTimestamp: '2026-06-01 09:00:00', completedAt: '2026-06-01 09:00:01', status: 'failed', errorMessage: 'boom' },
        { ...checkpoint, schedulerRunId: 'run-b', runTimestamp: '2026-06-02 02:00:00', completedAt: null, status: 'started' },
      ])
      .run();
    const runs = readRecentRuns(db, 10);
    expect(runs.map((run) => [run.schedulerRunId, run.kind, run.durationMs])).toEqual([
      ['run-b', 'full', null],
      ['reschedule-a-7', 'reschedule', 1_000],
      ['run-a', 'full', 210_000],
    ]);
    expect(readLastCompletedRun(db)?.schedulerRunId).toBe('run-a');
    expect(utcDatetimeMs('2026-06-01 02:00:00')).toBe(Date.UTC(2026, 5, 1, 2));
    expect(utcDatetimeMs('yesterday')).toBeNull();
  });

  test('the last completed run is a full run: a reschedule completed since does not hide a missed nightly run', () => {
    const db = organization();
    const checkpoint = { contactsChecksum: 'x', contactsProcessed: 1, emailsScheduled: 1, emailsSkipped: 0, status: 'completed' };
    db.orm
      .insert(schema.schedulerCheckpoints)
      .values([
        { ...checkpoint, schedulerRunId: 'run-a-2026-06-01-h', runTimestamp: '2026-06-01 07:00:00', completedAt: '2026-06-01 07:01:00' },
        { ...checkpoint, schedulerRunId: 'reschedule-a-9', runTimestamp: '2026-06-04 09:00:00', completedAt: '2026-06-04 09:00:01' },
      ])
      .run();
    expect(readLastCompletedRun(db)?.schedulerRunId).toBe('run-a-2026-06-01-h');
  });
});

describe('a contact page', () => {
  test("shows each email's window, the one core computes and the scheduler names in its reason", () => {
    const db = organization();
    db.orm.insert(schema.contacts).values(CONTACTS).run();
    const exclusion = exclusionFor(config.state_rules.CA, { state: 'CA', birthDay: day('1950-06-15'), effectiveDay: day('2010-03-01') }, {
      preWindowExclusionDays: config.timing.pre_window_exclusion_days,
    })!;
    const skippedDay = day('2026-06-01');
    const reason = exclusionReason(exclusion, skippedDay)!;
    db.orm
      .insert(schema.emailSchedules)
      .values([
        email(1, 'birthday', '2026-06-01', { status: 'skipped', skipReason: reason }),
        email(1, 'post_window', '2026-08-15'),
        email(1, 'effective_date', '2026-01-30', { status: 'sent', actualSendDatetime: '2026-01-30 14:00:00' }),
        email(2, 'birthday', '2026-01-06'),
      ])
      .run();
    const schedule = readContactSchedule(db, 1, config, day('2026-05-01'))!;
    expect(schedule.usability).toEqual({ usable: true, state: 'CA', stateDisagrees: false });
    expect(schedule.emails.map((e) => [e.scheduledSendDate, e.status, e.skipCode])).toEqual([
      ['2026-01-30', 'sent', null],
      ['2026-06-01', 'skipped', 'exclusion_window'],
      ['2026-08-15', 'pre-scheduled', null],
    ]);
    const skipped = schedule.emails[1]!;
    expect(reason).toContain(`${skipped.window!.start} to ${skipped.window!.end}`);
    expect(schedule.emails[2]!.window).toBeNull();
    expect(schedule.windows).toContainEqual(skipped.window);
  });

  test('shows the exclusion the scheduler applies: none from a birth date the rules do not read', () => {
    const db = organization();
    db.orm.insert(schema.contacts).values(CONTACTS).run();
    const today = day('2026-05-01');
    for (const birthDate of [' 1950-06-15', '1950-06-15 ', '1950-6-15', '2027-01-01']) {
      db.orm.update(schema.contacts).set({ birthDate, effectiveDate: null }).where(eq(schema.contacts.id, 1)).run();
      const schedule = readContactSchedule(db, 1, config, today)!;
      expect(schedule.exclusion?.window ?? null, birthDate).toBeNull();
      expect(schedule.windows, birthDate).toEqual([]);
    }
  });

  test('a year-round state excludes every day; an unusable contact says why', () => {
    const db = organization();
    db.orm.insert(schema.contacts).values(CONTACTS).run();
    db.orm.insert(schema.emailSchedules).values([email(2, 'birthday', '2026-01-06', { status: 'skipped', skipReason: 'year_round: NY allows no marketing email all year' })]).run();
    const newYork = readContactSchedule(db, 2, config, day('2026-01-01'))!;
    expect(newYork.rule).toEqual({ kind: 'year_round' });
    expect(newYork.emails[0]!.yearRound).toBe(true);
    expect(newYork.windows).toEqual([]);
    expect(readContactSchedule(db, 4, config, day('2026-01-01'))!.usability).toEqual({ usable: false, reason: 'missing_email' });
    expect(readContactSchedule(db, 3, config, day('2026-01-01'))!.rule).toBeNull();
    expect(readContactSchedule(db, 99, config, day('2026-01-01'))).toBeNull();
  });
});
