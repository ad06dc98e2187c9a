import { statSync } from 'node:fs';
import { DatabaseError, openOrganizationDb, withDatabaseErrors, type OrganizationDb } from '@scheduler/db';
import { OrganizationDirectory, UnknownOrganizationError, type OrganizationLocator, type UnservedFile } from '@scheduler/pipeline';
import { NotFoundError, UnavailableError } from '../dashboard-errors';

interface OpenDatabase {
  readonly db: OrganizationDb;
  /** Which opening this is: data versions of different connections are not comparable. */
  readonly generation: number;
  /** The file's identity when opened: a file replaced under the same name is opened again. */
  readonly inode: number;
}

/** A directory gone (a volume not mounted) or unreadable is a 503 naming it, not a 500 whose reason only the log has. */
const directoryRead = <T>(read: () => T): T => {
  try {
    return read();
  } catch (error) {
    throw new UnavailableError(`the organization directory cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
};

/** Connections kept open at most: three file descriptors each (database, WAL, shared memory). */
const MAX_OPEN_DATABASES = 64;

/**
 * Read-only access to the organization databases of a directory. A
 * connection per recently used organization stays open between requests, so
 * that `dataVersion` can tell whether anything was committed since a cached
 * read; the least recently used is closed beyond `maxOpen`.
 */
export class OrganizationReader {
  private readonly open = new Map<string, OpenDatabase>();
  private openings = 0;

  constructor(
    private readonly locator: OrganizationLocator,
    private readonly maxOpen = MAX_OPEN_DATABASES,
  ) {}

  /** Every organization with a database, sorted. */
  organizations(): string[] {
    return directoryRead(() => this.locator.organizations());
  }

  /** Database files of the directory that no worker serves (a bad name, a duplicate, a dangling link…), each with why. */
  unservedFiles(): UnservedFile[] {
    const { locator } = this;
    return locator instanceof OrganizationDirectory ? directoryRead(() => locator.unservedFiles()) : [];
  }

  /** The organization's database file (a NotFoundError when there is none). */
  path(organization: string): string {
    return this.connection(organization).path;
  }

  /**
   * Runs synchronous reads on the organization's database. An unknown
   * organization is a NotFoundError; a file that cannot be read an
   * UnavailableError naming the organization, with the cause kept.
   */
  read<T>(organization: string, work: (db: OrganizationDb) => T): T {
    const db = this.connection(organization);
    try {
      return withDatabaseErrors(`reading organization ${organization}`, () => work(db));
    } catch (error) {
      if (!(error instanceof DatabaseError)) throw error;
      this.forget(organization);
      throw new UnavailableError(`the database of organization ${organization} cannot be read: ${error.message}`, { cause: error });
    }
  }

  /**
   * A key that changes whenever another connection commits to the file
   * (SQLite's data_version, which is per connection, hence the opening's
   * number): cached aggregates are reused while it stands.
   */
  dataVersion(organization: string): string {
    const version = this.read(organization, (db) => db.sqlite.pragma('data_version', { simple: true }) as number);
    return `${this.open.get(organization)?.generation ?? 0}.${version}`;
  }

  close(): void {
    for (const organization of [...this.open.keys()]) this.forget(organization);
  }

  private connection(organization: string): OrganizationDb {
    let path: string;
    try {
      path = this.locator.databasePath(organization);
    } catch (error) {
      if (error instanceof UnknownOrganizationError) throw new NotFoundError(`no organization ${organization}`, { cause: error });
      throw error;
    }
    const inode = statSync(path, { throwIfNoEntry: false })?.ino;
    if (inode === undefined) throw new NotFoundError(`no organization ${organization}`);
    const current = this.open.get(organization);
    if (current !== undefined && current.inode === inode && current.db.path === path) {
      // Map order is insertion order: re-inserting keeps the least recently used first.
      this.open.delete(organization);
      this.open.set(organization, current);
      return current.db;
    }
    if (current !== undefined) this.forget(organization);
    try {
      const db = openOrganizationDb(path, { readonly: true, busyTimeoutMs: 2_000, cacheSizeMb: 16 });
      this.open.set(organization, { db, inode, generation: ++this.openings });
      while (this.open.size > this.maxOpen) this.forget(this.open.keys().next().value!);
      return db;
    } catch (error) {
      throw new UnavailableError(
        `the database of organization ${organization} cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  private forget(organization: string): void {
    this.open.get(organization)?.db.close();
    this.open.delete(organization);
  }
}
