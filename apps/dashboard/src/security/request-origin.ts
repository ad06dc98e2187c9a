import type { Context } from 'hono';

/**
 * Whether the browser says a request comes from one of our own pages: true,
 * false (another site), or null when it says nothing (not a browser, or one
 * too old for Sec-Fetch-Site that sent no Origin either).
 */
export const isSameOrigin = (c: Context): boolean | null => {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const origin = c.req.header('origin');
  if (origin === undefined) return null;
  try {
    return new URL(origin).host === c.req.header('host');
  } catch {
    return false;
  }
};

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

const SELF = 'http://this-site.invalid';

/**
 * A path of this site to return to after signing in, never another site.
 * Parsed the way a browser parses a Location header, so `//host`, `/\host`
 * and `/<tab>/host` (tabs and newlines are dropped) are all seen as another site.
 */
export const localPath = (next: unknown): string => {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  try {
    const url = new URL(next, SELF);
    return url.origin === SELF ? url.pathname + url.search + url.hash : '/';
  } catch {
    return '/';
  }
};
