import { randomBytes } from 'node:crypto';

/** A signed-in browser: who, and the token its forms must send back (CSRF). */
export interface Session {
  readonly id: string;
  readonly user: string;
  readonly csrfToken: string;
  readonly createdAtMs: number;
  lastSeenAtMs: number;
}

export interface SessionStoreOptions {
  /** A session unused this long ends. */
  readonly idleTimeoutMs: number;
  /** A session ends this long after sign-in, used or not. */
  readonly maxAgeMs: number;
  /** More sessions than this: the least recently used ends. */
  readonly maxSessions?: number;
  readonly now?: () => number;
}

const token = (): string => randomBytes(32).toString('base64url');

/**
 * Sessions in this process's memory: a restart signs everyone out, which a
 * single ops dashboard can afford, and sign-out really ends a session (a
 * signed cookie could not be revoked).
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;
  private readonly maxSessions: number;

  constructor(private readonly options: SessionStoreOptions) {
    this.now = options.now ?? Date.now;
    this.maxSessions = options.maxSessions ?? 10_000;
  }

  create(user: string): Session {
    this.sweep();
    const at = this.now();
    const session: Session = { id: token(), user, csrfToken: token(), createdAtMs: at, lastSeenAtMs: at };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of an id (and marks it used), or null. */
  find(id: string | undefined): Session | null {
    if (id === undefined) return null;
    const session = this.sessions.get(id);
    if (session === undefined) return null;
    const at = this.now();
    if (this.expired(session, at)) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeenAtMs = at;
    // Map order is insertion order: re-inserting keeps it least-recently-used first.
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(session: Session, at: number): boolean {
    return at - session.lastSeenAtMs > this.options.idleTimeoutMs || at - session.createdAtMs > this.options.maxAgeMs;
  }

  private sweep(): void {
    const at = this.now();
    for (const [id, session] of this.sessions) if (this.expired(session, at)) this.sessions.delete(id);
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }
}
