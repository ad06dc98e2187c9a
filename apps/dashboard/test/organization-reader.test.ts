import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateOrganizationDb, openOrganizationDb, schema } from '@scheduler/db';
import { OrganizationDirectory } from '@scheduler/pipeline';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { NotFoundError, UnavailableError } from '../src/dashboard-errors';
import { OrganizationReader } from '../src/organizations/organization-reader';

let directory: string;
let reader: OrganizationReader;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'scheduler-reader-'));
  for (const organization of ['a', 'b']) migrateOrganizationDb(join(directory, `${organization}.sqlite`));
  reader = new OrganizationReader(new OrganizationDirectory(directory), 1);
});

afterEach(() => {
  reader.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('reading organization databases', () => {
  test('the data version moves when another connection commits, and stands otherwise', () => {
    const before = reader.dataVersion('a');
    expect(reader.dataVersion('a')).toBe(before);
    const writer = openOrganizationDb(join(directory, 'a.sqlite'));
    writer.orm.insert(schema.contacts).values({ id: 1, email: 'x@example.com' }).run();
    writer.close();
    expect(reader.dataVersion('a')).not.toBe(before);
  });

  test('beyond the open-connection limit the least recently used closes, and reopens with a new version', () => {
    const a = reader.dataVersion('a');
    reader.dataVersion('b');
    expect(reader.dataVersion('a')).not.toBe(a);
    expect(reader.read('a', (db) => db.orm.select().from(schema.contacts).all())).toEqual([]);
  });

  test('an unknown organization is not found; a file that is no database is unavailable, naming it', () => {
    expect(() => reader.read('nobody', () => 1)).toThrow(NotFoundError);
    expect(() => reader.read('../a', () => 1)).toThrow(NotFoundError);
    writeFileSync(join(directory, 'broken.sqlite'), 'not a database at all, only text long enough to have a header');
    expect(() => reader.read('broken', (db) => db.orm.select().from(schema.contacts).all())).toThrow(UnavailableError);
    expect(() => reader.read('broken', (db) => db.orm.select().from(schema.contacts).all())).toThrow(/organization broken/);
  });
});
