import { formatIsoDate, parseIsoDate } from '@scheduler/core';
import { migrateOrganizationDb, openOrganizationDb, schema, SeededRandom } from '@scheduler/db';

/** A deterministic PRNG (the seed's own), so that a fixture is the same organization every time. */
export const mulberry32 = (seed: number): (() => number) => {
  const random = new SeededRandom(seed);
  return () => random.next();
};

// Real ZIPs of window, year-round and rule-less states (the zip-states data maps them).
const ZIPS = ['90210', '89101', '63101', '10001', '75001', '33101', '83701', '40202', '97201', '22201', '21201', '73101', '98101', '06101', '02108', '60601'];

const insertAll = <T>(rows: T[], insert: (batch: T[]) => void): void => {
  for (let i = 0; i < rows.length; i += 500) insert(rows.slice(i, i + 500));
};

/**
 * A small organization with something of everything the rules read:
 * contacts across states (a few unusable), Feb 29 birthdays, campaigns with
 * and without window respect, targets, send history, clicks and answers.
 */
export const writeOrganization = (path: string, options: { contacts: number; seed?: number; today: string }): void => {
  const random = mulberry32(options.seed ?? 7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const today = parseIsoDate(options.today)!;
  migrateOrganizationDb(path);
  const db = openOrganizationDb(path);
  try {
    const contacts = [];
    for (let id = 1; id <= options.contacts; id++) {
      const leap = random() < 0.02;
      const birthYear = leap ? pick([1940, 1944, 1948, 1952, 1956]) : 1930 + Math.floor(random() * 32);
      const birth = leap ? `${birthYear}-02-29` : formatIsoDate(parseIsoDate(`${birthYear}-01-01`)! + Math.floor(random() * 365));
      const bad = random();
      contacts.push({
        id,
        email: bad < 0.02 ? null : bad < 0.03 ? 'not-an-email' : `contact${id}@example.com`,
        zipCode: bad > 0.98 ? '00000' : pick(ZIPS),
        state: random() < 0.1 ? 'TX' : null,
        birthDate: random() < 0.05 ? null : birth,
        effectiveDate: random() < 0.2 ? null : `${2012 + Math.floor(random() * 16)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-01`,
        phoneNumber: null,
      });
    }
    insertAll(contacts, (batch) => db.orm.insert(schema.contacts).values(batch).run());

    db.orm
      .insert(schema.campaignTypes)
      .values([
        { name: 'rate_increase', respectExclusionWindows: true, enableFollowups: true, daysBeforeEvent: 14, targetAllContacts: false, priority: 1, active: true },
        { name: 'seasonal_promo', respectExclusionWindows: true, enableFollowups: true, daysBeforeEvent: 7, targetAllContacts: false, priority: 5, active: true },
        { name: 'regulatory_notice', respectExclusionWindows: false, enableFollowups: false, daysBeforeEvent: 0, targetAllContacts: false, priority: 3, active: true },
      ])
      .run();
    db.orm
      .insert(schema.campaignInstances)
      .values([
        { id: 1, campaignType: 'rate_increase', instanceName: 'ri_now', emailTemplate: 'ri_v2', smsTemplate: 'ri_sms', activeStartDate: formatIsoDate(today - 30), activeEndDate: formatIsoDate(today + 60), metadata: JSON.stringify({ followup_email_template: 'ri_followup' }) },
        { id: 2, campaignType: 'seasonal_promo', instanceName: 'fall', emailTemplate: 'fall_v1', smsTemplate: null, activeStartDate: formatIsoDate(today - 10), activeEndDate: null, metadata: null },
        { id: 3, campaignType: 'regulatory_notice', instanceName: 'notice', emailTemplate: 'notice_v1', smsTemplate: null, activeStartDate: null, activeEndDate: null, metadata: null },
        { id: 4, campaignType: 'seasonal_promo', instanceName: 'spring_expired', emailTemplate: 'spring', smsTemplate: null, activeStartDate: '2020-03-01', activeEndDate: '2020-05-31', metadata: null },
      ])
      .run();

    const targets = [];
    const history = [];
    const clicks = [];
    const events = [];
    let historyId = 1;
    for (let id = 1; id <= options.contacts; id++) {
      if (random() < 0.15) {
        targets.push({ contactId: id, campaignInstanceId: pick([1, 2, 3, 4]), triggerDate: random() < 0.2 ? null : formatIsoDate(today - 10 + Math.floor(random() * 50)), status: pick(['pending', 'pending', 'scheduled', 'sent']) });
      }
      if (random() < 0.1) {
        const sentDay = today - Math.floor(random() * 45);
        const type = pick(['birthday', 'effective_date', 'campaign_rate_increase', 'aep']);
        history.push({
          id: historyId++,
          contactId: id,
          emailType: type,
          scheduledSendDate: formatIsoDate(sentDay),
          status: pick(['sent', 'delivered', 'delivered', 'failed']),
          actualSendDatetime: `${formatIsoDate(sentDay)} 0${Math.floor(random() * 10)}:30:00`,
          campaignInstanceId: type === 'campaign_rate_increase' ? 1 : null,
          priority: 10,
        });
        if (random() < 0.5) clicks.push({ contactId: id, clickedAt: `${formatIsoDate(sentDay + 1)} 15:00:00` });
        if (random() < 0.3) {
          events.push({ contactId: id, eventType: 'eligibility_answered', createdAt: `${formatIsoDate(sentDay + 1)} 16:00:00`, metadata: JSON.stringify({ has_medical_conditions: random() < 0.5, main_questions_yes_count: 0 }) });
        }
      }
      if (random() < 0.03) {
        const day = today + 3 + Math.floor(random() * 20);
        history.push({ id: historyId++, contactId: id, emailType: 'birthday', scheduledSendDate: formatIsoDate(day), status: 'scheduled', actualSendDatetime: null, campaignInstanceId: null, priority: 10 });
      }
    }
    insertAll(targets, (batch) => db.orm.insert(schema.contactCampaigns).values(batch).onConflictDoNothing().run());
    insertAll(history, (batch) => db.orm.insert(schema.emailSchedules).values(batch).onConflictDoNothing().run());
    insertAll(clicks, (batch) => db.orm.insert(schema.trackingClicks).values(batch).run());
    insertAll(events, (batch) => db.orm.insert(schema.contactEvents).values(batch).run());
    db.orm
      .insert(schema.campaignChangeLog)
      .values({ campaignInstanceId: 2, fieldChanged: 'active_start_date', oldValue: null, newValue: formatIsoDate(today - 10), changedAt: '2026-11-01 10:00:00', changedBy: 'ops', requiresRescheduling: true })
      .run();
  } finally {
    db.close();
  }
};
