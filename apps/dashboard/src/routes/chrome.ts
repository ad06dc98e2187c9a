import type { Context } from 'hono';
import type { DashboardEnv } from '../dashboard-env';
import type { PageChrome } from '../views/layout';

/** The page chrome of a signed-in request. */
export const chromeOf = (
  c: Context<DashboardEnv>,
  readOnly: boolean,
  title: string,
  extra: Pick<PageChrome, 'breadcrumbs' | 'refreshSeconds'> = {},
): PageChrome => ({
  title,
  user: c.get('user') ?? null,
  csrfToken: c.get('session')?.csrfToken ?? null,
  readOnly,
  ...extra,
});

/** The token a page puts in its action forms, or null when it shows no actions (read-only, or no session to check it against). */
export const actionTokenOf = (c: Context<DashboardEnv>, readOnly: boolean): string | null =>
  readOnly ? null : (c.get('session')?.csrfToken ?? null);
