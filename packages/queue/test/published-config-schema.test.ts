import { ConfigSchema, defaultConfig } from '@scheduler/core';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_JOB_SCHEMAS } from '../src/index';

type JobName = keyof typeof PUBLISHED_JOB_SCHEMAS;

const BASE_PAYLOADS: Record<JobName, Record<string, unknown>> = {
  'reschedule-contacts': { organization: 'acme', contactIds: [17] },
  'reschedule-campaign': { organization: 'acme', campaignInstanceId: 7 },
  'full-run': { organization: 'acme' },
};

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const publishedValidator = (name: JobName) =>
  ajv.compile(JSON.parse(readFileSync(new URL(`../schemas/${name}.schema.json`, import.meta.url), 'utf8')) as object);
const validators = Object.fromEntries(
  (Object.keys(BASE_PAYLOADS) as JobName[]).map((name) => [name, publishedValidator(name)]),
) as Record<JobName, ReturnType<typeof publishedValidator>>;

/** What a worker makes of a job's configuration: its payload schema, then the configuration schema. */
const workerVerdict = (name: JobName, payload: Record<string, unknown>) => {
  if (!PUBLISHED_JOB_SCHEMAS[name].safeParse(payload).success) return { accepts: false, onlyCodedChecks: false };
  const config = ConfigSchema.safeParse(payload.config ?? {});
  return { accepts: config.success, onlyCodedChecks: config.error?.issues.every((issue) => issue.code === 'custom') ?? true };
};

/** Every path to a value in the configuration with its defaults, arrays' items included. */
const leafPaths = (value: unknown, path: (string | number)[] = []): (string | number)[][] => {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((item, i) => leafPaths(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : [path, ...entries.flatMap(([key, item]) => leafPaths(item, [...path, key]))];
  }
  return [path];
};

const withValueAt = (root: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> => {
  const copy = structuredClone(root);
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
};

const CONFIG = defaultConfig() as unknown as Record<string, unknown>;
const PATHS = leafPaths(CONFIG).filter((path) => path.length > 0);

const valueNearABound = fc.oneof(
  fc.integer({ min: -3, max: 4_000 }),
  fc.constantFrom(0, 1, 12, 13, 29, 30, 31, 32, 61, 62, 364, 365, 366, 367, 3_650, 3_651, 1_000_000, 1_000_001, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(0.07, 0.5, 1, 1.2, 100, 100.5, -0.1, 2.5),
  fc.constantFrom('08:30', '23:59', '24:00', '8:30', 'America/Chicago', 'Mars/Olympus', '', 'birthday_window', 'year_round', 'tmpl'),
  fc.constantFrom(null, true, false, [], {}, [{ month: 2, day: 30 }], [2026]),
);

/** A configuration with defaults everywhere but one value, or one key no configuration has. */
const oneChangedConfig = fc.oneof(
  fc.tuple(fc.constantFrom(...PATHS), valueNearABound).map(([path, value]) => withValueAt(CONFIG, path, value)),
  fc.tuple(fc.constantFrom([], ...PATHS.filter((path) => typeof path.at(-1) === 'string')), fc.constantFrom('extra', 'BatchSize')).map(([path, key]) => {
    const parent = path.length === 0 ? CONFIG : withValueAt(CONFIG, path, {});
    return path.length === 0 ? { ...parent, [key]: 1 } : withValueAt(parent, [...path, key], 1);
  }),
);

describe("the configuration in a published job schema", () => {
  it('lets through every configuration the worker takes, and refuses only what the worker refuses too', () => {
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(BASE_PAYLOADS) as JobName[])), oneChangedConfig, (name, config) => {
        const payload = { ...BASE_PAYLOADS[name], config };
        const byFile = validators[name](payload);
        const byWorker = workerVerdict(name, payload);
        if (byWorker.accepts) expect(byFile, JSON.stringify(validators[name].errors)).toBe(true);
        // The file may let through only what the worker's coded checks (calendar days, time zones, window spans) refuse.
        if (byFile && !byWorker.accepts) expect(byWorker.onlyCodedChecks).toBe(true);
      }),
      { numRuns: 1_500 },
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['a key no configuration has', { batch_sise: 500 }],
    ['a batch size of 0', { batch_size: 0 }],
    ['a negative follow-up delay', { timing: { followup_delay_days: -1 } }],
    ['a send time without its leading zero', { send_time: '8:30' }],
    ['a lower-case state code', { state_rules: { ca: { kind: 'year_round' } } }],
    ['a rule of no known kind', { state_rules: { CA: { kind: 'sometimes' } } }],
    ['a month 13', { aep: { dates: [{ month: 13, day: 1 }] } }],
    ['a daily cap of 0 %', { load_balancing: { daily_send_percentage_cap: 0 } }],
  ])('refuses %s, as the worker does', (_what, config) => {
    for (const name of Object.keys(BASE_PAYLOADS) as JobName[]) {
      const payload = { ...BASE_PAYLOADS[name], config };
      expect(validators[name](payload), name).toBe(false);
      expect(workerVerdict(name, payload).accepts, name).toBe(false);
    }
  });

  it('takes a partial configuration, as the worker does', () => {
    const payload = { ...BASE_PAYLOADS['full-run'], config: { batch_size: 500, timing: { followup_delay_days: 3 } } };
    expect(validators['full-run'](payload)).toBe(true);
    expect(workerVerdict('full-run', payload).accepts).toBe(true);
  });
});
