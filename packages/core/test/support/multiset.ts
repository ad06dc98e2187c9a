/** Lines of `a` not matched in `b` (multiset difference): what one side has that the other lacks. */
export const multisetMinus = (a: readonly string[], b: readonly string[]): string[] => {
  const left = new Map<string, number>();
  for (const line of b) left.set(line, (left.get(line) ?? 0) + 1);
  const out: string[] = [];
  for (const line of a) {
    const n = left.get(line) ?? 0;
    if (n > 0) left.set(line, n - 1);
    else out.push(line);
  }
  return out;
};
