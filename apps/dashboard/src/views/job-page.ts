import type { RunSummary } from '@scheduler/pipeline';
import { QUEUE_NAMES } from '@scheduler/queue';
import { BULL_BOARD_PATH } from '../queues/bull-board';
import type { RequestStatus } from '../queues/request-progress';
import { formatCount, formatDuration, html, segment, type Html } from './html';

/** What the request asked for, in words. */
export const requestTitle = (status: RequestStatus): string => {
  const { data, jobName, organization } = status;
  const asOf = typeof data.asOf === 'string' ? ` as of ${data.asOf}` : '';
  if (jobName === 'full-run') return `Full run of ${organization ?? '?'}${asOf}`;
  if (jobName === 'reschedule-contacts') {
    const ids = Array.isArray(data.contactIds) ? data.contactIds : [];
    return `Reschedule of contact${ids.length === 1 ? '' : 's'} ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? '…' : ''} (${organization ?? '?'})${asOf}`;
  }
  return `${jobName} job ${status.jobId}`;
};

const counts = (record: Readonly<Record<string, number>>): Html =>
  html`${Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([key, value]) => html`<span class="state-count"><code>${key}</code> ${formatCount(value)}</span> `)}`;

const summaryTable = (summary: RunSummary): Html => html`<table class="list summary-table">
<tbody>
<tr><th>Run</th><td><code>${summary.run_id}</code> (${summary.kind}, as of ${summary.as_of})</td></tr>
<tr><th>Contacts</th><td>${formatCount(summary.contacts.total)} read, ${formatCount(summary.contacts.usable)} usable</td></tr>
<tr><th>Pre-scheduled</th><td>${formatCount(summary.emails.pre_scheduled)}</td></tr>
<tr><th>Skipped</th><td>${formatCount(summary.emails.skipped)} ${counts(summary.emails.by_skip_reason)}</td></tr>
<tr><th>By type</th><td>${counts(summary.emails.by_type)}</td></tr>
<tr><th>Rows written</th><td>${formatCount(summary.writes.inserted)} inserted, ${formatCount(summary.writes.updated ?? 0)} changed, ${formatCount(summary.writes.deleted)} deleted, ${formatCount(summary.writes.kept)} unchanged</td></tr>
<tr><th>Duration</th><td>${formatDuration(summary.duration_ms)}</td></tr>
</tbody>
</table>`;

const progressOf = (status: RequestStatus): Html => {
  const { progress } = status;
  switch (progress.kind) {
    case 'pending':
      return html`<p class="job-state" data-state="${progress.state}"><span class="status status-started">${progress.state}</span>
${progress.queuePaused ? ` — its queue (${QUEUE_NAMES.requests}) is paused in Bull Board: nothing is taken from it until it is resumed` : progress.state === 'waiting' ? ' — queued until a worker has a free slot' : ''}</p>
${progress.delayedBecause === null ? '' : html`<p class="muted">Delayed: ${progress.delayedBecause}</p>`}`;
    case 'running':
      return html`<p class="job-state" data-state="running"><span class="status status-started">running</span>
run <code>${progress.runId}</code>: ${progress.chunksDone} of ${progress.chunksTotal} chunks computed</p>
<progress max="${Math.max(1, progress.chunksTotal)}" value="${progress.chunksDone}"></progress>
${progress.delayedBecause === null ? '' : html`<p class="muted">Its finalizer is delayed: ${progress.delayedBecause}</p>`}`;
    case 'failed':
      return html`<p class="job-state" data-state="failed"><span class="status status-failed">failed</span></p><pre class="problem">${progress.reason}</pre>`;
    case 'completed':
      return html`<p class="job-state" data-state="completed"><span class="status status-completed">completed</span>
${progress.alreadyCompleted ? ' — this day\'s run had already completed with this configuration; nothing was run again (tick "rerun" to force one)' : ''}</p>
${progress.summary === null ? html`<p class="muted">The run's summary is no longer kept in the queue; its checkpoint is in the organization's recent runs.</p>` : summaryTable(progress.summary)}`;
  }
};

/** A request's progress; the page reloads itself until the request has finished. */
export const jobPage = (status: RequestStatus): Html => {
  const organization = status.organization;
  const contactIds = Array.isArray(status.data.contactIds) ? status.data.contactIds : [];
  return html`${progressOf(status)}
<p class="links">
${organization === null ? '' : html`<a href="/organizations/${segment(organization)}">Organization ${organization}</a>`}
${organization !== null && contactIds.length === 1 ? html` · <a href="/organizations/${segment(organization)}/contacts/${segment(String(contactIds[0]))}">Contact ${String(contactIds[0])}</a>` : ''}
· <a href="${BULL_BOARD_PATH}/queue/${segment(QUEUE_NAMES.requests)}/${segment(status.jobId)}">Job ${status.jobId} in Bull Board</a>
</p>`;
};
