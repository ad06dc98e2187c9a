import type { ScheduleVolume } from '../organizations/schedule-volume';
import { formatCount, html, type Html } from './html';

const WIDTH = 1100;
const HEIGHT = 340;
const MARGIN = { top: 18, right: 16, bottom: 40, left: 60 } as const;
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const FIXED_COLORS: Readonly<Record<string, string>> = {
  birthday: '#4e79a7',
  effective_date: '#f28e2b',
  aep: '#59a14f',
  post_window: '#76b7b2',
};
// Campaigns in purples and browns, follow-ups in yellows and pinks: families stay apart from the yearly emails.
const CAMPAIGN_COLORS = ['#b07aa1', '#9c755f', '#7b4173', '#d4a6c8'];
const FOLLOWUP_COLORS = ['#edc948', '#ff9da7', '#bab0ac', '#d7b5a6'];
const CAP_COLOR = '#c0392b';

/** A stable colour per email type; the same type has the same colour on every page. */
export const colorOfType = (emailType: string, emailTypes: readonly string[]): string => {
  const fixed = FIXED_COLORS[emailType];
  if (fixed !== undefined) return fixed;
  const family = emailType.startsWith('followup_') ? FOLLOWUP_COLORS : CAMPAIGN_COLORS;
  const prefix = emailType.startsWith('followup_') ? 'followup_' : 'campaign_';
  const rank = emailTypes.filter((type) => type.startsWith(prefix)).indexOf(emailType);
  return family[Math.max(0, rank) % family.length]!;
};

/** 1, 2, 2.5 or 5 times a power of ten: an axis step a person reads at a glance. */
export const niceStep = (roughStep: number): number => {
  const power = 10 ** Math.floor(Math.log10(Math.max(roughStep, 1e-9)));
  const fraction = roughStep / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
};

export interface ChartGeometry {
  readonly yMax: number;
  readonly yStep: number;
  readonly barWidth: number;
  readonly y: (value: number) => number;
  readonly x: (dayIndex: number) => number;
}

/** The scales: the cap always shows, with some room above the busiest day. */
export const chartGeometry = (volume: ScheduleVolume): ChartGeometry => {
  const busiest = Math.max(0, ...volume.days.map((day) => day.total));
  const top = Math.max(busiest, volume.dailyCap, 1) * 1.08;
  const yStep = Math.max(1, niceStep(top / 5));
  const yMax = Math.ceil(top / yStep) * yStep;
  const barWidth = PLOT_WIDTH / Math.max(1, volume.days.length);
  return {
    yMax,
    yStep,
    barWidth,
    y: (value) => MARGIN.top + PLOT_HEIGHT - (value / yMax) * PLOT_HEIGHT,
    x: (dayIndex) => MARGIN.left + dayIndex * barWidth,
  };
};

const round = (value: number): number => Math.round(value * 100) / 100;

const dayBars = (volume: ScheduleVolume, geometry: ChartGeometry): Html[] => {
  const width = round(Math.max(1, geometry.barWidth - 0.5));
  return volume.days.flatMap((day, index) => {
    if (day.total === 0) return [];
    let stacked = 0;
    const parts = volume.emailTypes.flatMap((emailType) => {
      const emails = day.byType[emailType] ?? 0;
      if (emails === 0) return [];
      const top = geometry.y(stacked + emails);
      const bottom = geometry.y(stacked);
      stacked += emails;
      return [html`<rect x="${round(geometry.x(index))}" y="${round(top)}" width="${width}" height="${round(bottom - top)}" fill="${colorOfType(emailType, volume.emailTypes)}"/>`];
    });
    const detail = volume.emailTypes
      .filter((emailType) => (day.byType[emailType] ?? 0) > 0)
      .map((emailType) => `${emailType} ${formatCount(day.byType[emailType]!)}`)
      .join(', ');
    const over =
      day.total > volume.capThreshold
        ? ` — over the daily cap and past its threshold of ${formatCount(volume.capThreshold)}`
        : day.total > volume.dailyCap
          ? ` — over the daily cap, within its threshold of ${formatCount(volume.capThreshold)}`
          : '';
    return [html`<g class="day" data-date="${day.date}"><title>${day.date}: ${formatCount(day.total)} emails (${detail})${over}</title>${parts}</g>`];
  });
};

const axes = (volume: ScheduleVolume, geometry: ChartGeometry): Html => {
  const yTicks: Html[] = [];
  for (let value = 0; value <= geometry.yMax + 1e-9; value += geometry.yStep) {
    const y = round(geometry.y(value));
    yTicks.push(html`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e3e6ea"/>
<text x="${MARGIN.left - 8}" y="${y + 4}" text-anchor="end" class="tick">${formatCount(value)}</text>`);
  }
  const firstMonthStart = volume.days.findIndex((day) => day.date.endsWith('-01'));
  const xTicks = volume.days.flatMap((day, index) => {
    if (!day.date.endsWith('-01')) return [];
    const month = Number(day.date.slice(5, 7));
    // The year on the first month shown and on every January.
    const label = index === firstMonthStart || month === 1 ? `${MONTHS[month - 1]} ${day.date.slice(0, 4)}` : MONTHS[month - 1]!;
    const x = round(geometry.x(index));
    return [html`<line x1="${x}" x2="${x}" y1="${MARGIN.top + PLOT_HEIGHT}" y2="${MARGIN.top + PLOT_HEIGHT + 5}" stroke="#6b7280"/>
<text x="${x + 2}" y="${MARGIN.top + PLOT_HEIGHT + 18}" class="tick">${label}</text>`];
  });
  const baseline = MARGIN.top + PLOT_HEIGHT;
  return html`${yTicks}<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${baseline}" y2="${baseline}" stroke="#6b7280"/>${xTicks}
<text x="14" y="${MARGIN.top + PLOT_HEIGHT / 2}" transform="rotate(-90 14 ${MARGIN.top + PLOT_HEIGHT / 2})" text-anchor="middle" class="axis-label">emails per day</text>`;
};

const capLine = (volume: ScheduleVolume, geometry: ChartGeometry): Html => {
  const y = round(geometry.y(volume.dailyCap));
  return html`<g class="cap" data-cap="${volume.dailyCap}"><title>daily cap: ${formatCount(volume.dailyCap)} emails</title>
<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="${CAP_COLOR}" stroke-width="2" stroke-dasharray="7 4"/>
<text x="${WIDTH - MARGIN.right - 4}" y="${y - 6}" text-anchor="end" class="cap-label" fill="${CAP_COLOR}">daily cap ${formatCount(volume.dailyCap)}</text></g>`;
};

/** Marks under the axis for the days over the cap, which a thin bar alone would hide. */
const overCapMarks = (volume: ScheduleVolume, geometry: ChartGeometry): Html[] =>
  volume.days.flatMap((day, index) =>
    day.total > volume.dailyCap
      ? [html`<rect class="over-cap" x="${round(geometry.x(index))}" y="${MARGIN.top + PLOT_HEIGHT + 26}" width="${round(Math.max(2, geometry.barWidth))}" height="5" fill="${CAP_COLOR}"/>`]
      : [],
  );

/** A swatch of a type's colour (an SVG square: inline styles are not allowed by the pages' CSP). */
const swatch = (color: string): Html =>
  html`<svg class="swatch" width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="${color}"/></svg>`;

/**
 * The pre-scheduled volume per day, stacked by email type, with the daily
 * cap as a dashed line: server-rendered SVG, readable without scripts, each
 * day's figures in its tooltip.
 */
export const volumeChart = (volume: ScheduleVolume): Html => {
  const geometry = chartGeometry(volume);
  const first = volume.days[0]?.date ?? '';
  const last = volume.days.at(-1)?.date ?? '';
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="volume-title volume-desc" class="volume-chart">
<title id="volume-title">Pre-scheduled emails per day, ${first} to ${last}</title>
<desc id="volume-desc">Stacked by email type; the dashed line is the daily cap of ${formatCount(volume.dailyCap)} emails.</desc>
${axes(volume, geometry)}
${dayBars(volume, geometry)}
${capLine(volume, geometry)}
${overCapMarks(volume, geometry)}
</svg>
<figcaption class="legend">
${volume.emailTypes.map((emailType) => html`<span class="legend-item">${swatch(colorOfType(emailType, volume.emailTypes))}${emailType}</span>`)}
<span class="legend-item"><svg class="swatch" width="22" height="12" aria-hidden="true"><line x1="0" x2="22" y1="6" y2="6" stroke="${CAP_COLOR}" stroke-width="2" stroke-dasharray="5 3"/></svg>daily cap</span>
</figcaption>
</figure>`;
};
