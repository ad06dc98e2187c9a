import { ALWAYS, NO_DAY, epochDay, formatIsoDate, type Config } from '@scheduler/core';
import type { ContactEmail, ContactSchedule } from '../organizations/contact-schedule';
import { html, segment, type Html } from './html';
import { csrfField } from './layout';

export interface ContactPageInput {
  readonly organization: string;
  readonly schedule: ContactSchedule;
  readonly config: Config;
  /** The session's CSRF token; null hides the reschedule button. */
  readonly actionToken: string | null;
}

const text = (value: string | null): Html | string => (value === null || value.trim() === '' ? html`<span class="muted">—</span>` : value);

const ruleDescription = ({ schedule, config }: ContactPageInput): Html => {
  const { usability, rule, exclusion } = schedule;
  if (!usability.usable) return html`<p>Not scheduled: <code>${usability.reason}</code> (RULES.md §2).</p>`;
  const state = usability.state;
  if (rule === null) return html`<p>${state} has no exclusion rule: no window applies.</p>`;
  if (exclusion === null) {
    return html`<p>${state}: <code>${rule.kind}</code>, but the contact has no usable date to anchor it: no window applies.</p>`;
  }
  if (exclusion.window !== null) {
    const window = exclusion.window;
    const preWindow = config.timing.pre_window_exclusion_days;
    return html`<p>${state}: <code>${rule.kind}</code> — the ${window.name}, from ${window.daysBefore} days before
(${window.daysBefore - preWindow} + ${preWindow} pre-window days) to ${window.daysAfter} days after the
${window.useMonthStart ? 'first of the month of the ' : ''}anniversary of ${formatIsoDate(anchorDay(schedule))}.</p>`;
  }
  if (exclusion.yearRoundFrom === ALWAYS) return html`<p>${exclusion.yearRoundReason}.</p>`;
  if (exclusion.yearRoundFrom === NO_DAY) return html`<p>${state}: no exclusion applies.</p>`;
  return html`<p>${exclusion.yearRoundReason}: from ${formatIsoDate(exclusion.yearRoundFrom)} on.</p>`;
};

/** The date the window is anchored on (its first year's event). */
const anchorDay = ({ exclusion }: ContactSchedule): number => {
  const window = exclusion!.window!;
  return epochDay(window.anchorYear, window.anchorMonth, window.anchorDay);
};

const windowCell = (email: ContactEmail): Html | string => {
  if (email.yearRound) return html`<span class="window">year-round</span>`;
  if (email.window === null) return '';
  return html`<span class="window">${email.window.start} – ${email.window.end}</span>`;
};

/** The code, then the words for a person that follow it. */
const reasonCell = (email: ContactEmail): Html | string => {
  if (email.skipReason === null) return '';
  const words = email.skipCode !== null && email.skipReason.startsWith(`${email.skipCode}:`)
    ? email.skipReason.slice(email.skipCode.length + 1).trim()
    : email.skipReason;
  return html`${email.skipCode === null ? '' : html`<code>${email.skipCode}</code>`}<div class="reason">${words}</div>`;
};

const eventDate = ({ eventYear, eventMonth, eventDay }: ContactEmail): string =>
  eventYear === null || eventMonth === null || eventDay === null
    ? ''
    : `${eventYear}-${String(eventMonth).padStart(2, '0')}-${String(eventDay).padStart(2, '0')}`;

const emailRows = (emails: readonly ContactEmail[]): Html =>
  html`${emails.map(
    (email) => html`<tr class="email status-row-${email.status}">
<td class="date">${email.scheduledSendDate}</td>
<td>${email.scheduledSendTime ?? ''}</td>
<td><code>${email.emailType}</code>${email.schedulerRunId === null ? '' : html`<div class="run-id">${email.schedulerRunId}</div>`}</td>
<td><span class="status status-${email.status}">${email.status}</span></td>
<td>${reasonCell(email)}</td>
<td>${windowCell(email)}</td>
<td class="date">${eventDate(email)}</td>
<td class="date">${email.actualSendDatetime ?? ''}</td>
</tr>`,
  )}`;

/** One contact: its data, the exclusion its state puts on it, every email (all statuses) with reason and window. */
export const contactPage = (input: ContactPageInput): Html => {
  const { schedule, organization } = input;
  const { contact, usability, windows, emails } = schedule;
  const zipState = usability.usable ? usability.state : null;
  const base = `/organizations/${segment(organization)}/contacts/${contact.id}`;
  return html`<section class="contact">
<dl class="facts-grid">
<dt>Email</dt><dd>${text(contact.email)}</dd>
<dt>ZIP</dt><dd>${text(contact.zipCode)}</dd>
<dt>State (from ZIP)</dt><dd>${zipState ?? html`<span class="problem">none</span>`}${usability.usable && usability.stateDisagrees
    ? html` <span class="muted">(stored state ${contact.state} disagrees)</span>`
    : ''}</dd>
<dt>Birth date</dt><dd>${text(contact.birthDate)}</dd>
<dt>Effective date</dt><dd>${text(contact.effectiveDate)}</dd>
</dl>
${input.actionToken === null
  ? ''
  : html`<form method="post" action="${base}/reschedule" class="action">
${csrfField(input.actionToken)}
<label>As of <input type="date" name="asOf"></label>
<button type="submit" class="primary">Reschedule this contact</button>
<span class="muted small">Enqueues a <code>reschedule-contacts</code> job; leave the date empty for today.</span>
</form>`}
</section>
<section>
<h2>Exclusion</h2>
${ruleDescription(input)}
${windows.length === 0
  ? ''
  : html`<table class="list windows"><thead><tr><th>Window year</th><th>From</th><th>To</th></tr></thead><tbody>
${windows.map((window) => html`<tr><td>${window.year}</td><td>${window.start}</td><td>${window.end}</td></tr>`)}
</tbody></table>`}
</section>
<section>
<h2>Emails (${emails.length})</h2>
${emails.length === 0
  ? html`<p class="empty">No emails scheduled or skipped for this contact.</p>`
  : html`<div class="scroll"><table class="list emails">
<thead><tr><th>Send date</th><th>Time</th><th>Type / run</th><th>Status</th><th>Reason</th><th>Exclusion window</th><th>Event</th><th>Sent at</th></tr></thead>
<tbody>${emailRows(emails)}</tbody>
</table></div>`}
</section>`;
};
