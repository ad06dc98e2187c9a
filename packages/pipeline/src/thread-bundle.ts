import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Our sources find files beside them through `import.meta.url` (migrations,
 * the ZIP data package, the dashboard's stylesheet): in the bundle each keeps
 * the URL of its own file.
 */
export const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/](packages|apps)[\\/].*\.ts$/ }, (args) => ({
      // A pattern, not the words themselves: a bundle of this file (the CLI's, in the tests) would rewrite those too.
      contents: readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

/**
 * Bundled CommonJS dependencies call require(); ESM output needs one. It names its file by
 * `import.meta.filename`, not the URL: a bundle of this file (the CLI's, in the tests) rewrites
 * every `import.meta.url` it reads here, even one inside this text.
 */
export const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.filename);";

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A process that was killed never removed its bundle (a few MB each): the
 * next one to start removes those whose process is gone. A bundle of a live
 * process stays: its backup processes load it.
 */
const removeBundlesOfDeadProcesses = (parent: string): void => {
  for (const name of readdirSync(parent)) {
    const pid = Number(/^bundle-(\d+)-/.exec(name)?.[1]);
    if (Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
  }
};

/**
 * The compute threads' code as one plain JavaScript file, built once per
 * process. A worker thread does not inherit the TypeScript loader of the
 * process that starts it; loading the TypeScript sources in each thread would
 * also cost every thread a compiler and a copy of every transformed module.
 * One bundle, loaded by each thread, costs neither.
 */
export const buildThreadBundle = async (): Promise<{ path: string; remove: () => void }> => {
  // Inside the package, so that the bundle's import of the native addon resolves from its node_modules.
  const parent = fileURLToPath(new URL('../.threads', import.meta.url));
  mkdirSync(parent, { recursive: true });
  removeBundlesOfDeadProcesses(parent);
  const directory = mkdtempSync(join(parent, `bundle-${process.pid}-`));
  const path = join(directory, 'thread-tasks.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./run-thread-task.ts', import.meta.url))],
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // A native addon cannot be bundled; it loads from node_modules as usual.
    external: ['better-sqlite3'],
    banner: { js: REQUIRE_BANNER },
    plugins: [keepModuleUrls],
    logLevel: 'error',
  });
  return { path, remove: () => rmSync(directory, { recursive: true, force: true }) };
};

let shared: Promise<string> | undefined;

/**
 * The process's bundle, built on first use and kept until the process exits: a process that starts one
 * fleet after another (the tests do) builds it once, not once per fleet (about 0.5 s each).
 */
export const threadBundlePath = (): Promise<string> => {
  shared ??= buildThreadBundle().then(
    ({ path, remove }) => {
      process.once('exit', remove);
      return path;
    },
    (error: unknown) => {
      shared = undefined;
      throw error;
    },
  );
  return shared;
};
