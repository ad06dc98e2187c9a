import { readFileSync } from 'node:fs';

/**
 * The US ZIP data set shipped by the `zipcodes` npm package (about 42k
 * five-digit ZIPs, each with its USPS state code, military AA/AE/AP, DC, PR
 * and the territories included), packed into a lookup indexed by the ZIP's
 * number: one byte per possible ZIP, holding the state's index + 1.
 */
export interface ZipStateTable {
  /** State codes; `stateIndexByZip[zip] - 1` indexes it, 0 = no state. */
  readonly states: readonly string[];
  readonly stateIndexByZip: Uint8Array;
  readonly zipCount: number;
}

export interface ZipcodesEntry {
  readonly zip: string;
  readonly state: string;
  readonly country: string;
}

/** The packed table as this package ships it (`data/zip-states.json`, written by `pnpm zip-table`). */
export interface ShippedZipTable {
  /** The package and version the table was packed from. */
  readonly source: string;
  readonly states: readonly string[];
  /** `stateIndexByZip`, base64. */
  readonly stateIndexByZip: string;
}

const ZIP5 = /^\d{5}$/;
export const ZIP_SPACE = 100_000;

export const buildZipStateTable = (entries: Iterable<ZipcodesEntry>): ZipStateTable => {
  const states: string[] = [];
  const indexOfState = new Map<string, number>();
  const stateIndexByZip = new Uint8Array(ZIP_SPACE);
  let zipCount = 0;
  for (const entry of entries) {
    // The package also ships Canadian postal codes (letters), which are not ZIPs.
    if (entry.country !== 'US' || !ZIP5.test(entry.zip)) continue;
    let index = indexOfState.get(entry.state);
    if (index === undefined) {
      index = states.length;
      states.push(entry.state);
      indexOfState.set(entry.state, index);
    }
    if (stateIndexByZip[Number(entry.zip)] === 0) zipCount++;
    stateIndexByZip[Number(entry.zip)] = index + 1;
  }
  if (states.length >= 255) throw new Error('too many state codes for a one-byte index');
  return { states, stateIndexByZip, zipCount };
};

export const SHIPPED_TABLE_URL = new URL('../data/zip-states.json', import.meta.url);

export const unpackZipTable = (shipped: ShippedZipTable): ZipStateTable => {
  const stateIndexByZip = new Uint8Array(Buffer.from(shipped.stateIndexByZip, 'base64'));
  if (stateIndexByZip.length !== ZIP_SPACE) throw new Error(`${SHIPPED_TABLE_URL.pathname}: ${stateIndexByZip.length} ZIPs packed, not ${ZIP_SPACE}`);
  let zipCount = 0;
  for (const index of stateIndexByZip) {
    if (index > shipped.states.length) throw new Error(`${SHIPPED_TABLE_URL.pathname}: state index ${index} of ${shipped.states.length} states`);
    if (index !== 0) zipCount++;
  }
  return { states: shipped.states, stateIndexByZip, zipCount };
};

let table: ZipStateTable | undefined;

/**
 * Read on first use from the packed copy this package ships: the `zipcodes` package's own 5 MB of
 * JavaScript cost every compute thread about 0.4 s to compile, the packed table 100 kB to read.
 */
export const zipStateTable = (): ZipStateTable => {
  table ??= unpackZipTable(JSON.parse(readFileSync(SHIPPED_TABLE_URL, 'utf8')) as ShippedZipTable);
  return table;
};
