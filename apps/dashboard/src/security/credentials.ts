import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DashboardConfigError } from '../dashboard-errors';
import { isLoopbackHost } from './loopback-host';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Text equality in constant time (compared as equal-length digests): the time taken tells nothing about how much matched. */
export const sameSecret = (sent: string, expected: string): boolean => timingSafeEqual(digest(sent), digest(expected));

/** Whether a user and password are the configured ones; both are always compared, so neither is told apart by timing. */
export const credentialsMatch = (expected: Credentials, user: string, password: string): boolean => {
  const userMatches = sameSecret(user, expected.user);
  const passwordMatches = sameSecret(password, expected.password);
  return userMatches && passwordMatches;
};

/** The user and password of an `Authorization: Basic …` header, or null. */
export const basicCredentialsOf = (header: string | undefined): Credentials | null => {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match === null) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
};

export interface AccessCredentials {
  readonly credentials: Credentials;
  /** True when none were configured and these were made up for this process (loopback only). */
  readonly generated: boolean;
}

/**
 * The credentials every request must bring. Without configured ones the
 * dashboard refuses a public address; on a loopback address it makes up a
 * password for this process, to be shown to whoever started it.
 */
export const accessCredentials = (host: string, configured: Credentials | null): AccessCredentials => {
  if (configured !== null) return { credentials: configured, generated: false };
  if (!isLoopbackHost(host)) {
    throw new DashboardConfigError(
      `refusing to listen on ${host} without credentials: set DASHBOARD_USER and DASHBOARD_PASSWORD, ` +
        'or listen on a loopback address (127.0.0.1)',
    );
  }
  return { credentials: { user: 'admin', password: randomBytes(18).toString('base64url') }, generated: true };
};
