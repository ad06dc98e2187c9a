import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrganizationDirectory } from '../src/organization-directory';

describe('the organizations of a directory', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-directory-'));
    for (const file of ['acme.sqlite', 'globex.sqlite3', 'initech.db', 'org c spaces.sqlite', 'orgé-ü.sqlite', '-dash.db', 'notes.txt']) {
      writeFileSync(join(directory, file), 'SQLite format 3');
    }
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('are its database files named by an organization id; the other database files are named as not served', () => {
    const organizations = new OrganizationDirectory(directory);
    expect(organizations.organizations()).toEqual(['acme', 'globex', 'initech']);
    expect(organizations.unservedFiles().map(({ file }) => file).sort()).toEqual(['-dash.db', 'org c spaces.sqlite', 'orgé-ü.sqlite']);
  });

  it('leaves out, each saying why, a link to nothing, an ending in capitals, a second file of one organization, a folder and an empty file', () => {
    symlinkSync(join(directory, 'gone', 'nowhere.sqlite'), join(directory, 'dangling.sqlite'));
    writeFileSync(join(directory, 'UPPER.SQLITE'), 'SQLite format 3');
    writeFileSync(join(directory, 'acme.db'), 'SQLite format 3');
    mkdirSync(join(directory, 'folder.sqlite'));
    writeFileSync(join(directory, 'empty.sqlite'), '');
    const organizations = new OrganizationDirectory(directory);
    expect(organizations.organizations()).toEqual(['acme', 'globex', 'initech']);
    expect(organizations.databasePath('acme')).toBe(join(directory, 'acme.sqlite'));
    const because = Object.fromEntries(organizations.unservedFiles().map(({ file, because }) => [file, because]));
    expect(because['dangling.sqlite']).toMatch(/link to no file/);
    expect(because['folder.sqlite']).toMatch(/not a file/);
    expect(because['empty.sqlite']).toMatch(/empty \(0 bytes\)/);
    expect(because['UPPER.SQLITE']).toMatch(/ending is not in lower case/);
    expect(because['acme.db']).toMatch(/organization acme is served from acme\.sqlite/);
    expect(because['acme.sqlite']).toBeUndefined();
  });

  it('names the directory when it is gone, rather than reading as one without organizations', () => {
    const organizations = new OrganizationDirectory(directory);
    renameSync(directory, `${directory}-moved`);
    try {
      expect(() => organizations.organizations()).toThrow(`the organization directory ${directory} does not exist`);
    } finally {
      renameSync(`${directory}-moved`, directory);
    }
  });
});
