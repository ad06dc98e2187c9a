import type { StateRule } from '../rules/rule-kinds';

/** RULES.md §5's table; `state_rules` in the configuration replaces it whole. */
export const DEFAULT_STATE_RULES: Record<string, StateRule> = {
  CA: { kind: 'birthday_window', before: 30, after: 60, use_month_start: false },
  ID: { kind: 'birthday_window', before: 0, after: 63, use_month_start: false },
  KY: { kind: 'birthday_window', before: 0, after: 60, use_month_start: false },
  MD: { kind: 'birthday_window', before: 0, after: 30, use_month_start: false },
  NV: { kind: 'birthday_window', before: 0, after: 60, use_month_start: true },
  OK: { kind: 'birthday_window', before: 0, after: 60, use_month_start: false },
  OR: { kind: 'birthday_window', before: 0, after: 31, use_month_start: false },
  VA: { kind: 'birthday_window', before: 0, after: 30, use_month_start: false },
  MO: { kind: 'effective_date_window', before: 30, after: 33, use_month_start: false },
  CT: { kind: 'year_round' },
  MA: { kind: 'year_round' },
  NY: { kind: 'year_round' },
  WA: { kind: 'year_round' },
};
