import { FLAG_RESPECTS_WINDOWS, STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';
import { isExcludedAt } from './move-rules';

/** A broken promise of RULES.md: the run must stop before anything is written. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/** RULES.md §9: no pre-scheduled email inside its contact's exclusion window, and none before today. */
export const assertScheduleInvariants = (table: CandidateTable, today: number, step: string): void => {
  for (let e = 0; e < table.emailCount; e++) {
    if (table.status[e] !== STATUS_PRE_SCHEDULED) continue;
    const day = table.day[e]!;
    if (day < today) {
      throw new InvariantViolation(`after ${step}: contact ${table.contactId[table.contactIndex[e]!]} has an email before today`);
    }
    if ((table.flags[e]! & FLAG_RESPECTS_WINDOWS) !== 0 && isExcludedAt(table, table.contactIndex[e]!, day)) {
      throw new InvariantViolation(
        `after ${step}: contact ${table.contactId[table.contactIndex[e]!]} has a ${table.typeNames[table.typeCode[e]!]} email inside its exclusion window`,
      );
    }
  }
};
