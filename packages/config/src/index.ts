export { loadConfigFile } from './load-config';
