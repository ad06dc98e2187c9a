import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir never returns
 * when a parent refuses new entries with ENOENT (anything under /proc): it
 * keeps creating the parent it was just told is missing.
 */
export const makeDirectory = (path: string): void => {
  const missing: string[] = [];
  let at = resolve(path);
  for (; !existsSync(at); at = dirname(at)) missing.unshift(at);
  if (!statSync(at).isDirectory()) throw new Error(`${at} is not a directory`);
  for (const directory of missing) {
    try {
      mkdirSync(directory);
    } catch (error) {
      // Another process may make the same directory between the look and the mkdir.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the directory ${directory}`, { cause: error });
    }
  }
};
