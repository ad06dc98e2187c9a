/**
 * `pnpm docs:screenshots`: the organization page (the volume chart) and a
 * contact page of a freshly seeded and scheduled organization, as PNGs in
 * docs/. Needs REDIS_URL and Debian's chromium (scripts/docs-screenshots.sh
 * provides both).
 */
import { launchChromium } from '../test/support/chromium';
import { CREDENTIALS, ORGANIZATION, contactInWindow, startDashboardWorld } from '../test/support/dashboard-world';

const docs = new URL('../../../docs/', import.meta.url);
const world = await startDashboardWorld({ contacts: 20_000 });
const chromium = await launchChromium({ width: 1280, height: 900 });
try {
  const page = await chromium.context.newPage();
  const base = world.dashboard.url;
  await page.goto(`${base}/login?next=${encodeURIComponent(`/organizations/${ORGANIZATION}`)}`);
  await page.fill('input[name="user"]', CREDENTIALS.user);
  await page.fill('input[name="password"]', CREDENTIALS.password);
  await page.click('button[type="submit"]');
  await page.locator('svg.volume-chart').waitFor();
  // The skip table is read in the background and shows once read (the page reloads itself).
  await page.locator('table.skips').waitFor({ timeout: 60_000 });
  await page.screenshot({ path: new URL('dashboard-schedule.png', docs).pathname, fullPage: true });

  const contactId = contactInWindow(world);
  await page.goto(`${base}/organizations/${ORGANIZATION}/contacts/${contactId}`);
  await page.screenshot({ path: new URL('dashboard-contact.png', docs).pathname, fullPage: true });
  process.stdout.write(`wrote docs/dashboard-schedule.png and docs/dashboard-contact.png (contact ${contactId})\n`);
} finally {
  await chromium.close();
  await world.close();
}
process.exit(0);
