import type { TestProject } from 'vitest/node';
import { buildCliBundle } from './cli-bundle';

/** One bundle of the CLI for every test file that starts `scheduler` (cli-bundle.ts says why). */
export default async function setup(project: TestProject): Promise<() => void> {
  const bundle = await buildCliBundle();
  project.provide('schedulerCliBundle', bundle.main);
  return bundle.remove;
}
