import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildCliBundle } from '../../src/bundle/cli-bundle';

/**
 * One bundle of the CLI for every test file that starts `scheduler` (src/bundle/cli-bundle.ts says why),
 * built again before each rerun of watch mode, so that no test runs a CLI older than its sources.
 * (Watch mode does not see that those tests depend on the CLI's sources: after changing only
 * those, `r` reruns them.)
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const directory = mkdtempSync(join(tmpdir(), 'scheduler-cli-'));
  project.provide('schedulerCliBundle', await buildCliBundle(directory));
  project.onTestsRerun(async () => {
    await buildCliBundle(directory);
  });
  return () => rmSync(directory, { recursive: true, force: true });
}
