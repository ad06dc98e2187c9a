import type { z } from 'zod';
import type { Exclusion } from '../exclusion';

/** What a rule kind may look at: the contact's dates as day numbers. */
export interface RuleSubject {
  readonly state: string;
  readonly birthDay: number | null;
  readonly effectiveDay: number | null;
}

export interface RuleSettings {
  readonly preWindowExclusionDays: number;
}

/**
 * A kind of state rule: the shape of its configuration and what it excludes.
 * Adding a kind is adding one of these to `RULE_KINDS`.
 */
export interface RuleKind<Schema extends z.ZodObject = z.ZodObject> {
  readonly schema: Schema;
  readonly exclusionOf: (rule: z.infer<Schema>, subject: RuleSubject, settings: RuleSettings) => Exclusion | null;
}

export const defineRuleKind = <Schema extends z.ZodObject>(kind: RuleKind<Schema>): RuleKind<Schema> => kind;
