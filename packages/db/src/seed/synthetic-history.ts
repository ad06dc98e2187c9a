import { formatIsoDate, packedDateOf } from '@scheduler/core';
import type { SeededRandom } from './seeded-random';

/** An `email_schedules` row in the seed's column order (see seed-organization.ts). */
type HistoryRow = [
  id: number,
  contactId: number,
  emailType: string,
  eventYear: number,
  eventMonth: number,
  eventDay: number,
  scheduledSendDate: string,
  status: string,
  priority: number,
  campaignInstanceId: number | null,
  emailTemplate: string,
  metadata: string | null,
  createdAt: string,
  actualSendDatetime: string | null,
];
/** tracking_clicks: contact_id, email_schedule_id, clicked_at. */
type ClickRow = [number, number, string];
/** contact_events: contact_id, event_type, created_at, metadata. */
type EventRow = [number, string, string, string | null];

const INITIAL_TYPES: readonly (readonly [string, number, number, number | null])[] = [
  // type, priority, days from send to event, campaign instance
  ['birthday', 10, 14, null],
  ['effective_date', 20, 30, null],
  ['aep', 30, 0, null],
  ['post_window', 40, 0, null],
  ['campaign_spring_promo', 15, 7, 1],
  ['campaign_annual_review', 25, 0, 2],
];
const ANSWERS = [
  '{"has_medical_conditions": true, "main_questions_yes_count": 1}',
  '{"has_medical_conditions": false, "main_questions_yes_count": 2}',
  '{"has_medical_conditions": false, "main_questions_yes_count": 0}',
  '{"main_questions_yes_count": 0}',
];

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
/** CT 08:30 sends leave at 13:30–14:30 UTC, give or take the sender's queue. */
const utcAt = (day: number, minutesAfter1330: number): string => {
  const minutes = 13 * 60 + 30 + minutesAfter1330;
  return `${formatIsoDate(day + Math.floor(minutes / 1440))} ${pad2(Math.floor(minutes / 60) % 24)}:${pad2(minutes % 60)}:00`;
};

export interface ContactHistory {
  readonly schedules: readonly HistoryRow[];
  readonly clicks: readonly ClickRow[];
  readonly events: readonly EventRow[];
}

const NO_HISTORY: ContactHistory = { schedules: [], clicks: [], events: [] };

/**
 * The sender's past for one contact over the last ~60 days: sent, delivered
 * and failed initial emails, a few sent follow-ups, upcoming scheduled and
 * processing rows, clicks and eligibility answers after some sends.
 */
export class SyntheticHistory {
  private nextScheduleId = 1;

  constructor(
    private readonly random: SeededRandom,
    private readonly asOfDay: number,
  ) {}

  historyOf(contactId: number): ContactHistory {
    const random = this.random;
    const sends = random.chance(0.3) ? (random.chance(0.2) ? 2 : 1) : 0;
    const scheduled = random.chance(0.05);
    const processing = random.chance(0.01);
    const pageView = random.chance(0.03);
    // Most contacts have no history: no allocation for them.
    if (sends === 0 && !scheduled && !processing && !pageView) return NO_HISTORY;
    const schedules: HistoryRow[] = [];
    const clicks: ClickRow[] = [];
    const events: EventRow[] = [];
    const usedTypes = new Set<string>();
    const add = (emailType: string, priority: number, sendDay: number, eventOffset: number, status: string, instance: number | null, metadata: string | null, actual: string | null): number => {
      const id = this.nextScheduleId++;
      const event = packedDateOf(sendDay + eventOffset);
      schedules.push([
        id, contactId, emailType, Math.floor(event / 10000), Math.floor(event / 100) % 100, event % 100,
        formatIsoDate(sendDay), status, priority, instance, `${emailType}_v1`, metadata,
        `${formatIsoDate(sendDay - 20)} 06:00:00`, actual,
      ]);
      usedTypes.add(emailType);
      return id;
    };

    for (let s = 0; s < sends; s++) {
      const [emailType, priority, eventOffset, instance] = random.pick(INITIAL_TYPES);
      if (usedTypes.has(emailType)) continue;
      const sendDay = this.asOfDay - random.int(1, 60);
      const outcome = random.next();
      const status = outcome < 0.5 ? 'sent' : outcome < 0.9 ? 'delivered' : 'failed';
      const sentAt = random.int(0, 90);
      const actual = status === 'failed' ? null : utcAt(sendDay, sentAt);
      const id = add(emailType, priority, sendDay, eventOffset, status, instance, null, actual);
      if (status === 'failed') continue;
      // A click or an answer follows the send by minutes to days, and happened before the as-of day.
      const after = (maxDays: number): string => utcAt(Math.min(sendDay + random.int(0, maxDays), this.asOfDay - 1), sentAt + random.int(5, 540));
      if (random.chance(0.3)) clicks.push([contactId, id, after(3)]);
      if (random.chance(0.15)) events.push([contactId, 'eligibility_answered', after(5), random.pick(ANSWERS)]);
      if (random.chance(0.2) && sendDay + 2 < this.asOfDay && !usedTypes.has('followup_1_cold')) {
        const metadata = JSON.stringify({ initial_email_id: id, initial_email_type: emailType, behaviour: { clicked: false } });
        add('followup_1_cold', 50, sendDay + 2, eventOffset - 2, 'sent', instance, metadata, utcAt(sendDay + 2, random.int(0, 90)));
      }
    }
    if (scheduled && !usedTypes.has('aep')) {
      add('aep', 30, this.asOfDay + random.int(0, 10), 0, 'scheduled', null, null, null);
    }
    if (processing && !usedTypes.has('birthday')) add('birthday', 10, this.asOfDay, 14, 'processing', null, null, null);
    if (pageView) events.push([contactId, 'page_view', utcAt(this.asOfDay - random.int(0, 30), 0), null]);
    return { schedules, clicks, events };
  }
}
