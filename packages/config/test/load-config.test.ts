import { describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '@scheduler/core';
import { loadConfigFile } from '../src/index';
import { refusalOf, useConfigFolder } from './support/config-files';

// A folder per test: several tests write a file of the same name (bad.yaml).
const { fileWith, pathOf } = useConfigFolder('scheduler-config-', 'each');

const YAML = `
timing:
  birthday_email_days_before: 21
aep:
  dates:
    - { month: 10, day: 15 }
  years: [2026, 2027]
load_balancing:
  daily_send_percentage_cap: 0.05
state_rules:
  CA: { kind: birthday_window, before: 30, after: 60 }
  NV: { kind: birthday_window, before: 0, after: 60, use_month_start: true }
  FL: { kind: year_round_from_age, min_age: 76 }
templates:
  birthday: { email: birthday_v2, sms: null }
`;

const expectedFromYaml = (): Config => {
  const config = defaultConfig();
  return {
    ...config,
    timing: { ...config.timing, birthday_email_days_before: 21 },
    aep: { dates: [{ month: 10, day: 15 }], years: [2026, 2027] },
    load_balancing: { ...config.load_balancing, daily_send_percentage_cap: 0.05 },
    state_rules: {
      CA: { kind: 'birthday_window', before: 30, after: 60, use_month_start: false },
      NV: { kind: 'birthday_window', before: 0, after: 60, use_month_start: true },
      FL: { kind: 'year_round_from_age', min_age: 76 },
    },
    templates: { birthday: { email: 'birthday_v2', sms: null } },
  };
};

describe('loadConfigFile', () => {
  describe('when the file is YAML', () => {
    it('reads a .yaml file, applying defaults to the keys it leaves out', () => {
      expect(loadConfigFile(fileWith('scheduler.yaml', YAML))).toEqual(expectedFromYaml());
    });

    it('reads a .yml file the same way', () => {
      expect(loadConfigFile(fileWith('scheduler.yml', YAML))).toEqual(expectedFromYaml());
    });

    it('takes an empty file as all defaults', () => {
      expect(loadConfigFile(fileWith('empty.yaml', ''))).toEqual(defaultConfig());
    });

    it('refuses a file that is not valid YAML', () => {
      expect(refusalOf(fileWith('broken.yaml', 'timing: [unclosed')).message).toMatch(/not valid YAML/);
    });

    it('refuses a key given twice, naming it and its line', () => {
      const refusal = refusalOf(fileWith('twice.yaml', 'batch_size: 5\nbatch_size: 6\n'));
      expect(refusal.message).toMatch(/gives batch_size twice \(line 2\)/);
      expect(refusal.keys).toEqual(['batch_size']);
      const nested = refusalOf(fileWith('nested.yaml', 'state_rules:\n  CA: { kind: year_round }\n  NV: { kind: year_round }\n  CA: { kind: year_round }\n'));
      expect(nested.message).toMatch(/gives state_rules\.CA twice \(line 4\)/);
    });
  });

  describe('when the file is JSON', () => {
    it('reads it, applying defaults to the keys it leaves out', () => {
      const path = fileWith('scheduler.json', JSON.stringify({ frequency: { max_emails_per_period: 2 }, state_rules: { NY: { kind: 'year_round' } } }));
      const config = defaultConfig();
      expect(loadConfigFile(path)).toEqual({
        ...config,
        frequency: { ...config.frequency, max_emails_per_period: 2 },
        state_rules: { NY: { kind: 'year_round' } },
      });
    });

    // JSON.parse would keep the last of the two values silently.
    it('refuses a key given twice, naming it and its line, as in YAML', () => {
      const text = '{"timing": {"birthday_email_days_before": 14,\n  "birthday_email_days_before": 15}}';
      const refusal = refusalOf(fileWith('twice.json', text));
      expect(refusal.message).toMatch(/gives timing\.birthday_email_days_before twice \(line 2\)/);
      expect(refusal.keys).toEqual(['timing.birthday_email_days_before']);
    });

    it('refuses a file that is not valid JSON', () => {
      expect(refusalOf(fileWith('broken.json', '{"timing": ')).message).toMatch(/not valid JSON/);
    });
  });

  describe('when a value is bad or a key unknown', () => {
    it('names the file and the key', () => {
      const path = fileWith('bad.yaml', 'timing:\n  birthday_email_days_before: -3\n');
      const error = refusalOf(path);
      expect(error.message).toContain(path);
      expect(error.message).toContain('timing.birthday_email_days_before');
      expect(error.keys).toEqual(['timing.birthday_email_days_before']);
    });

    it('names an unknown rule kind by its key', () => {
      const error = refusalOf(fileWith('bad.json', JSON.stringify({ state_rules: { CA: { kind: 'monthly' } } })));
      expect(error.keys).toEqual(['state_rules.CA.kind']);
    });

    it('names an unknown key', () => {
      const error = refusalOf(fileWith('bad.yaml', 'frequency:\n  max_emails: 3\n'));
      expect(error.message).toContain('frequency.max_emails');
    });
  });

  describe('when the file cannot be used at all', () => {
    it('refuses an extension other than .yaml, .yml or .json, or none', () => {
      expect(refusalOf(fileWith('scheduler.toml', 'batch_size = 5')).message).toMatch(/\.yaml, \.yml or \.json/);
      expect(refusalOf(fileWith('scheduler', 'batch_size: 5\n')).message).toMatch(/\.yaml, \.yml or \.json/);
    });

    // Only an empty file means "all defaults": a document that is a single value is no configuration.
    it('refuses a document that is one value, not a mapping of keys', () => {
      for (const [name, text] of [['false.yaml', 'false\n'], ['zero.json', '0'], ['blank.json', '""']] as const) {
        expect(() => loadConfigFile(fileWith(name, text)), name).toThrow(name);
      }
    });

    it('refuses a file that cannot be read, keeping the cause', () => {
      const error = refusalOf(pathOf('missing.yaml'));
      expect(error.message).toContain('missing.yaml');
      expect(error.cause).toBeInstanceOf(Error);
    });
  });
});
