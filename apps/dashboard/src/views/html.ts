import { html } from 'hono/html';

/** Markup built with `html` (interpolations are escaped; nested markup is kept). */
export type Html = ReturnType<typeof html>;

export { html };

const countFormat = new Intl.NumberFormat('en-US');

export const formatCount = (value: number): string => countFormat.format(value);

/** `850 ms`, `12.4 s`, `3 min 20 s`, `2 h 5 min`. */
export const formatDuration = (ms: number): string => {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3_600)} h ${Math.floor((seconds % 3_600) / 60)} min`;
};

/** `5 min ago`, `3 h ago`, `2 d ago`. */
export const formatAge = (ms: number): string => {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} d ago`;
};

/** A path segment, encoded. */
export const segment = (value: string | number): string => encodeURIComponent(String(value));
