import { threadId } from 'node:worker_threads';
import {
  CandidateTable,
  contactPlacement,
  createSchedulingContext,
  finalizeRun,
  parseConfig,
  parseIsoDate,
  scheduleContactInto,
} from '@scheduler/core';
import { zipToState } from '@scheduler/zip-states';

/** ZIPs of states with and without exclusion windows, so that every rule path is compiled. */
const ZIPS = ['90210', '10001', '60601', '73301', '33101', '64101', '89501', '97201', '83701', '21201'];
const CONTACTS = 2_000;

/**
 * What a fresh compute thread pays on its first task (the ZIP table, the
 * time-zone converter, compiling the rules), paid at worker start on
 * synthetic contacts instead of by the first reschedule it serves (measured
 * 0.7–5.6 s). Touches no database.
 */
export const warmUpThread = (): { threadId: number } => {
  const config = parseConfig({}, 'the warm-up configuration');
  const today = parseIsoDate('2026-01-15')!;
  const { context } = createSchedulingContext({ today, config, zipToState, campaignTypes: [], campaignInstances: [] });
  const table = new CandidateTable({ contacts: CONTACTS, emails: CONTACTS * 4 });
  const placement = contactPlacement(context, table);
  for (let id = 1; id <= CONTACTS; id++) {
    const month = String(1 + (id % 12)).padStart(2, '0');
    scheduleContactInto(placement, {
      contact: {
        id,
        email: `warm-up-${id}@example.com`,
        zipCode: ZIPS[id % ZIPS.length]!,
        state: null,
        birthDate: `1950-${month}-${String(1 + (id % 28)).padStart(2, '0')}`,
        effectiveDate: `2015-${month}-01`,
      },
      history: [],
      targets: [],
      behaviour: [],
    });
  }
  finalizeRun({ table, today, config, contactRowCount: CONTACTS, existing: new Map() });
  return { threadId };
};
