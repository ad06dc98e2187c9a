import type { RunRecord } from '../organizations/run-history';
import { formatCount, formatDuration, html, type Html } from './html';

const count = (value: number | null): string => (value === null ? '—' : formatCount(value));

/** Recent runs from `scheduler_checkpoints`, newest first. */
export const runTable = (runs: readonly RunRecord[]): Html => {
  if (runs.length === 0) return html`<p class="empty">No runs recorded yet.</p>`;
  return html`<table class="list runs">
<thead><tr><th>Run</th><th>Kind</th><th>Status</th><th>Started (UTC)</th><th>Duration</th><th class="num">Contacts</th><th class="num">Scheduled</th><th class="num">Skipped</th><th>Error</th></tr></thead>
<tbody>
${runs.map(
  (run) => html`<tr>
<td><code>${run.schedulerRunId}</code></td>
<td>${run.kind}</td>
<td><span class="status status-${run.status}">${run.status}</span></td>
<td>${run.runTimestamp}</td>
<td>${run.durationMs === null ? (run.status === 'started' ? 'running…' : '—') : formatDuration(run.durationMs)}</td>
<td class="num">${count(run.contactsProcessed)}</td>
<td class="num">${count(run.emailsScheduled)}</td>
<td class="num">${count(run.emailsSkipped)}</td>
<td class="problem">${run.errorMessage ?? ''}</td>
</tr>`,
)}
</tbody>
</table>`;
};
