import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (scripts/test.sh installs it when missing); never a downloaded browser. */
const chromiumPath = (): string => {
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error("chromium is not installed: bash scripts/test.sh installs Debian's package, or apt-get install chromium");
  }
};

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh profile (Playwright takes the profile
 * directory as a parameter rather than `--user-data-dir`), fetching nothing
 * on its own.
 */
export const launchChromium = async (viewport = { width: 1280, height: 900 }): Promise<LaunchedBrowser> => {
  const profile = mkdtempSync(join(tmpdir(), 'scheduler-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
};
