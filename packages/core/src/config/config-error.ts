import type { z } from 'zod';

/** A configuration that cannot be used; the message names every bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly keys: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const keyOf = (path: readonly PropertyKey[]): string =>
  path.length === 0 ? '(top level)' : path.map(String).join('.');

/** Turns zod's issues into one error whose message names each bad key. */
export const configErrorFromZod = (source: string, error: z.ZodError): ConfigError => {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => keyOf([...issue.path, key]));
      return { keys, text: `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` };
    }
    const key = keyOf(issue.path);
    return { keys: [key], text: `${key}: ${issue.message}` };
  });
  return new ConfigError(
    `invalid configuration in ${source}: ${lines.map((line) => line.text).join('; ')}`,
    lines.flatMap((line) => line.keys),
  );
};
