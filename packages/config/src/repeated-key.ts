import { isPair, isScalar, LineCounter, parseDocument, visit, type Pair } from 'yaml';

export interface RepeatedKey {
  /** Dotted from the top, as configuration errors name keys. */
  readonly key: string;
  readonly line: number;
}

const keyText = (pair: Pair): string => String(isScalar(pair.key) ? pair.key.value : pair.key);

/**
 * The first key a mapping of the text gives twice, or null. JSON is YAML too, so one reading serves both
 * formats: `JSON.parse` keeps the last of two values silently, where the one meant may be the first.
 */
export const repeatedKeyOf = (text: string): RepeatedKey | null => {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: false, lineCounter });
  let repeated: RepeatedKey | null = null;
  visit(document, {
    Map(_, map, ancestors) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = keyText(pair);
        if (seen.has(key)) {
          const parents = ancestors.filter((node): node is Pair => isPair(node)).map(keyText);
          const offset = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
          repeated = { key: [...parents, key].join('.'), line: lineCounter.linePos(offset).line };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return repeated;
};
