import { z } from 'zod';
import { birthdayWindow, effectiveDateWindow } from './kinds/anniversary-window';
import { yearRound, yearRoundFromAge } from './kinds/year-round';
import type { Exclusion } from './exclusion';
import type { RuleSettings, RuleSubject } from './kinds/rule-kind';

/** Every kind of state rule. A new kind is one more entry here. */
export const RULE_KINDS = [birthdayWindow, effectiveDateWindow, yearRound, yearRoundFromAge] as const;

export const StateRuleSchema = z.discriminatedUnion('kind', [
  RULE_KINDS[0].schema,
  RULE_KINDS[1].schema,
  RULE_KINDS[2].schema,
  RULE_KINDS[3].schema,
]);

export type StateRule = z.infer<typeof StateRuleSchema>;

const kindByName = new Map<string, (typeof RULE_KINDS)[number]>(
  RULE_KINDS.map((kind) => [kind.schema.shape.kind.value, kind]),
);

/** The exclusion a state's rule puts on a contact, or null when none applies. */
export const exclusionFor = (
  rule: StateRule | undefined,
  subject: RuleSubject,
  settings: RuleSettings,
): Exclusion | null => {
  if (rule === undefined) return null;
  const kind = kindByName.get(rule.kind);
  if (kind === undefined) throw new Error(`no rule kind named ${rule.kind}`);
  return (kind.exclusionOf as (rule: StateRule, subject: RuleSubject, settings: RuleSettings) => Exclusion | null)(
    rule,
    subject,
    settings,
  );
};
