import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrganizationDirectory } from '../src/organization-directory';

describe('the organizations of a directory', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-directory-'));
    for (const file of ['acme.sqlite', 'globex.sqlite3', 'initech.db', 'org c spaces.sqlite', 'orgé-ü.sqlite', '-dash.db', 'notes.txt']) {
      writeFileSync(join(directory, file), '');
    }
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('are its database files named by an organization id; the other database files are named as not served', () => {
    const organizations = new OrganizationDirectory(directory);
    expect(organizations.organizations()).toEqual(['acme', 'globex', 'initech']);
    expect(organizations.unservedFiles().sort()).toEqual(['-dash.db', 'org c spaces.sqlite', 'orgé-ü.sqlite']);
  });
});
