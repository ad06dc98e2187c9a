import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ScheduleVolume } from '../src/organizations/schedule-volume';
import { volumeSummary } from '../src/views/organization-page';
import { chartGeometry, colorOfType, niceStep, volumeChart } from '../src/views/volume-chart';

const volumeOf = (totals: readonly number[], dailyCap: number, capThreshold = Math.floor(dailyCap * 1.2)): ScheduleVolume => ({
  days: totals.map((total, index) => ({
    date: `2026-${String(1 + Math.floor(index / 28)).padStart(2, '0')}-${String(1 + (index % 28)).padStart(2, '0')}`,
    byType: (total === 0 ? {} : { birthday: Math.ceil(total / 2), aep: Math.floor(total / 2) }) as Record<string, number>,
    total,
  })),
  emailTypes: ['birthday', 'aep'],
  contactRows: dailyCap * 10,
  dailyCap,
  capThreshold,
});

const render = (volume: ScheduleVolume): string => String(volumeChart(volume));

describe('axis steps', () => {
  test('are 1, 2, 2.5 or 5 times a power of ten, at least the rough step', () => {
    expect([niceStep(0.7), niceStep(3), niceStep(230), niceStep(2.2)]).toEqual([1, 5, 250, 2.5]);
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e9, noNaN: true }), (rough) => {
        const step = niceStep(rough);
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        return step >= rough * (1 - 1e-9) && [1, 2, 2.5, 5, 10].some((nice) => Math.abs(mantissa - nice) < 1e-6);
      }),
    );
  });
});

describe('the volume chart', () => {
  test('always shows the cap line inside the plot, with room above the busiest day', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(5_000), { minLength: 1, maxLength: 365 }), fc.integer({ min: 1, max: 5_000 }), (totals, cap) => {
        const geometry = chartGeometry(volumeOf(totals, cap));
        return geometry.yMax >= Math.max(cap, ...totals) && geometry.y(cap) >= geometry.y(geometry.yMax) && geometry.y(cap) <= geometry.y(0);
      }),
    );
  });

  test('has a bar group per day with emails, a stacked rect per type, and a mark under each day over the cap', () => {
    const svg = render(volumeOf([0, 10, 3, 0, 25], 12));
    expect(svg.match(/<g class="day"/g)).toHaveLength(3);
    expect(svg.match(/<rect class="over-cap"/g)).toHaveLength(1);
    expect(svg).toContain('data-cap="12"');
    expect(svg).toContain('2026-01-05: 25 emails (birthday 13, aep 12) — over the daily cap and past its threshold of 14');
  });

  test('tells a day over the cap but within its threshold (as the rules leave it) from one past the threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 0, max: 500 }), fc.nat(2_000), (cap, overage, total) => {
        const threshold = cap + overage;
        const svg = render(volumeOf([total], cap, threshold));
        const summary = String(volumeSummary(volumeOf([total], cap, threshold)));
        const pastThreshold = total > threshold;
        const withinThreshold = total > cap && !pastThreshold;
        expect(svg.includes('over the daily cap and past its threshold')).toBe(pastThreshold);
        expect(svg.includes('over the daily cap, within its threshold')).toBe(withinThreshold);
        expect(summary).toContain(`<b>${total > cap ? 1 : 0}</b> ${total > cap ? 'day' : 'days'} over the daily cap`);
        expect(summary).toContain(`<b>${pastThreshold ? 1 : 0}</b> past its threshold`);
        expect(summary.includes('past-threshold problem')).toBe(pastThreshold);
      }),
    );
  });

  test('escapes what comes from the database', () => {
    const volume = volumeOf([4], 10);
    const hostile = { ...volume, emailTypes: ['campaign_<script>'], days: [{ date: '2026-01-01', byType: { 'campaign_<script>': 4 }, total: 4 }] };
    expect(render(hostile)).not.toContain('<script>');
  });

  test('gives every type a stable colour', () => {
    const types = ['birthday', 'campaign_a', 'campaign_b', 'followup_1_cold'];
    expect(colorOfType('campaign_b', types)).toBe(colorOfType('campaign_b', types));
    expect(new Set(types.map((type) => colorOfType(type, types))).size).toBe(4);
  });
});
