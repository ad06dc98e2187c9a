import { Hono, type MiddlewareHandler } from 'hono';
import { ActionRefusedError, DashboardError, UnavailableError } from '../dashboard-errors';
import type { DashboardEnv } from '../dashboard-env';
import type { OrganizationViews } from '../organizations/organization-views';
import type { FleetQueues } from '../queues/fleet-queues';
import { enqueueFullRun, enqueueReschedule } from '../queues/request-jobs';
import { requireFormToken } from '../security/csrf';
import { segment } from '../views/html';
import { formBody } from '../form-body';
import { contactIdParam, organizationParam } from './route-params';

export interface ActionRoutesOptions {
  readonly views: OrganizationViews;
  readonly queues: FleetQueues;
  readonly readOnly: boolean;
}

/** Redis errors while enqueueing become a clear 503; our own refusals pass through. */
const enqueueing = async (work: () => Promise<string>): Promise<string> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DashboardError) throw error;
    throw new UnavailableError(`the request was not enqueued; Redis did not take it: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
};

const formText = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * The buttons: each enqueues a request on the requests queue, through the
 * published job schemas, as any other service would, then shows its
 * progress. Refused in read-only mode whatever the page showed.
 */
export const actionRoutes = ({ views, queues, readOnly }: ActionRoutesOptions): Hono<DashboardEnv> => {
  const app = new Hono<DashboardEnv>();
  // Per route, not `use('*')`: a sub-app's wildcard middleware would guard every page once mounted.
  const refuseWhenReadOnly: MiddlewareHandler<DashboardEnv> = async (_c, next) => {
    if (readOnly) throw new ActionRefusedError('the dashboard is read-only: actions are turned off (DASHBOARD_READ_ONLY)', 403);
    await next();
  };

  app.post('/organizations/:organization/runs', refuseWhenReadOnly, requireFormToken, async (c) => {
    const organization = views.known(organizationParam(c.req.param('organization')));
    const body = await formBody(c);
    const asOf = formText(body.asOf);
    const jobId = await enqueueing(() =>
      enqueueFullRun(queues.requests, {
        organization,
        ...(asOf === undefined ? {} : { asOf }),
        rerun: body.rerun === 'true',
        requestedBy: `dashboard:${c.get('user')}`,
      }),
    );
    return c.redirect(`/jobs/${segment(jobId)}`, 303);
  });

  app.post('/organizations/:organization/contacts/:contactId/reschedule', refuseWhenReadOnly, requireFormToken, async (c) => {
    const organization = views.known(organizationParam(c.req.param('organization')));
    const contactId = contactIdParam(c.req.param('contactId'));
    const body = await formBody(c);
    const asOf = formText(body.asOf);
    const jobId = await enqueueing(() =>
      enqueueReschedule(queues.requests, {
        organization,
        contactIds: [contactId],
        ...(asOf === undefined ? {} : { asOf }),
        requestedBy: `dashboard:${c.get('user')}`,
      }),
    );
    return c.redirect(`/jobs/${segment(jobId)}`, 303);
  });

  return app;
};
