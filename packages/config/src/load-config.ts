import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig, type Config } from '@scheduler/core';
import { repeatedKeyOf } from './repeated-key';

/** Reads a YAML (.yaml/.yml) or JSON (.json) configuration file and validates it. */
export const loadConfigFile = (path: string): Config => {
  const extension = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    throw new ConfigError(`configuration file ${path} must end in .yaml, .yml or .json`, []);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read configuration file ${path}`, [], { cause });
  }
  let raw: unknown;
  try {
    raw = extension === '.json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: false });
  } catch (cause) {
    // The parser's message goes on to quote the offending lines; its first line says what and where.
    const detail = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!.trim().replace(/:$/, '');
    throw new ConfigError(`configuration file ${path} is not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${detail}`, [], {
      cause,
    });
  }
  const repeated = repeatedKeyOf(text);
  if (repeated !== null) {
    throw new ConfigError(`configuration file ${path} gives ${repeated.key} twice (line ${repeated.line}): keep the one meant`, [repeated.key]);
  }
  return parseConfig(raw, path);
};
