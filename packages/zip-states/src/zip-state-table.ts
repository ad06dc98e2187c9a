import { createRequire } from 'node:module';

/**
 * The US ZIP data set shipped by the `zipcodes` npm package (about 42k
 * five-digit ZIPs, each with its USPS state code, military AA/AE/AP, DC, PR
 * and the territories included), packed once into a lookup indexed by the
 * ZIP's number: one byte per possible ZIP, holding the state's index + 1.
 */
export interface ZipStateTable {
  /** State codes; `stateIndexByZip[zip] - 1` indexes it, 0 = no state. */
  readonly states: readonly string[];
  readonly stateIndexByZip: Uint8Array;
  readonly zipCount: number;
}

interface ZipcodesEntry {
  readonly zip: string;
  readonly state: string;
  readonly country: string;
}

const ZIP5 = /^\d{5}$/;
const ZIP_SPACE = 100_000;

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

let table: ZipStateTable | undefined;

/** Built on first use (parsing the package's data costs a few hundred milliseconds), then kept. */
export const zipStateTable = (): ZipStateTable => {
  if (table === undefined) {
    const require = createRequire(import.meta.url);
    const { codes } = require('zipcodes') as { codes: Record<string, ZipcodesEntry> };
    table = buildZipStateTable(Object.values(codes));
  }
  return table;
};
