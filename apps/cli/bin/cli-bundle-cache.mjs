// Plain JavaScript: it runs before anything could load TypeScript.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where bundles are kept unless SCHEDULER_CLI_CACHE says otherwise: removed with the dependencies they import. */
const DEFAULT_CACHE = join(ROOT, 'node_modules', '.cache', 'scheduler-cli');
/** What esbuild reads of a package's sources: code, and JSON it may import. */
const SOURCE_FILE = /\.(?:[cm]?[jt]s|json)$/;
const SETTINGS_FILES = ['package.json', 'tsconfig.json'];
const ROOT_FILES = ['package.json', 'pnpm-lock.yaml', 'tsconfig.json', 'tsconfig.base.json'];
/** A bundle no launch has used for this long is removed (a build left half-done, too). */
const UNUSED_FOR_MS = 24 * 60 * 60 * 1000;

const isFile = (path) => statSync(path, { throwIfNoEntry: false })?.isFile() === true;

/** Every file a bundle is made of or made with, relative to `root`, sorted. */
const inputsOf = (root) => {
  const files = ROOT_FILES.filter((file) => isFile(join(root, file)));
  for (const workspace of ['apps', 'packages']) {
    if (!existsSync(join(root, workspace))) continue;
    for (const name of readdirSync(join(root, workspace))) {
      const item = join(workspace, name);
      files.push(...SETTINGS_FILES.map((file) => join(item, file)).filter((file) => isFile(join(root, file))));
      const sources = join(root, item, 'src');
      if (!existsSync(sources)) continue;
      for (const file of readdirSync(sources, { recursive: true })) {
        if (SOURCE_FILE.test(file) && isFile(join(sources, file))) files.push(join(item, 'src', file));
      }
    }
  }
  return files.sort();
};

/**
 * What a bundle of the workspace at `root` depends on: the sources of every app and package, their manifests
 * and compiler settings, the lockfile (the bundle imports each dependency from its installed path, so the
 * checkout's place counts too) and Node's version.
 */
export const sourceFingerprint = (root = ROOT) => {
  const hash = createHash('sha256').update(`${process.version}\0${root}\0`);
  for (const file of inputsOf(root)) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex').slice(0, 20);
};

const markUsed = (directory) => {
  try {
    const now = new Date();
    utimesSync(directory, now, now);
  } catch {
    // A read-only cache (an image's, built ahead): it is kept as it is.
  }
};

const removeUnused = (cache, kept) => {
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    // Another launch may be removing it too.
    const usedAt = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (name !== kept && Date.now() - usedAt > UNUSED_FOR_MS) rmSync(path, { recursive: true, force: true });
  }
};

/**
 * The entry of a bundle of the CLI's current sources, built (with the same builder as the tests') when
 * there is none. A build goes to a directory of its own and is renamed into place: two launches that
 * build at once both end up running one complete bundle.
 */
export const cliBundle = async (cache = process.env.SCHEDULER_CLI_CACHE || DEFAULT_CACHE) => {
  const fingerprint = sourceFingerprint();
  const directory = join(cache, fingerprint);
  const entry = join(directory, 'main.js');
  if (existsSync(entry)) {
    markUsed(directory);
    return entry;
  }
  mkdirSync(cache, { recursive: true });
  const building = `${directory}.building-${randomBytes(6).toString('hex')}`;
  try {
    // Only a build loads TypeScript, and only the builder's few modules.
    const { tsImport } = await import('tsx/esm/api');
    const { buildCliBundle } = await tsImport('../src/bundle/cli-bundle.ts', import.meta.url);
    await buildCliBundle(building);
    renameSync(building, directory);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    // Another launch renamed its build into place first.
    if (!existsSync(entry)) throw error;
  }
  removeUnused(cache, fingerprint);
  return entry;
};
