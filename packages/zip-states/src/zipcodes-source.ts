import { createRequire } from 'node:module';
import { buildZipStateTable, type ShippedZipTable, type ZipcodesEntry } from './zip-state-table';

/** The table packed from the `zipcodes` package installed here: what `data/zip-states.json` must hold. */
export const packedZipTableFromZipcodes = (): ShippedZipTable => {
  const require = createRequire(import.meta.url);
  const { codes } = require('zipcodes') as { codes: Record<string, ZipcodesEntry> };
  const { version } = require('zipcodes/package.json') as { version: string };
  const { states, stateIndexByZip } = buildZipStateTable(Object.values(codes));
  return { source: `zipcodes ${version}`, states, stateIndexByZip: Buffer.from(stateIndexByZip).toString('base64') };
};
