import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quietRepeats } from '../src/repeated-errors';

describe('errors that repeat, as a worker reports each reconnect attempt while Redis is gone', () => {
  it('logs the first of a kind at once, then one per window with the count of those held back', () => {
    let clock = 0;
    const logged: [string, string, number][] = [];
    const report = quietRepeats((kind, error, repeats) => logged.push([kind, error.message, repeats]), 30_000, () => clock);
    for (let second = 0; second < 65; second += 1) {
      clock = second * 1000;
      report('scheduler-chunks', new Error('connect ECONNREFUSED'));
    }
    report('scheduler-requests', new Error('connect ECONNREFUSED'));
    report('scheduler-chunks', new Error('another error'));
    expect(logged).toEqual([
      ['scheduler-chunks', 'connect ECONNREFUSED', 0],
      ['scheduler-chunks', 'connect ECONNREFUSED', 29],
      ['scheduler-chunks', 'connect ECONNREFUSED', 29],
      ['scheduler-requests', 'connect ECONNREFUSED', 0],
      ['scheduler-chunks', 'another error', 0],
    ]);
  });

  it('accounts for every report: each is logged or counted in the next line logged of its kind', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y')), { maxLength: 200 }), (reports) => {
        let clock = 0;
        const lines: { key: string; at: number; repeats: number }[] = [];
        const report = quietRepeats((kind, error, repeats) => lines.push({ key: kind + error.message, at: clock, repeats }), 1_000, () => clock);
        const reported = new Map<string, number>();
        const firstAt = new Map<string, number>();
        for (const [step, kind, message] of reports) {
          clock += step;
          report(kind, new Error(message));
          reported.set(kind + message, (reported.get(kind + message) ?? 0) + 1);
          if (!firstAt.has(kind + message)) firstAt.set(kind + message, clock);
        }
        for (const [key, count] of reported) {
          const ofKey = lines.filter((line) => line.key === key);
          const accounted = ofKey.reduce((sum, line) => sum + 1 + line.repeats, 0);
          // Reports after the last line logged are still held back, all inside one window.
          expect(accounted).toBeLessThanOrEqual(count);
          expect(ofKey[0]?.at).toBe(firstAt.get(key));
          for (let i = 1; i < ofKey.length; i += 1) expect(ofKey[i]!.at - ofKey[i - 1]!.at).toBeGreaterThanOrEqual(1_000);
        }
      }),
    );
  });
});
