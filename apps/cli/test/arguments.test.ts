/**
 * The edges of the command line's numeric and date arguments (CONTRACT.md "Command line": a bad argument ends
 * with one clear line; a good one must not). Parsed by the real program, each command's action replaced by one
 * that keeps the options it was given: nothing runs, no Redis, no database.
 */
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/program';

type Parsed = { options: Record<string, unknown> } | { refusal: string };

const parse = async (args: string[]): Promise<Parsed> => {
  const program = createProgram();
  let options: Record<string, unknown> | null = null;
  for (const command of program.commands) {
    command.configureOutput({ writeOut: () => {}, writeErr: () => {} });
    command.action((given: Record<string, unknown>) => {
      options = given;
    });
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { refusal: error.message };
    throw error;
  }
  if (options === null) throw new Error(`no action ran for ${args.join(' ')}`);
  return { options };
};

const accepted = async (args: string[], option: string): Promise<unknown> => {
  const parsed = await parse(args);
  if ('refusal' in parsed) throw new Error(`${args.join(' ')} refused: ${parsed.refusal}`);
  return parsed.options[option];
};

const refusal = async (args: string[]): Promise<string> => {
  const parsed = await parse(args);
  if (!('refusal' in parsed)) throw new Error(`${args.join(' ')} accepted: ${JSON.stringify(parsed.options)}`);
  return parsed.refusal;
};

// as-of.ts: a run's dates reach about twelve years past its day, and every date must keep a four-digit year
// (CONTRACT.md: `YYYY-MM-DD`, compared as text), so the last day is 9979-12-31; before 1900 is a typing mistake.
describe('when --as-of is at the edge of the days a run may be as of', () => {
  for (const command of [['run', '--db', 'acme.sqlite'], ['reschedule', '--db', 'acme.sqlite', '--contact', '5'], ['seed', '--db', 'acme.sqlite', '--contacts', '10']]) {
    it(`${command[0]} accepts the first and the last day, 1900-01-01 and 9979-12-31`, async () => {
      expect(await accepted([...command, '--as-of', '1900-01-01'], 'asOf')).toBe('1900-01-01');
      expect(await accepted([...command, '--as-of', '9979-12-31'], 'asOf')).toBe('9979-12-31');
    });

    it(`${command[0]} refuses the day before the first and the day after the last, naming --as-of`, async () => {
      expect(await refusal([...command, '--as-of', '1899-12-31'])).toMatch(/--as-of.*1899-12-31/);
      expect(await refusal([...command, '--as-of', '9980-01-01'])).toMatch(/--as-of.*9980-01-01/);
    });
  }
});

describe('when --threads is at the edge of 1 to 256', () => {
  it('worker accepts 1 and 256 threads', async () => {
    expect(await accepted(['worker', '--threads', '1'], 'threads')).toBe(1);
    expect(await accepted(['worker', '--threads', '256'], 'threads')).toBe(256);
  });

  it('worker refuses 0 and 257 threads, naming --threads', async () => {
    expect(await refusal(['worker', '--threads', '0'])).toMatch(/--threads.*'0'/);
    expect(await refusal(['worker', '--threads', '257'])).toMatch(/--threads.*'257'/);
  });
});

// A whole number ≥ 0 (arguments.ts): `seed --contacts 0` makes an organization without contacts, which a run must handle.
describe('when --contacts is at its lower edge', () => {
  it('seed and demo accept 0 contacts', async () => {
    expect(await accepted(['seed', '--db', 'acme.sqlite', '--contacts', '0'], 'contacts')).toBe(0);
    expect(await accepted(['demo', '--contacts', '0'], 'contacts')).toBe(0);
  });

  it('seed and demo refuse -1 contacts, naming --contacts', async () => {
    expect(await refusal(['seed', '--db', 'acme.sqlite', '--contacts', '-1'])).toMatch(/--contacts.*'-1'/);
    expect(await refusal(['demo', '--contacts', '-1'])).toMatch(/--contacts.*'-1'/);
  });
});

describe('when --contact names ids at the edge of what JavaScript holds exactly', () => {
  it('reschedule accepts ±(2^53 − 1), 0 and negative ids, every one given, in order', async () => {
    const ids = ['9007199254740991', '-9007199254740991', '0', '-3', '42'];
    expect(await accepted(['reschedule', '--db', 'acme.sqlite', '--contact', ...ids], 'contact')).toEqual(ids.map(Number));
  });

  it('reschedule refuses an id beyond ±(2^53 − 1) saying so, and text saying it is no contact id', async () => {
    expect(await refusal(['reschedule', '--db', 'acme.sqlite', '--contact', '9007199254740993'])).toMatch(/9007199254740993 is beyond ±\(2\^53 − 1\)/);
    expect(await refusal(['reschedule', '--db', 'acme.sqlite', '--contact', '12a'])).toMatch(/12a is not a contact id/);
  });
});
