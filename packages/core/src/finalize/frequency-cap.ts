import { FLAG_FOLLOWUP, STATUS_PRE_SCHEDULED, STATUS_SKIPPED, type CandidateTable } from './candidate-table';

/** Whether one more email on `day` keeps every `periodDays` window at or under `maxEmails`. */
const fits = (admitted: readonly number[], day: number, periodDays: number, maxEmails: number): boolean => {
  // The fullest window holding `day` starts either as early as it can or just as an admitted day enters on its right.
  const starts = [day - periodDays + 1];
  for (const other of admitted) if (other > day && other < day + periodDays) starts.push(other - periodDays + 1);
  for (const start of starts) {
    let count = 1;
    for (const other of admitted) if (other >= start && other < start + periodDays) count++;
    if (count > maxEmails) return false;
  }
  return true;
};

/**
 * RULES.md §9.3: per contact, at most `maxEmails` in any `periodDays`
 * consecutive days, counting the run's pre-scheduled emails and the sender's
 * history; follow-ups neither count nor are capped. Emails are admitted by
 * priority number, then date, then type; one that would break the cap is
 * skipped. Returns the indexes of the emails it skipped.
 */
export const enforceFrequencyCap = (table: CandidateTable, periodDays: number, maxEmails: number): number[] => {
  const typeRank = table.typeRanks();
  const capped: number[] = [];
  const order: number[] = [];
  const admitted: number[] = [];
  for (let c = 0; c < table.contactCount; c++) {
    order.length = 0;
    admitted.length = 0;
    for (let h = table.historyStart[c]!; h < table.historyStart[c + 1]!; h++) {
      if (table.historyCountsForFrequency[h] === 1) admitted.push(table.historySentDay[h]!);
    }
    for (let e = table.emailStart[c]!; e < table.emailStart[c + 1]!; e++) {
      if (table.status[e] === STATUS_PRE_SCHEDULED && (table.flags[e]! & FLAG_FOLLOWUP) === 0) order.push(e);
    }
    if (admitted.length + order.length <= maxEmails) continue;
    order.sort(
      (a, b) =>
        table.priority[a]! - table.priority[b]! ||
        table.day[a]! - table.day[b]! ||
        typeRank[table.typeCode[a]!]! - typeRank[table.typeCode[b]!]!,
    );
    for (const e of order) {
      if (fits(admitted, table.day[e]!, periodDays, maxEmails)) admitted.push(table.day[e]!);
      else {
        table.status[e] = STATUS_SKIPPED;
        capped.push(e);
      }
    }
  }
  return capped;
};
