import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { zip5Of } from '@scheduler/core';
import { describe, expect, it } from 'vitest';
import { zipDataStates, zipStateTable, zipToState, zipsOfState } from '../src';
import { SHIPPED_TABLE_URL, unpackZipTable } from '../src/zip-state-table';
import { packZipTableFromZipcodes } from '../scripts/pack-zip-table';

const stateOfStored = (stored: string): string | undefined => {
  const zip5 = zip5Of(stored);
  return zip5 === null ? undefined : zipToState(zip5);
};

describe('zipToState', () => {
  it('maps well-known ZIPs to their states', () => {
    expect(zipToState(90210)).toBe('CA');
    expect(zipToState(10001)).toBe('NY');
    expect(zipToState(501)).toBe('NY'); // 00501, Holtsville: the data set's first ZIP
    expect(zipToState(99501)).toBe('AK');
    expect(zipToState(20001)).toBe('DC');
    expect(zipToState(601)).toBe('PR');
  });

  it('gives military codes as the data set does', () => {
    expect(zipToState(9001)).toBe('AE');
    expect(zipToState(96201)).toBe('AP');
    expect(zipToState(34001)).toBe('AA');
  });

  it('knows nothing of ZIPs absent from the data or out of range', () => {
    expect(zipToState(0)).toBeUndefined();
    expect(zipToState(99999)).toBeUndefined();
    expect(zipToState(100_000)).toBeUndefined();
    expect(zipToState(-1)).toBeUndefined();
    expect(zipToState(1.5)).toBeUndefined();
  });

  it('reads stored ZIPs through core zip5Of: 4-digit values padded, ZIP+4 cut', () => {
    expect(stateOfStored('2108')).toBe('MA'); // 02108, Boston, as a spreadsheet stores it
    expect(stateOfStored('90210-1234')).toBe('CA');
    expect(stateOfStored('902101234')).toBe('CA');
    expect(stateOfStored('0000')).toBeUndefined(); // 00000 is not a ZIP
    expect(stateOfStored('ABCDE')).toBeUndefined();
  });

  it('holds about 41k US ZIPs and no Canadian codes', () => {
    const { zipCount } = zipStateTable();
    expect(zipCount).toBeGreaterThan(40_000);
    expect(zipCount).toBeLessThan(45_000);
    expect(zipDataStates()).toContain('WY');
    expect(zipDataStates()).not.toContain('ON');
  });

  it('lists each state’s ZIPs, and they map back to the state', () => {
    const zips = zipsOfState('VT');
    expect(zips.length).toBeGreaterThan(100);
    for (const zip of zips) expect(zipToState(zip)).toBe('VT');
    expect(zipsOfState('XX')).toEqual([]);
  });

  it('ships the table packed from the installed zipcodes package (`pnpm zip-table` writes it again)', () => {
    const shipped = JSON.parse(readFileSync(SHIPPED_TABLE_URL, 'utf8')) as unknown;
    expect(shipped).toEqual(packZipTableFromZipcodes());
    const { codes } = createRequire(import.meta.url)('zipcodes') as { codes: Record<string, { zip: string; state: string; country: string }> };
    for (const { zip, state, country } of Object.values(codes)) {
      if (country === 'US' && /^\d{5}$/.test(zip)) expect(zipToState(Number(zip))).toBe(state);
    }
  });

  it('refuses a packed table of the wrong size or with a state index past its states, naming the file', () => {
    const states = ['NY', 'CA'];
    const packed = (bytes: Uint8Array) => ({ source: 'test', states, stateIndexByZip: Buffer.from(bytes).toString('base64') });
    expect(() => unpackZipTable(packed(new Uint8Array(99_999)))).toThrow(/zip-states\.json: 99999 ZIPs packed, not 100000/);
    const pastStates = new Uint8Array(100_000);
    pastStates[90_210] = 3;
    expect(() => unpackZipTable(packed(pastStates))).toThrow(/zip-states\.json: state index 3 of 2 states/);
    const fine = new Uint8Array(100_000);
    fine[90_210] = 2;
    expect(unpackZipTable(packed(fine))).toMatchObject({ states, zipCount: 1 });
  });
});
