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

/** How long a thread waits without a task before it collects. */
const IDLE_COLLECTION_DELAY_MS = 1_000;
let idleCollection: ReturnType<typeof setTimeout> | null = null;

const cancelIdleCollection = (): void => {
  if (idleCollection !== null) clearTimeout(idleCollection);
  idleCollection = null;
};

/**
 * A compute thread's tasks call this when they start and end: a thread that
 * then stays idle for a second collects its garbage once. Through a full
 * run's commit the threads that computed chunks sit idle with 110–180 MB of
 * heap each, most of it garbage (after a collection: 82 MB, 31 MB of it
 * live), while the finalizer's thread holds the run's rows and the page
 * cache: the process's peak. Back-to-back chunks never wait that long, so
 * no chunk pays for a collection. (Needs the pool's asynchronous waiting,
 * which leaves an idle thread's event loop free to run the timer.)
 */
export const collectWhenIdle = {
  taskStarted: cancelIdleCollection,
  taskEnded(): void {
    cancelIdleCollection();
    idleCollection = setTimeout(() => {
      idleCollection = null;
      collectGarbage();
    }, IDLE_COLLECTION_DELAY_MS);
    // Never what keeps a thread or a process alive.
    idleCollection.unref();
  },
};
