#!/usr/bin/env node
// `pnpm scheduler`: the CLI from a bundle of its sources (cli-bundle-cache.mjs), the code the tests run. It
// starts in about 0.3 s, where loading the sources through tsx took 1.5–2 s before every command.
import { pathToFileURL } from 'node:url';
import { cliBundle } from './cli-bundle-cache.mjs';

let entry = null;
try {
  entry = await cliBundle();
} catch {
  // No bundle to be had (a cache nobody may write, say): the sources through tsx, slower but the same code.
}
if (entry !== null) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
