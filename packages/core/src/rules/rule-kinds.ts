import { z } from 'zod';
import { TWO_LETTER_CODES, twoLetterIndex } from '../contacts/state-code';
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

/** What one state's rule excludes for a contact. */
export type StateExclusion = (subject: RuleSubject, settings: RuleSettings) => Exclusion | null;

/** A rule with its kind resolved once, rather than per contact. */
const stateExclusionOf = (rule: StateRule): StateExclusion => {
  const kind = kindByName.get(rule.kind);
  if (kind === undefined) throw new Error(`no rule kind named ${rule.kind}`);
  const exclusionOf = kind.exclusionOf as (rule: StateRule, subject: RuleSubject, settings: RuleSettings) => Exclusion | null;
  return (subject, settings) => exclusionOf(rule, subject, settings);
};

/** The exclusion a state's rule puts on a contact, or null when none applies. */
export const exclusionFor = (
  rule: StateRule | undefined,
  subject: RuleSubject,
  settings: RuleSettings,
): Exclusion | null => (rule === undefined ? null : stateExclusionOf(rule)(subject, settings));

/**
 * Each state's rule, its kind resolved once. Looked up once per contact: a
 * state's two letters index an array, which costs less than a Map lookup by string.
 */
export class StateExclusions {
  private readonly byCode = new Array<StateExclusion | undefined>(TWO_LETTER_CODES).fill(undefined);

  /** `rules` by two-letter state code, as the configuration schema requires. */
  constructor(rules: Readonly<Record<string, StateRule>>) {
    for (const [state, rule] of Object.entries(rules)) {
      const index = twoLetterIndex(state);
      if (index < 0) throw new Error(`state_rules.${state}: not a two-letter state code`);
      this.byCode[index] = stateExclusionOf(rule);
    }
  }

  get(state: string): StateExclusion | undefined {
    const index = twoLetterIndex(state);
    return index < 0 ? undefined : this.byCode[index];
  }
}
