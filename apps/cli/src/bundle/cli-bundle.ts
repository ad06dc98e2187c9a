import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { REQUIRE_BANNER, keepModuleUrls } from '../../../../packages/pipeline/src/thread-bundle';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/**
 * Packages from node_modules stay outside the bundle, imported from where they
 * were resolved (an absolute path): they load as they do under tsx, from any
 * directory (pnpm gives each package only its own dependencies), and code that
 * finds its files beside it (bullmq's Lua scripts) still does.
 */
const importPackagesInPlace: Plugin = {
  name: 'import-packages-in-place',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@scheduler/') || args.pluginData === 'in-place') return undefined;
      const resolved = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'in-place' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
  },
};

/**
 * The `scheduler` CLI's sources as one bundle in `directory`; returns its entry. Under tsx each CLI process
 * loads some 300 modules through tsx's loader thread: 1.5–2 s before a command starts. The bundle holds the
 * same code, transformed by the same compiler (esbuild), and starts in about 0.3 s. `pnpm scheduler`
 * (bin/scheduler.mjs) keeps one per state of the sources; the tests build one per test run.
 */
export const buildCliBundle = async (directory: string): Promise<string> => {
  // A rebuild (vitest's watch mode) leaves no chunk of the last build behind.
  rmSync(directory, { recursive: true, force: true });
  await build({
    entryPoints: [MAIN],
    outdir: directory,
    bundle: true,
    // The commands stay modules of their own, imported when they run, as under tsx.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: REQUIRE_BANNER },
    plugins: [importPackagesInPlace, keepModuleUrls],
    logLevel: 'error',
  });
  return join(directory, 'main.js');
};
