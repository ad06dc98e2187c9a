import { z } from 'zod';
import { NO_DAY, packedDateOf } from '../../dates/epoch-day';
import type { Exclusion } from '../exclusion';
import { defineRuleKind, type RuleSettings } from './rule-kind';

const windowBounds = {
  before: z.number().int().min(0).max(366),
  after: z.number().int().min(0).max(366),
  use_month_start: z.boolean().default(false),
};

interface WindowRule {
  before: number;
  after: number;
  use_month_start: boolean;
}

const windowAround = (
  state: string,
  name: string,
  anchorDay: number | null,
  rule: WindowRule,
  settings: RuleSettings,
): Exclusion | null => {
  if (anchorDay === null) return null;
  // Anchors are parsed dates (years 0–9999): integer division of the packed form is exact.
  const packed = packedDateOf(anchorDay);
  return {
    state,
    window: {
      name,
      anchorYear: (packed / 10000) | 0,
      anchorMonth: ((packed / 100) | 0) % 100,
      anchorDay: packed % 100,
      useMonthStart: rule.use_month_start,
      daysBefore: rule.before + settings.preWindowExclusionDays,
      daysAfter: rule.after,
    },
    yearRoundFrom: NO_DAY,
    yearRoundReason: '',
  };
};

/** No marketing email around the contact's birthday (CA, NV, …). */
export const birthdayWindow = defineRuleKind({
  schema: z.strictObject({ kind: z.literal('birthday_window'), ...windowBounds }),
  exclusionOf: (rule, subject, settings) =>
    windowAround(subject.state, 'birthday window', subject.birthDay, rule, settings),
});

/** No marketing email around the policy's effective-date anniversary (MO). */
export const effectiveDateWindow = defineRuleKind({
  schema: z.strictObject({ kind: z.literal('effective_date_window'), ...windowBounds }),
  exclusionOf: (rule, subject, settings) =>
    windowAround(subject.state, 'effective-date window', subject.effectiveDay, rule, settings),
});
