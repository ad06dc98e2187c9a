import { readFileSync } from 'node:fs';

/**
 * The US ZIP data set of the `zipcodes` npm package (about 42k five-digit
 * ZIPs, each with its USPS state code, military AA/AE/AP, DC, PR and the
 * territories included) as a lookup indexed by the ZIP's number: one byte per
 * possible ZIP, holding the state's index + 1.
 */
export interface ZipStateTable {
  /** State codes; `stateIndexByZip[zip] - 1` indexes it, 0 = no state. */
  readonly states: readonly string[];
  readonly stateIndexByZip: Uint8Array;
  readonly zipCount: number;
}

/** The table as this package ships it, in `data/zip-states.json` (`pnpm zip-table` writes it). */
export interface ShippedZipTable {
  /** The package and version the table was packed from. */
  readonly source: string;
  readonly states: readonly string[];
  /** `stateIndexByZip`, base64. */
  readonly stateIndexByZip: string;
}

export const ZIP_SPACE = 100_000;

export const SHIPPED_TABLE_URL = new URL('../data/zip-states.json', import.meta.url);

export const unpackZipTable = (shipped: ShippedZipTable): ZipStateTable => {
  const stateIndexByZip = new Uint8Array(Buffer.from(shipped.stateIndexByZip, 'base64'));
  const file = SHIPPED_TABLE_URL.pathname;
  if (stateIndexByZip.length !== ZIP_SPACE) throw new Error(`${file}: ${stateIndexByZip.length} ZIPs packed, not ${ZIP_SPACE}`);
  let zipCount = 0;
  for (const index of stateIndexByZip) {
    if (index > shipped.states.length) throw new Error(`${file}: state index ${index} of ${shipped.states.length} states`);
    if (index !== 0) zipCount++;
  }
  return { states: shipped.states, stateIndexByZip, zipCount };
};

let table: ZipStateTable | undefined;

/**
 * Read on first use from the packed copy this package ships: the `zipcodes` package's own 5 MB of
 * JavaScript cost every compute thread about 0.4 s to compile, the packed table 130 kB to read.
 */
export const zipStateTable = (): ZipStateTable => {
  table ??= unpackZipTable(JSON.parse(readFileSync(SHIPPED_TABLE_URL, 'utf8')) as ShippedZipTable);
  return table;
};
