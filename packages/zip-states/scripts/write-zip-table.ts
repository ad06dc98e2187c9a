/**
 * `pnpm zip-table`: packs the `zipcodes` package's US ZIPs into `data/zip-states.json`, the table the engine
 * ships. Run it after upgrading `zipcodes`; a test fails while the two disagree.
 */
import { writeFileSync } from 'node:fs';
import { SHIPPED_TABLE_URL } from '../src/zip-state-table';
import { packZipTableFromZipcodes } from './pack-zip-table';

writeFileSync(SHIPPED_TABLE_URL, `${JSON.stringify(packZipTableFromZipcodes(), null, 2)}\n`);
process.stdout.write(`wrote ${SHIPPED_TABLE_URL.pathname}\n`);
