import type { UnservedFile } from '@scheduler/pipeline';
import type { RunRecord } from '../organizations/run-history';
import { utcDatetimeMs } from '../organizations/run-history';
import { formatAge, html, segment, type Html } from './html';

export interface OrganizationRow {
  readonly organization: string;
  readonly lastCompletedRun: RunRecord | null;
  /** Why the database could not be read, or null. */
  readonly error: string | null;
}

/** Files the operator may expect to see as organizations, and why no worker serves them. */
const unservedList = (unserved: readonly UnservedFile[]): Html | string =>
  unserved.length === 0
    ? ''
    : html`<h2>Database files not served</h2>
<p class="muted">No run, nightly or requested, reads these files.</p>
<ul class="problem">
${unserved.map(({ file, because }) => html`<li><code>${file}</code>: ${because}</li>`)}
</ul>`;

/** Every organization of the directory, with the age of its last completed full run, then the files nothing serves. */
export const organizationsPage = (rows: readonly OrganizationRow[], unserved: readonly UnservedFile[], directory: string, nowMs: number): Html => {
  if (rows.length === 0) {
    return html`<p class="empty">No organization databases in <code>${directory}</code> (files named <code>&lt;organization&gt;.sqlite</code>, <code>.db</code> or <code>.sqlite3</code>).</p>
${unservedList(unserved)}`;
  }
  return html`<table class="list">
<thead><tr><th>Organization</th><th>Last completed full run</th><th>Completed</th></tr></thead>
<tbody>
${rows.map(({ organization, lastCompletedRun: run, error }) => {
  const completedMs = run === null ? null : utcDatetimeMs(run.completedAt);
  return html`<tr>
<td><a href="/organizations/${segment(organization)}">${organization}</a></td>
${error !== null
  ? html`<td colspan="2" class="problem">${error}</td>`
  : run === null
    ? html`<td colspan="2" class="muted">no run has completed yet</td>`
    : html`<td><code>${run.schedulerRunId}</code></td><td title="${run.completedAt ?? ''} UTC">${completedMs === null ? '—' : formatAge(nowMs - completedMs)}</td>`}
</tr>`;
})}
</tbody>
</table>
${unservedList(unserved)}`;
};
