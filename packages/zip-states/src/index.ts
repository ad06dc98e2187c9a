export { zipToState, createZipLookup } from './zip-to-state';
export { zipsOfState, zipDataStates } from './zips-of-state';
export { buildZipStateTable, zipStateTable, type ZipStateTable } from './zip-state-table';
