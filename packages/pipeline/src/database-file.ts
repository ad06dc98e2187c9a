import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * A database file as a request names it (`databaseFile`) and a worker compares it: its real path, so that two ways
 * to one file (a link, a relative path) are one file. A file not there is named by its absolute path.
 */
export const realDatabaseFile = (path: string): string => {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
};
