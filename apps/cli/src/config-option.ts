import { loadConfigFile } from '@scheduler/config';
import { defaultConfig, type Config } from '@scheduler/core';

/** `--config FILE`, else the environment's SCHEDULER_CONFIG, else the defaults. */
export const configFrom = (file: string | undefined, envFile: string | undefined): Config => {
  const path = file ?? envFile;
  return path === undefined ? defaultConfig() : loadConfigFile(path);
};
