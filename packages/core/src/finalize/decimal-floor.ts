/** `x` as the exact fraction of its shortest decimal text (0.29 → 29/100): the number as configured. */
const decimalFraction = (x: number): [bigint, bigint] => {
  const [mantissa, exponentText] = String(x).split('e') as [string, string | undefined];
  const [whole, fraction = ''] = mantissa.split('.') as [string, string | undefined];
  let numerator = BigInt(`${whole}${fraction}`);
  let denominator = 10n ** BigInt(fraction.length);
  const exponent = Number(exponentText ?? 0);
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  return [numerator, denominator];
};

/**
 * floor(a × b) of two finite numbers taken as the decimals they are written
 * as: RULES.md §9's floor(N × daily_send_percentage_cap) for N = 100 and 0.29
 * is 29, where binary floating point gives floor(28.999999999999996) = 28.
 */
export const floorOfProduct = (a: number, b: number): number => {
  const [aNumerator, aDenominator] = decimalFraction(a);
  const [bNumerator, bDenominator] = decimalFraction(b);
  const numerator = aNumerator * bNumerator;
  const denominator = aDenominator * bDenominator;
  const truncated = numerator / denominator;
  return Number(numerator < 0n && numerator % denominator !== 0n ? truncated - 1n : truncated);
};
