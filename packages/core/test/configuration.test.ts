import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, parseConfig, scheduleContact } from '../src/index';
import { contactIn, inputsOf, linesOf, world } from './support/world';

/** The ConfigError a raw configuration raises. */
const refusal = (raw: unknown): ConfigError => {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
};

describe('configuration', () => {
  describe('when no key is given', () => {
    it('has the defaults of CONTRACT.md and the state table of RULES.md §5', () => {
      expect(defaultConfig()).toEqual({
        timezone: 'America/Chicago',
        send_time: '08:30',
        batch_size: 10000,
        timing: {
          birthday_email_days_before: 14,
          effective_date_days_before: 30,
          pre_window_exclusion_days: 60,
          followup_delay_days: 2,
          followup_lookback_days: 35,
        },
        aep: { dates: [{ month: 9, day: 15 }], years: null },
        frequency: { max_emails_per_period: 3, period_days: 30 },
        load_balancing: {
          daily_send_percentage_cap: 0.07,
          ed_daily_soft_limit: 15,
          ed_smoothing_window_days: 5,
          catch_up_spread_days: 7,
          overage_threshold: 1.2,
        },
        priorities: { birthday: 10, effective_date: 20, aep: 30, post_window: 40, followup: 50 },
        templates: { birthday: { email: 'birthday_v1', sms: null } },
        state_rules: {
          CA: { kind: 'birthday_window', before: 30, after: 60, use_month_start: false },
          ID: { kind: 'birthday_window', before: 0, after: 63, use_month_start: false },
          KY: { kind: 'birthday_window', before: 0, after: 60, use_month_start: false },
          MD: { kind: 'birthday_window', before: 0, after: 30, use_month_start: false },
          NV: { kind: 'birthday_window', before: 0, after: 60, use_month_start: true },
          OK: { kind: 'birthday_window', before: 0, after: 60, use_month_start: false },
          OR: { kind: 'birthday_window', before: 0, after: 31, use_month_start: false },
          VA: { kind: 'birthday_window', before: 0, after: 30, use_month_start: false },
          MO: { kind: 'effective_date_window', before: 30, after: 33, use_month_start: false },
          CT: { kind: 'year_round' },
          MA: { kind: 'year_round' },
          NY: { kind: 'year_round' },
          WA: { kind: 'year_round' },
        },
      });
    });

    it('takes a missing (null) configuration as all defaults', () => {
      expect(parseConfig(null)).toEqual(defaultConfig());
      expect(parseConfig({})).toEqual(defaultConfig());
    });

    it('fills the keys left out of a partly given section', () => {
      const config = parseConfig({ timing: { birthday_email_days_before: 7 } });
      expect(config.timing).toEqual({
        birthday_email_days_before: 7,
        effective_date_days_before: 30,
        pre_window_exclusion_days: 60,
        followup_delay_days: 2,
        followup_lookback_days: 35,
      });
    });
  });

  describe('when a key is unknown or a value is bad', () => {
    const cases: [string, unknown, string][] = [
      ['a negative day count', { timing: { birthday_email_days_before: -1 } }, 'timing.birthday_email_days_before'],
      ['a fractional day count', { timing: { followup_delay_days: 1.5 } }, 'timing.followup_delay_days'],
      ['a day count given as text', { timing: { pre_window_exclusion_days: '60' } }, 'timing.pre_window_exclusion_days'],
      ['an unknown timing key', { timing: { birthday_days: 14 } }, 'timing.birthday_days'],
      ['an unknown top-level key', { colour: 'blue' }, 'colour'],
      ['an unknown rule kind', { state_rules: { CA: { kind: 'weekly' } } }, 'state_rules.CA.kind'],
      ['a window without its after', { state_rules: { CA: { kind: 'birthday_window', before: 30 } } }, 'state_rules.CA.after'],
      ['an unknown key in a rule', { state_rules: { NY: { kind: 'year_round', before: 3 } } }, 'state_rules.NY.before'],
      ['a state code that is not two capitals', { state_rules: { Ca: { kind: 'year_round' } } }, 'state_rules.Ca'],
      ['an AEP date that is no calendar day', { aep: { dates: [{ month: 2, day: 30 }] } }, 'aep.dates.0'],
      ['an AEP month out of range', { aep: { dates: [{ month: 13, day: 1 }] } }, 'aep.dates.0.month'],
      ['a zero daily percentage', { load_balancing: { daily_send_percentage_cap: 0 } }, 'load_balancing.daily_send_percentage_cap'],
      ['a zero catch-up spread', { load_balancing: { catch_up_spread_days: 0 } }, 'load_balancing.catch_up_spread_days'],
      ['a zero cap per period', { frequency: { max_emails_per_period: 0 } }, 'frequency.max_emails_per_period'],
      ['an unknown template type', { templates: { birthdays: { email: 'x' } } }, 'templates.birthdays'],
      ['a send time that is not HH:MM', { send_time: '8:30am' }, 'send_time'],
      ['a time zone that does not exist', { timezone: 'Mars/Olympus' }, 'timezone'],
    ];

    it('refuses each with a ConfigError whose message names the key', () => {
      for (const [what, raw, key] of cases) {
        const error = refusal(raw);
        expect(error.name, what).toBe('ConfigError');
        expect(error.message, what).toContain(key);
        expect(error.keys, what).toContain(key);
      }
    });

    it('names every bad key at once', () => {
      const error = refusal({ timing: { birthday_email_days_before: -1 }, frequency: { period_days: 0 } });
      expect(error.keys).toEqual(expect.arrayContaining(['timing.birthday_email_days_before', 'frequency.period_days']));
    });
  });

  describe('when state_rules is given', () => {
    it('replaces the whole default table', () => {
      expect(parseConfig({ state_rules: { TX: { kind: 'year_round' } } }).state_rules).toEqual({ TX: { kind: 'year_round' } });
    });

    it('leaves states it does not name without a rule', () => {
      const context = world({ today: '2026-06-01', config: { state_rules: { TX: { kind: 'year_round' } } } });
      const ca = scheduleContact(context, inputsOf(contactIn('CA', { birthDate: '1990-06-15' })));
      expect(ca).toMatchObject({ usable: true, exclusion: null });
      expect(ca.usable && linesOf(ca.emails)).toEqual(['aep 2026-09-15 pre-scheduled', 'birthday 2026-06-01 pre-scheduled']);
      const tx = scheduleContact(context, inputsOf(contactIn('TX', { birthDate: '1990-06-15' })));
      expect(tx.usable && linesOf(tx.emails)).toEqual(['aep 2026-09-15 skipped', 'birthday 2026-06-01 skipped']);
    });

    it('anchors a window on the 1st of the month only when use_month_start is set', () => {
      expect(parseConfig({ state_rules: { NV: { kind: 'birthday_window', before: 0, after: 60 } } }).state_rules.NV).toEqual({
        kind: 'birthday_window',
        before: 0,
        after: 60,
        use_month_start: false,
      });
    });

    it('refuses a window that would reach the next year’s, naming the state (regression: the post-window emails never ended)', () => {
      const tooLong = refusal({ state_rules: { CA: { kind: 'birthday_window', before: 30, after: 274 } } });
      expect(tooLong.keys).toEqual(['state_rules.CA']);
      expect(tooLong.message).toContain('state_rules.CA');
      const widened = refusal({ timing: { pre_window_exclusion_days: 300 } });
      expect(widened.keys).toEqual(['state_rules.CA']);
      expect(() => parseConfig({ state_rules: { CA: { kind: 'birthday_window', before: 30, after: 273 } } })).not.toThrow();
    });

    it('sends the post_window email of a window spanning 364 days on the free day before the next one', () => {
      // CA 30 + 60 before, 273 after: 2026-03-17..2027-03-15, and the 2027 window opens on 2027-03-17.
      const config = { state_rules: { CA: { kind: 'birthday_window' as const, before: 30, after: 273 } } };
      const outcome = scheduleContact(world({ today: '2026-06-01', config }), inputsOf(contactIn('CA', { birthDate: '1990-06-15' })));
      expect(outcome.usable && linesOf(outcome.emails)).toEqual([
        'aep 2026-09-15 skipped',
        'birthday 2026-06-01 skipped',
        'post_window 2027-03-16 pre-scheduled',
      ]);
    });

    it('takes the year_round_from_age kind', () => {
      expect(parseConfig({ state_rules: { FL: { kind: 'year_round_from_age', min_age: 76 } } }).state_rules.FL).toEqual({
        kind: 'year_round_from_age',
        min_age: 76,
      });
      expect(refusal({ state_rules: { FL: { kind: 'year_round_from_age' } } }).keys).toContain('state_rules.FL.min_age');
    });
  });
});
