import { ConfigError, type Config } from '@scheduler/core';
import { zipDataStates } from '@scheduler/zip-states';

/**
 * A `state_rules` code that no ZIP of the bundled data set maps to can never apply (RULES.md §2: a contact's state
 * comes from its ZIP). It is most likely a misspelt state, and since the table replaces the defaults, the state
 * meant would be left without its window: refused, naming the key.
 */
export const refuseUnknownStateCodes = (config: Config, source: string): Config => {
  const known = new Set(zipDataStates());
  const unknown = Object.keys(config.state_rules).filter((code) => !known.has(code));
  if (unknown.length === 0) return config;
  const keys = unknown.map((code) => `state_rules.${code}`);
  throw new ConfigError(
    `invalid configuration in ${source}: ${keys.map((key) => `${key}: no ZIP code maps to this state, so the rule could never apply (a misspelt state?)`).join('; ')}`,
    keys,
  );
};
