import { z } from 'zod';
import { anniversaryOf } from '../../dates/anniversary';
import { packedDateOf } from '../../dates/epoch-day';
import { ALWAYS, type Exclusion } from '../exclusion';
import { defineRuleKind } from './rule-kind';

// Every contact of a year-round state has the same exclusion: one object per state.
const yearRoundByState = new Map<string, Exclusion>();

/** No marketing email at all (CT, MA, NY, WA). */
export const yearRound = defineRuleKind({
  schema: z.strictObject({ kind: z.literal('year_round') }),
  exclusionOf: (_rule, subject) => {
    let exclusion = yearRoundByState.get(subject.state);
    if (exclusion === undefined) {
      exclusion = {
        state: subject.state,
        window: null,
        yearRoundFrom: ALWAYS,
        yearRoundReason: `year_round: ${subject.state} allows no marketing email all year`,
      };
      yearRoundByState.set(subject.state, exclusion);
    }
    return exclusion;
  },
});

/**
 * No marketing email once the contact reaches `min_age` (the "76+" rule the
 * business expects some state to adopt). Without a birth date it cannot apply.
 */
export const yearRoundFromAge = defineRuleKind({
  schema: z.strictObject({ kind: z.literal('year_round_from_age'), min_age: z.number().int().min(0).max(150) }),
  exclusionOf: (rule, subject) => {
    if (subject.birthDay === null) return null;
    const birth = packedDateOf(subject.birthDay);
    const birthYear = Math.floor(birth / 10000);
    return {
      state: subject.state,
      window: null,
      yearRoundFrom: anniversaryOf(Math.floor(birth / 100) % 100, birth % 100, birthYear + rule.min_age),
      yearRoundReason: `year_round: ${subject.state} allows no marketing email to contacts aged ${rule.min_age} or more`,
    };
  },
});
