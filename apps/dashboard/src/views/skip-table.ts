import type { SkipCount } from '../organizations/skip-summary';
import { formatCount, html, type Html } from './html';

const STATES_SHOWN = 12;

/** Skipped emails per reason code, each with its states, largest first. */
export const skipTable = (skips: readonly SkipCount[]): Html => {
  if (skips.length === 0) return html`<p class="empty">No skipped emails.</p>`;
  const byCode = new Map<string, SkipCount[]>();
  for (const skip of skips) byCode.set(skip.code, [...(byCode.get(skip.code) ?? []), skip]);
  const total = skips.reduce((sum, skip) => sum + skip.emails, 0);
  const codes = [...byCode.entries()]
    .map(([code, rows]) => ({ code, rows: rows.sort((a, b) => b.emails - a.emails), emails: rows.reduce((sum, row) => sum + row.emails, 0) }))
    .sort((a, b) => b.emails - a.emails);
  return html`<table class="list skips">
<thead><tr><th>Reason</th><th class="num">Emails</th><th class="num">Share</th><th>By state</th></tr></thead>
<tbody>
${codes.map(
  ({ code, rows, emails }) => html`<tr>
<td><code>${code}</code></td>
<td class="num">${formatCount(emails)}</td>
<td class="num">${((100 * emails) / total).toFixed(1)}%</td>
<td class="states">${rows.slice(0, STATES_SHOWN).map((row) => html`<span class="state-count"><b>${row.state}</b> ${formatCount(row.emails)}</span> `)}${rows.length > STATES_SHOWN
    ? html`<span class="muted">and ${rows.length - STATES_SHOWN} more states (${formatCount(rows.slice(STATES_SHOWN).reduce((sum, row) => sum + row.emails, 0))})</span>`
    : ''}</td>
</tr>`,
)}
</tbody>
<tfoot><tr><th>all</th><td class="num">${formatCount(total)}</td><td></td><td></td></tr></tfoot>
</table>`;
};
