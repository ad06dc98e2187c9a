import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    schedulerCliBundle: string;
  }
}

/** The arguments after `node` that run `scheduler ARGS` from the test run's bundle. */
export const schedulerNodeArgs = (args: readonly string[]): string[] => [inject('schedulerCliBundle'), ...args];
