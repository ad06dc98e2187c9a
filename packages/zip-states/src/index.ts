export { zipToState } from './zip-to-state';
export { zipsOfState, zipDataStates } from './zips-of-state';
export { zipStateTable, type ZipStateTable } from './zip-state-table';
