import type { Config } from '@scheduler/core';
import type { Aggregate } from '../organizations/aggregate-cache';
import { VOLUME_DAYS, type OrganizationOverview } from '../organizations/organization-views';
import type { ScheduleVolume } from '../organizations/schedule-volume';
import { formatAge, formatCount, html, segment, type Html } from './html';
import { csrfField } from './layout';
import { runTable } from './run-table';
import { skipTable } from './skip-table';
import { volumeChart } from './volume-chart';

export interface OrganizationPageInput {
  readonly organization: string;
  readonly overview: OrganizationOverview;
  readonly config: Config;
  readonly today: string;
  /** The session's CSRF token; null hides the actions (read-only mode, or signed in without a session). */
  readonly actionToken: string | null;
  readonly nowMs: number;
}

const reading = html`<p class="empty">Reading the whole schedule (a large database takes a few seconds); this page reloads itself.</p>`;

/**
 * A day over the cap but within its threshold is as the rules leave it (RULES.md §9.2); one past the
 * threshold holds emails the cap could not move on (deadlines, windows, rows already there): that is
 * the one to look at.
 */
export const volumeSummary = ({ days, dailyCap, capThreshold }: ScheduleVolume): Html => {
  const total = days.reduce((sum, day) => sum + day.total, 0);
  const busiest = days.reduce((best, day) => (day.total > best.total ? day : best), days[0]!);
  const overCap = days.filter((day) => day.total > dailyCap).length;
  const pastThreshold = days.filter((day) => day.total > capThreshold).length;
  return html`<p class="summary">
<b>${formatCount(total)}</b> pre-scheduled emails ·
busiest day <b>${busiest.date}</b> with ${formatCount(busiest.total)} ·
<span class="over-cap"><b>${overCap}</b> ${overCap === 1 ? 'day' : 'days'} over the daily cap</span>,
<span class="past-threshold${pastThreshold > 0 ? ' problem' : ''}"><b>${pastThreshold}</b> past its threshold of ${formatCount(capThreshold)}, where emails move on</span>
</p>`;
};

const actions = (input: OrganizationPageInput): Html => {
  const base = `/organizations/${segment(input.organization)}`;
  return html`<section class="actions">
${input.actionToken === null
  ? ''
  : html`<form method="post" action="${base}/runs" class="action">
${csrfField(input.actionToken)}
<label>As of <input type="date" name="asOf"></label>
<label class="check"><input type="checkbox" name="rerun" value="true"> rerun even if this day's run completed</label>
<button type="submit" class="primary">Start a full run</button>
<span class="muted small">Leave the date empty for the day the run starts.</span>
</form>`}
<form method="get" action="${base}/contacts" class="action">
<label>Contact id <input type="number" name="id" min="1" step="1" required></label>
<button type="submit">Open contact</button>
</form>
</section>`;
};

/** One organization: the coming year's volume against the cap, the skips, the recent runs. */
const readAt = (aggregate: Aggregate<unknown>, nowMs: number): Html =>
  html`<p class="muted small">Read ${formatAge(nowMs - aggregate.readAtMs)}${aggregate.refreshing ? '; a newer read is under way' : ''}; read again after the next commit.</p>`;

export const organizationPage = (input: OrganizationPageInput): Html => {
  const { volume, skips, runs } = input.overview;
  const cap = input.config.load_balancing.daily_send_percentage_cap;
  return html`<p class="facts">
${volume === null
  ? ''
  : html`<span><b>${formatCount(volume.value.contactRows)}</b> contacts</span>
<span>daily cap <b>${formatCount(volume.value.dailyCap)}</b> (${(cap * 100).toFixed(1)}% of contacts)</span>`}
<span>time zone ${input.config.timezone}</span>
<span>today ${input.today}</span>
</p>
${actions(input)}
<section>
<h2>Pre-scheduled emails, next ${VOLUME_DAYS} days</h2>
${volume === null ? reading : html`${volumeChart(volume.value)}${volumeSummary(volume.value)}${readAt(volume, input.nowMs)}`}
</section>
<section>
<h2>Skipped emails by reason and state</h2>
${skips === null
  ? reading
  : html`${skipTable(skips.value)}
<p class="muted small">States of exclusions are those whose rule applied; for other reasons, the state of the contact's ZIP.</p>
${readAt(skips, input.nowMs)}`}
</section>
<section>
<h2>Recent runs</h2>
${runTable(runs)}
</section>`;
};
