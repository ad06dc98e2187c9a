// The entry of the aggregate thread. Worker threads do not inherit the
// TypeScript loader of the process that starts them, so it is registered here
// before the reads (TypeScript) are imported.
import { register } from 'tsx/esm/api';

register();
const { runAggregateTask } = await import('./aggregate-tasks.ts');

export default runAggregateTask;
