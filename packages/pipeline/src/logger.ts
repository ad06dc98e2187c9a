import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * pino JSON logs. Commands that print results on stdout log to stderr, so
 * that a `--json` summary stays the last line of stdout.
 */
export const createLogger = (options: { level?: string; toStderr?: boolean; name?: string } = {}): Logger =>
  pino(
    { level: options.level ?? 'info', base: { name: options.name ?? 'scheduler' } },
    pino.destination({ dest: options.toStderr === true ? 2 : 1, sync: true }),
  );
