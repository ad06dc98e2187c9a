import { Hono } from 'hono';
import { formatIsoDate, type Config } from '@scheduler/core';
import { NotFoundError, UnavailableError } from '../dashboard-errors';
import type { DashboardEnv } from '../dashboard-env';
import type { OrganizationViews } from '../organizations/organization-views';
import type { FleetQueues } from '../queues/fleet-queues';
import { isFinished, readRequestStatus } from '../queues/request-progress';
import { contactPage } from '../views/contact-page';
import { segment } from '../views/html';
import { jobPage, requestTitle } from '../views/job-page';
import { layout } from '../views/layout';
import { organizationPage } from '../views/organization-page';
import { organizationsPage, type OrganizationRow } from '../views/organizations-page';
import { actionTokenOf, chromeOf } from './chrome';
import { contactIdParam, jobIdParam, organizationParam } from './route-params';

export interface PageRoutesOptions {
  readonly views: OrganizationViews;
  readonly queues: FleetQueues;
  readonly config: Config;
  readonly readOnly: boolean;
  readonly organizationsDir: string;
  readonly now: () => Date;
}

/** The pages for people: organizations, one organization, one contact, one request's progress. */
export const pageRoutes = ({ views, queues, config, readOnly, organizationsDir, now }: PageRoutesOptions): Hono<DashboardEnv> => {
  const app = new Hono<DashboardEnv>();
  const home = { label: 'Organizations', href: '/' };

  app.get('/', (c) => {
    const rows = views.organizations().map((organization): OrganizationRow => {
      try {
        return { organization, lastCompletedRun: views.lastCompletedRun(organization), error: null };
      } catch (error) {
        return { organization, lastCompletedRun: null, error: error instanceof Error ? error.message : String(error) };
      }
    });
    return c.html(layout(chromeOf(c, readOnly, 'Organizations'), organizationsPage(rows, views.unservedFiles(), organizationsDir, now().getTime())));
  });

  app.get('/organizations/:organization', async (c) => {
    const organization = views.known(organizationParam(c.req.param('organization')));
    const overview = await views.overview(organization);
    const body = organizationPage({
      organization,
      overview,
      config,
      today: formatIsoDate(views.today()),
      actionToken: actionTokenOf(c, readOnly),
      nowMs: now().getTime(),
    });
    const stillReading = overview.volume === null || overview.skips === null ? { refreshSeconds: 3 } : {};
    return c.html(layout(chromeOf(c, readOnly, `Organization ${organization}`, { breadcrumbs: [home], ...stillReading }), body));
  });

  // The "open contact" form of the organization page.
  app.get('/organizations/:organization/contacts', (c) => {
    const organization = organizationParam(c.req.param('organization'));
    return c.redirect(`/organizations/${segment(organization)}/contacts/${contactIdParam(c.req.query('id')?.trim())}`, 303);
  });

  app.get('/organizations/:organization/contacts/:contactId', (c) => {
    const organization = views.known(organizationParam(c.req.param('organization')));
    const contactId = contactIdParam(c.req.param('contactId'));
    const body = contactPage({ organization, schedule: views.contact(organization, contactId), config, actionToken: actionTokenOf(c, readOnly) });
    const breadcrumbs = [home, { label: organization, href: `/organizations/${segment(organization)}` }];
    return c.html(layout(chromeOf(c, readOnly, `Contact ${contactId}`, { breadcrumbs }), body));
  });

  app.get('/jobs/:jobId', async (c) => {
    const jobId = jobIdParam(c.req.param('jobId'));
    let status;
    try {
      status = await readRequestStatus(queues, jobId, (organization, runId) => views.checkpoint(organization, runId));
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      throw new UnavailableError(`Redis cannot be reached just now, so the job's state is unknown; reload the page to look again (${cause})`, { cause: error });
    }
    if (status === null) {
      throw new NotFoundError(`no request job ${jobId} (finished jobs are kept for 7 days; a Redis restarted without its data has none)`);
    }
    const refresh = isFinished(status.progress) ? {} : { refreshSeconds: 1 };
    return c.html(layout(chromeOf(c, readOnly, requestTitle(status), { breadcrumbs: [home], ...refresh }), jobPage(status)));
  });

  return app;
};
