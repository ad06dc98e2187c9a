// The entry of each compute thread. Worker threads do not inherit the
// TypeScript loader of the process that starts them, so it is registered here
// before the tasks (TypeScript) are imported.
import { register } from 'tsx/esm/api';

register();
const { runThreadTask } = await import('./run-thread-task.ts');

export default runThreadTask;
