import type { HttpBindings } from '@hono/node-server';
import type { Session } from './security/session-store';

/** Hono's typing of a dashboard request: the Node request, and who made it. */
export interface DashboardEnv {
  Bindings: HttpBindings;
  Variables: {
    /** The signed-in user (session or HTTP Basic). */
    user: string;
    /** The browser session; null when the request brought HTTP Basic credentials instead. */
    session: Session | null;
  };
}
