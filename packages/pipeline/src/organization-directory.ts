import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { DatabaseBusyError, isEmptyDatabaseFile, openOrganizationDb } from '@scheduler/db';
import { OrganizationIdSchema } from '@scheduler/queue';

/** File endings an organization database may have, in the order they are looked for. */
const DATABASE_EXTENSIONS = ['.sqlite', '.db', '.sqlite3'] as const;

/** An organization id that names nothing the worker can open. */
export class UnknownOrganizationError extends Error {
  override readonly name = 'UnknownOrganizationError';
}

/** The directory of organization databases is gone (a volume not mounted): a retry may find it again. */
class OrganizationDirectoryMissingError extends Error {
  override readonly name = 'OrganizationDirectoryMissingError';
}

/** A database file of the directory that no worker serves, and why. */
export interface UnservedFile {
  readonly file: string;
  readonly because: string;
}

/** Where workers find an organization's database and its run staging file. */
export interface OrganizationLocator {
  databasePath(organization: string): string;
  stagingPath(organization: string): string;
  /** Every organization served (what the nightly job runs). */
  organizations(): string[];
}

const checkedId = (organization: string): string => {
  if (!OrganizationIdSchema.safeParse(organization).success) {
    throw new UnknownOrganizationError(`organization id ${JSON.stringify(organization)} is not valid`);
  }
  return organization;
};

const stagingBeside = (directory: string, organization: string): string =>
  join(directory, '.scheduler', `${organization}.staging.sqlite`);

/**
 * Organization databases are `<directory>/<organization>.sqlite` (or .db,
 * .sqlite3). Ids are checked against the published pattern before they touch
 * a path, so no id can escape the directory.
 */
export class OrganizationDirectory implements OrganizationLocator {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = resolve(directory);
  }

  databasePath(organization: string): string {
    const id = checkedId(organization);
    for (const extension of DATABASE_EXTENSIONS) {
      const path = join(this.directory, `${id}${extension}`);
      if (existsSync(path)) return path;
    }
    throw new UnknownOrganizationError(`no database for organization ${id} in ${this.directory}`);
  }

  stagingPath(organization: string): string {
    return stagingBeside(this.directory, checkedId(organization));
  }

  /** Every organization with a database in the directory, sorted. */
  organizations(): string[] {
    return [...new Set(this.databaseFiles().flatMap(({ organization, unservedBecause }) => (unservedBecause === null ? [organization] : [])))].sort();
  }

  /** Database files nothing serves (a name that is no organization id, a link to nothing…), each with why, by file name. */
  unservedFiles(): UnservedFile[] {
    return this.databaseFiles()
      .flatMap(({ file, unservedBecause }) => (unservedBecause === null ? [] : [{ file, because: unservedBecause }]))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  /** The directory's database files; one that is not served says why. Throws when the directory is gone. */
  private databaseFiles(): { file: string; organization: string; unservedBecause: string | null }[] {
    if (!existsSync(this.directory)) {
      // An unmounted volume must not read as an organization-less directory: the nightly would run nothing, silently.
      throw new OrganizationDirectoryMissingError(`the organization directory ${this.directory} does not exist (moved, or not mounted?)`);
    }
    return readdirSync(this.directory).flatMap((file) => {
      const extension = extname(file);
      if (!(DATABASE_EXTENSIONS as readonly string[]).includes(extension.toLowerCase())) return [];
      const organization = basename(file, extension);
      const unservedBecause = this.unservedBecause(file, organization, extension);
      return [{ file, organization, unservedBecause }];
    });
  }

  private unservedBecause(file: string, organization: string, extension: string): string | null {
    if (!OrganizationIdSchema.safeParse(organization).success) return 'its name is no organization id: 1–100 letters, digits, "_" or "-"; rename it';
    if (!(DATABASE_EXTENSIONS as readonly string[]).includes(extension)) return `its ending is not in lower case (${DATABASE_EXTENSIONS.join(', ')}); rename it`;
    const path = join(this.directory, file);
    if (!existsSync(path)) return 'it is a link to no file (dangling, or a loop)';
    // A directory or a pipe named like a database would fail every job of its name.
    if (!statSync(path).isFile()) return 'it is not a file';
    if (isEmptyDatabaseFile(path)) return 'it is empty (0 bytes): `migrate` makes a database of it';
    const served = this.databasePath(organization);
    return served === join(this.directory, file) ? null : `organization ${organization} is served from ${basename(served)}; remove one of the two`;
  }
}

/** One database file named on the command line, whatever its name. */
export class SingleDatabase implements OrganizationLocator {
  /**
   * The locator of a file that must exist and open as SQLite: a file named on
   * the command line that cannot be read is refused before any job is enqueued.
   * A file busy with another writer is not refused: that passes, and the run's
   * jobs retry it.
   */
  static open(file: string): SingleDatabase {
    if (!existsSync(file)) throw new UnknownOrganizationError(`database file ${file} does not exist`);
    if (statSync(file).isDirectory()) throw new UnknownOrganizationError(`${file} is a directory, not a database file`);
    try {
      openOrganizationDb(file, { readonly: true, busyTimeoutMs: 0 }).close();
    } catch (error) {
      if (!(error instanceof DatabaseBusyError)) throw error;
    }
    return new SingleDatabase(file);
  }

  readonly organization: string;
  readonly path: string;

  constructor(file: string) {
    this.path = resolve(file);
    const stem = basename(this.path, extname(this.path)).replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[-_]+/, '');
    this.organization = (stem === '' ? 'organization' : stem).slice(0, 100);
  }

  databasePath(organization: string): string {
    if (organization !== this.organization) {
      throw new UnknownOrganizationError(`this worker serves only organization ${this.organization}`);
    }
    return this.path;
  }

  stagingPath(organization: string): string {
    return stagingBeside(dirname(this.path), checkedId(organization));
  }

  organizations(): string[] {
    return [this.organization];
  }
}
