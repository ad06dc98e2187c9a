import type { OrganizationDb } from '../connection/open-organization-db';

/** scheduler_state: how many changes the triggers of migration 0005 have counted to what a run reads. */
const INPUT_GENERATION_KEY = 'input_generation';

const WATCHED = {
  contacts: ['insert', 'update', 'delete'],
  campaign_types: ['insert', 'update', 'delete'],
  campaign_instances: ['insert', 'update', 'delete'],
  contact_campaigns: ['insert', 'update', 'delete'],
  tracking_clicks: ['insert', 'update', 'delete'],
  contact_events: ['insert', 'update', 'delete'],
  email_schedules: ['insert', 'update', 'delete'],
  campaign_change_log: ['insert'],
} as const;

/** The triggers of migration 0005, one per watched table and change. */
const INPUT_TRIGGERS: readonly string[] = Object.entries(WATCHED).flatMap(([table, changes]) =>
  changes.map((change) => `scheduler_inputs_${table}_${change}`),
);

const INPUT_TRIGGER_ROWS = `FROM sqlite_master WHERE type = 'trigger' AND name IN (${INPUT_TRIGGERS.map(() => '?').join(', ')})`;

/**
 * The organization's input generation: it moves whenever anyone changes the
 * contacts, the campaign tables, clicks, events or a schedule row outside a
 * full run's commit. Null when it is not kept (its row or one of its
 * triggers was removed, say with a table rebuilt by hand): then no two
 * moments can be told to have read the same inputs.
 */
export const readInputGeneration = (db: OrganizationDb): number | null => {
  const { sqlite } = db;
  const triggers = sqlite
    .prepare(`SELECT count(*) ${INPUT_TRIGGER_ROWS}`)
    .pluck()
    .get(...INPUT_TRIGGERS) as number;
  if (triggers !== INPUT_TRIGGERS.length) return null;
  const value = sqlite.prepare(`SELECT value FROM scheduler_state WHERE key = ?`).pluck().get(INPUT_GENERATION_KEY) as string | undefined;
  const generation = Number(value);
  return value === undefined || !Number.isSafeInteger(generation) ? null : generation;
};

/**
 * A full run's commit: its rows replace every earlier run's, so no run completed before it may be taken
 * for the one the file holds (a run asked for again is skipped only while the generation is the one it
 * recorded). Returns the new generation; null when it is not kept.
 */
export const advanceInputGeneration = (db: OrganizationDb): number | null => {
  db.sqlite.prepare(`UPDATE scheduler_state SET value = CAST(value AS INTEGER) + 1 WHERE key = ?`).run(INPUT_GENERATION_KEY);
  return readInputGeneration(db);
};

/**
 * For a bulk load into a new file (the seed), inside its transaction: drops the triggers, so that millions
 * of rows do not each count themselves, and `restore` re-creates them and counts the load as one change.
 */
export const suspendInputTriggers = (sqlite: OrganizationDb['sqlite']): { restore: () => void } => {
  const triggers = sqlite
    .prepare(`SELECT name, sql ${INPUT_TRIGGER_ROWS}`)
    .raw()
    .all(...INPUT_TRIGGERS) as [string, string][];
  for (const [name] of triggers) sqlite.exec(`DROP TRIGGER "${name}"`);
  return {
    restore: () => {
      for (const [, sql] of triggers) sqlite.exec(sql);
      sqlite.prepare(`UPDATE scheduler_state SET value = CAST(value AS INTEGER) + 1 WHERE key = ?`).run(INPUT_GENERATION_KEY);
    },
  };
};
