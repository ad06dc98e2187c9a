import type { Context } from 'hono';
import { ActionRefusedError } from './dashboard-errors';
import type { DashboardEnv } from './dashboard-env';

type FormBody = Awaited<ReturnType<Context['req']['parseBody']>>;

/** A posted form's fields; a body that is not a readable form is the sender's mistake (400), not ours (500). */
export const formBody = async (c: Context<DashboardEnv>): Promise<FormBody> => {
  try {
    return await c.req.parseBody();
  } catch (error) {
    throw new ActionRefusedError(`the form could not be read: ${error instanceof Error ? error.message : String(error)}`, 400, { cause: error });
  }
};
