import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { ConfigError } from '@scheduler/core';
import { loadConfigFile } from '../../src/index';

export interface ConfigFolder {
  /** The path of `name` in the folder, whether or not the file exists. */
  readonly pathOf: (name: string) => string;
  /** Writes `text` to `name` in the folder and returns its path. */
  readonly fileWith: (name: string, text: string) => string;
}

/**
 * A scratch folder for configuration files, made before and removed after
 * each test (`each`) or the whole test file (`all`). Call it at the top level
 * of a test file, so that its hooks run around every test of the file.
 */
export const useConfigFolder = (prefix: string, lifetime: 'each' | 'all'): ConfigFolder => {
  let directory = '';
  const make = (): void => {
    directory = mkdtempSync(join(tmpdir(), prefix));
  };
  const remove = (): void => {
    rmSync(directory, { recursive: true, force: true });
  };
  if (lifetime === 'each') {
    beforeEach(make);
    afterEach(remove);
  } else {
    beforeAll(make);
    afterAll(remove);
  }
  const pathOf = (name: string): string => join(directory, name);
  return {
    pathOf,
    fileWith: (name, text) => {
      const path = pathOf(name);
      writeFileSync(path, text);
      return path;
    },
  };
};

/** The ConfigError `loadConfigFile` refuses `path` with; accepting the file, or any other error, fails the test. */
export const refusalOf = (path: string): ConfigError => {
  try {
    loadConfigFile(path);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
};
