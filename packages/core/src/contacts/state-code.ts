const LETTERS = 26;
const CAPITAL_A = 65;

/** How many codes of two capital letters there are: the length of an array `twoLetterIndex` indexes. */
export const TWO_LETTER_CODES = LETTERS * LETTERS;

/**
 * The index of a code of two capital letters (`CA` → 54), or -1 for any
 * other text. Per-contact lookups by state index an array with it, which
 * costs less than a Map lookup by string.
 */
export const twoLetterIndex = (state: string): number => {
  if (state.length !== 2) return -1;
  const first = state.charCodeAt(0) - CAPITAL_A;
  const second = state.charCodeAt(1) - CAPITAL_A;
  return first >= 0 && first < LETTERS && second >= 0 && second < LETTERS ? first * LETTERS + second : -1;
};
