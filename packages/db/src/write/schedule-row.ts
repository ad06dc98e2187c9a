import { packedDateOf, formatIsoDate, type ScheduledEmail, type SchedulerStatus } from '@scheduler/core';

/** One `email_schedules` row the scheduler writes (CONTRACT.md), in column order. */
export interface ScheduleRow {
  readonly contactId: number;
  readonly emailType: string;
  readonly eventYear: number | null;
  readonly eventMonth: number | null;
  readonly eventDay: number | null;
  /** ISO `YYYY-MM-DD`. */
  readonly scheduledSendDate: string;
  /** `HH:MM:SS`. */
  readonly scheduledSendTime: string;
  readonly status: SchedulerStatus;
  readonly skipReason: string | null;
  readonly priority: number;
  readonly campaignInstanceId: number | null;
  readonly emailTemplate: string | null;
  readonly smsTemplate: string | null;
  readonly schedulerRunId: string;
  /** JSON text. */
  readonly metadata: string | null;
  /** UTC `YYYY-MM-DD HH:MM:SS`. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ScheduleRowStamp {
  readonly runId: string;
  /** The configured `send_time`, `HH:MM`. */
  readonly sendTime: string;
  /** UTC `YYYY-MM-DD HH:MM:SS` of the run. */
  readonly now: string;
}

/** The row of one email the core scheduled. */
export const scheduleRowOf = (email: ScheduledEmail, stamp: ScheduleRowStamp): ScheduleRow => {
  const event = email.eventDay === null ? null : packedDateOf(email.eventDay);
  return {
    contactId: email.contactId,
    emailType: email.emailType,
    eventYear: event === null ? null : Math.floor(event / 10000),
    eventMonth: event === null ? null : Math.floor(event / 100) % 100,
    eventDay: event === null ? null : event % 100,
    scheduledSendDate: formatIsoDate(email.day),
    scheduledSendTime: stamp.sendTime.length === 5 ? `${stamp.sendTime}:00` : stamp.sendTime,
    status: email.status,
    skipReason: email.status === 'skipped' ? email.skipReason : null,
    priority: email.priority,
    campaignInstanceId: email.campaignInstanceId,
    emailTemplate: email.emailTemplate,
    smsTemplate: email.smsTemplate,
    schedulerRunId: stamp.runId,
    metadata: email.metadata,
    createdAt: stamp.now,
    updatedAt: stamp.now,
  };
};
