import type Database from 'better-sqlite3';

/** The statuses that count toward a day (RULES.md §9), as `schedule_day_counts` keeps them. */
const COUNTED = new Set(['pre-scheduled', 'scheduled', 'processing']);

/**
 * What a full run's commit changes in `schedule_day_counts`, gathered while
 * our triggers are suspended and applied in one pass at the end: the
 * triggers cost an upsert per written row (more than the row itself when
 * tens of thousands of rows move), a recount reads the whole index.
 */
export class DayCountDeltas {
  private readonly deltas = new Map<string, number>();

  add(scheduledSendDate: string, status: string, emailType: string, delta: number): void {
    if (!COUNTED.has(status)) return;
    const key = `${scheduledSendDate}\u0000${status}\u0000${emailType}`;
    this.deltas.set(key, (this.deltas.get(key) ?? 0) + delta);
  }

  apply(sqlite: Database.Database): void {
    const upsert = sqlite.prepare(
      `INSERT INTO schedule_day_counts (scheduled_send_date, status, email_type, row_count) VALUES (?, ?, ?, ?)
       ON CONFLICT (scheduled_send_date, status, email_type) DO UPDATE SET row_count = row_count + excluded.row_count`,
    );
    for (const [key, delta] of this.deltas) {
      if (delta === 0) continue;
      const [date, status, emailType] = key.split('\u0000') as [string, string, string];
      upsert.run(date, status, emailType, delta);
    }
  }
}
