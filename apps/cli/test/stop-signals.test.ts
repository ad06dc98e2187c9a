import { describe, expect, it } from 'vitest';
import { stopOnSignals } from '../src/stop-signals';

describe('stop signals of a long-running command', () => {
  const record = () => {
    let clock = 0;
    const seen: string[] = [];
    const onSignal = stopOnSignals(
      (signal) => seen.push(`stop ${signal} at ${clock}`),
      (signal) => seen.push(`force ${signal} at ${clock}`),
      () => clock,
    );
    return { seen, signal: (name: string, at: number) => ((clock = at), onSignal(name)) };
  };

  it('takes a stop delivered twice at once (the process group signalled, and a wrapper passing it on) as one graceful stop', () => {
    const { seen, signal } = record();
    signal('SIGINT', 0);
    signal('SIGINT', 3);
    signal('SIGTERM', 999);
    expect(seen).toEqual(['stop SIGINT at 0']);
  });

  it('forces the stop on a signal sent again later, once', () => {
    const { seen, signal } = record();
    signal('SIGTERM', 0);
    signal('SIGTERM', 1_000);
    signal('SIGTERM', 5_000);
    expect(seen).toEqual(['stop SIGTERM at 0', 'force SIGTERM at 1000']);
  });
});
