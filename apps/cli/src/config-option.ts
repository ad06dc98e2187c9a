import { loadConfigFile } from '@scheduler/config';
import { defaultConfig, type Config } from '@scheduler/core';
import { refuseUnknownStateCodes } from '@scheduler/pipeline';

/** `--config FILE`, else the environment's SCHEDULER_CONFIG, else the defaults. */
export const configFrom = (file: string | undefined, envFile: string | undefined): Config => {
  const path = file ?? envFile;
  return path === undefined ? defaultConfig() : refuseUnknownStateCodes(loadConfigFile(path), path);
};
