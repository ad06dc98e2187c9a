import { z } from 'zod';
import { configErrorFromZod } from './config-error';
import { StateRuleSchema } from '../rules/rule-kinds';
import { DEFAULT_STATE_RULES } from './default-state-rules';

const dayCount = z.number().int().min(0).max(3650);
const MAX_WINDOW_DAYS = 364;

const MonthDaySchema = z
  .strictObject({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) })
  .refine(({ month, day }) => day <= DAYS_IN_MONTH_LEAP[month - 1]!, {
    message: 'is not a calendar day',
  });
const DAYS_IN_MONTH_LEAP = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const TemplateSchema = z.strictObject({
  email: z.string().min(1).optional(),
  sms: z.string().min(1).nullable().optional(),
});

const isValidTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * The scheduler's whole configuration (CONTRACT.md §Configuration): every key
 * optional, every default stated once here, unknown keys refused.
 */
export const ConfigSchema = z.strictObject({
  timezone: z.string().refine(isValidTimeZone, { message: 'is not an IANA time zone' }).default('America/Chicago'),
  send_time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be HH:MM (24-hour)' })
    .default('08:30'),
  batch_size: z.number().int().min(1).max(1_000_000).default(10_000),
  timing: z
    .strictObject({
      birthday_email_days_before: dayCount.default(14),
      effective_date_days_before: dayCount.default(30),
      pre_window_exclusion_days: dayCount.default(60),
      followup_delay_days: dayCount.default(2),
      followup_lookback_days: dayCount.default(35),
    })
    .prefault({}),
  aep: z
    .strictObject({
      dates: z.array(MonthDaySchema).default([{ month: 9, day: 15 }]),
      years: z.array(z.number().int().min(1900).max(9999)).nullable().default(null),
    })
    .prefault({}),
  frequency: z
    .strictObject({
      max_emails_per_period: z.number().int().min(1).default(3),
      period_days: z.number().int().min(1).max(3650).default(30),
    })
    .prefault({}),
  load_balancing: z
    .strictObject({
      daily_send_percentage_cap: z.number().gt(0).max(1).default(0.07),
      ed_daily_soft_limit: z.number().int().min(0).default(15),
      ed_smoothing_window_days: z.number().int().min(1).max(61).default(5),
      catch_up_spread_days: z.number().int().min(1).max(366).default(7),
      overage_threshold: z.number().min(1).max(100).default(1.2),
    })
    .prefault({}),
  priorities: z
    .strictObject({
      birthday: z.number().int().default(10),
      effective_date: z.number().int().default(20),
      aep: z.number().int().default(30),
      post_window: z.number().int().default(40),
      followup: z.number().int().default(50),
    })
    .prefault({}),
  templates: z
    .partialRecord(
      z.enum([
        'birthday',
        'effective_date',
        'aep',
        'post_window',
        'followup_1_cold',
        'followup_2_clicked_no_hq',
        'followup_3_hq_no_yes',
        'followup_4_hq_with_yes',
      ]),
      TemplateSchema,
    )
    // CONTRACT.md's block of names and defaults lists this one entry (state_rules alone is marked an example there).
    // Given, the table replaces it whole: a type it leaves out takes its email_type.
    .default({ birthday: { email: 'birthday_v1', sms: null } }),
  state_rules: z
    .record(z.string().regex(/^[A-Z]{2}$/, { message: 'must be a two-letter state code' }), StateRuleSchema)
    .default(DEFAULT_STATE_RULES),
}).superRefine((config, context) => {
  // Anniversaries are at least 365 days apart: a window of at most 364 days ends
  // before next year's begins, so the post-window email after it is not skipped
  // by the next window (which would earn another post-window email, forever).
  for (const [state, rule] of Object.entries(config.state_rules)) {
    if (!('before' in rule)) continue;
    const spanDays = rule.before + config.timing.pre_window_exclusion_days + rule.after + 1;
    if (spanDays > MAX_WINDOW_DAYS) {
      context.addIssue({
        code: 'custom',
        path: ['state_rules', state],
        message: `before + timing.pre_window_exclusion_days + after spans ${spanDays} days; a window may span at most ${MAX_WINDOW_DAYS}`,
      });
    }
  }
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** The configuration with every default applied. */
export const defaultConfig = (): Config => ConfigSchema.parse({});

/** Validates an already-parsed configuration object; the error names each bad key. */
export const parseConfig = (raw: unknown, source = 'configuration'): Config => {
  const result = ConfigSchema.safeParse(raw ?? {});
  if (!result.success) throw configErrorFromZod(source, result.error);
  return result.data;
};
