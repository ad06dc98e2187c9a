import type { SchedulerStatus } from '@scheduler/core';

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
