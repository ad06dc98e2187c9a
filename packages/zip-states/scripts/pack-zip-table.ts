import { createRequire } from 'node:module';
import { ZIP_SPACE, type ShippedZipTable } from '../src/zip-state-table';

interface ZipcodesEntry {
  readonly zip: string;
  readonly state: string;
  readonly country: string;
}

const ZIP5 = /^\d{5}$/;

/** The table packed from the `zipcodes` package installed here: what `data/zip-states.json` must hold. */
export const packZipTableFromZipcodes = (): ShippedZipTable => {
  const require = createRequire(import.meta.url);
  const { codes } = require('zipcodes') as { codes: Record<string, ZipcodesEntry> };
  const { version } = require('zipcodes/package.json') as { version: string };
  const states: string[] = [];
  const indexOfState = new Map<string, number>();
  const stateIndexByZip = new Uint8Array(ZIP_SPACE);
  for (const entry of Object.values(codes)) {
    // The package also ships Canadian postal codes (letters), which are not ZIPs.
    if (entry.country !== 'US' || !ZIP5.test(entry.zip)) continue;
    let index = indexOfState.get(entry.state);
    if (index === undefined) {
      index = states.length;
      states.push(entry.state);
      indexOfState.set(entry.state, index);
    }
    stateIndexByZip[Number(entry.zip)] = index + 1;
  }
  if (states.length >= 255) throw new Error('too many state codes for a one-byte index');
  return { source: `zipcodes ${version}`, states, stateIndexByZip: Buffer.from(stateIndexByZip).toString('base64') };
};
