import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null = null;

/**
 * A full garbage collection now. The finalizer drops a run's candidate
 * table (hundreds of MB of typed arrays) once its rows are written, before
 * the commit's index builds take as much again in SQLite's sorter; nothing
 * in between allocates on the JavaScript heap, so without this the table
 * would stay in memory through the peak. `--expose-gc` set at run time (as
 * test runners do for leak checks), since a thread's execArgv cannot carry
 * V8 flags.
 */
export const collectGarbage = (): void => {
  if (gc === null) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
};
