import { NO_DAY, NO_TEXT, STATUS_PRE_SCHEDULED, formatIsoDate, packedDateOf, type CandidateTable } from '@scheduler/core';
import type { ScheduleRow } from '@scheduler/db';
import { collectGarbage } from './release-memory';

/** A finalized table a commit consumes; `table` is null once its rows are written and it is released. */
export interface TableHolder {
  table: CandidateTable | null;
}

/**
 * The rows of a finalized table, in contact order, as `email_schedules`
 * rows, for a commit to consume once. With `release`, the holder's table is
 * dropped and memory collected as soon as the last row is handed over (see
 * release-memory.ts). An iterator object rather than a generator: a
 * generator's frame would keep the table alive until the commit returns.
 */
export class ScheduleRowStream implements Iterable<ScheduleRow>, Iterator<ScheduleRow> {
  private contact = 0;
  private email = 0;
  private readonly dates = new Map<number, string>();
  private readonly time: string;

  constructor(
    private readonly holder: TableHolder,
    private readonly runId: string,
    sendTime: string,
    private readonly now: string,
    private readonly release: boolean,
  ) {
    this.time = `${sendTime}:00`;
  }

  [Symbol.iterator](): Iterator<ScheduleRow> {
    return this;
  }

  next(): IteratorResult<ScheduleRow> {
    const row = this.nextRow();
    if (row !== null) return { done: false, value: row };
    // Released here, where no frame holds the table any more (nextRow's has returned; this one never did).
    if (this.release && this.holder.table !== null) {
      this.holder.table = null;
      collectGarbage();
    }
    return { done: true, value: undefined };
  }

  private nextRow(): ScheduleRow | null {
    const table = this.holder.table;
    if (table === null) return null;
    while (this.contact < table.contactCount && this.email >= table.emailStart[this.contact + 1]!) this.contact++;
    if (this.contact >= table.contactCount) return null;
    const e = this.email++;
    const event = table.eventDay[e]!;
    const packed = event === NO_DAY ? null : packedDateOf(event);
    return {
      contactId: table.contactId[this.contact]!,
      emailType: table.typeNames[table.typeCode[e]!]!,
      eventYear: packed === null ? null : Math.floor(packed / 10000),
      eventMonth: packed === null ? null : Math.floor(packed / 100) % 100,
      eventDay: packed === null ? null : packed % 100,
      scheduledSendDate: this.dateOf(table.day[e]!),
      scheduledSendTime: this.time,
      status: table.status[e] === STATUS_PRE_SCHEDULED ? 'pre-scheduled' : 'skipped',
      skipReason: table.skipReason[e] === NO_TEXT ? null : table.textAt(table.skipReason[e]!),
      priority: table.priority[e]!,
      campaignInstanceId: table.campaignInstanceIdAt(e),
      emailTemplate: table.textAt(table.emailTemplate[e]!),
      smsTemplate: table.textAt(table.smsTemplate[e]!),
      schedulerRunId: this.runId,
      metadata: table.textAt(table.metadata[e]!),
      createdAt: this.now,
      updatedAt: this.now,
    };
  }

  /** A run's rows fall on a few hundred days: each date's text is made once. */
  private dateOf(day: number): string {
    let date = this.dates.get(day);
    if (date === undefined) this.dates.set(day, (date = formatIsoDate(day)));
    return date;
  }
}
