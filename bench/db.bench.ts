/**
 * `pnpm bench:db [contacts]` (or BENCH_CONTACTS=200000): what the db package
 * costs on an organization of 3,000,000 contacts and ~9,000,000 schedule
 * rows, against reference/sqlite-floor.md's floor measured here too. Each
 * phase runs in its own process, so its peak RSS is its own. The last line
 * of stdout is one JSON object of the figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  contactChunks,
  contactsChecksum,
  openOrganizationDb,
  readContactInputPages,
  readContacts,
  replaceOrganizationSchedule,
  schedulesChecksum,
  seedOrganization,
} from '@scheduler/db';
import { insertFloor } from './db/raw-floor';
import { syntheticSchedule } from './db/synthetic-schedule';

interface PhaseResult {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly detail?: Record<string, unknown>;
}

const AS_OF = '2026-11-28';
const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;
const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** One phase, run inside a child process: `tsx bench/db.bench.ts --phase NAME DIR CONTACTS`. */
const runPhase = (phase: string, directory: string, contacts: number): PhaseResult => {
  const organization = join(directory, 'organization.sqlite');
  let start = process.hrtime.bigint();
  let detail: Record<string, unknown> | undefined;
  switch (phase) {
    case 'floor':
      detail = { rows: insertFloor(join(directory, 'floor.sqlite'), syntheticSchedule(contacts, 'first', 'run-floor')) };
      break;
    case 'seed':
      detail = { ...seedOrganization(organization, { contacts, seed: 1, asOf: AS_OF }) };
      break;
    case 'read-contacts': {
      const db = openOrganizationDb(organization, { readonly: true });
      let read = 0;
      for (const chunk of contactChunks(db, 10_000)) read += readContacts(db, chunk).length;
      db.close();
      detail = { contacts: read };
      break;
    }
    case 'read-inputs': {
      const db = openOrganizationDb(organization, { readonly: true });
      let read = 0;
      let history = 0;
      for (const chunk of contactChunks(db, 10_000)) {
        for (const page of readContactInputPages(db, { ...chunk, timeZone: 'America/Chicago' })) {
          read += page.inputs.length;
          for (const input of page.inputs) history += input.history.length;
        }
      }
      db.close();
      detail = { contacts: read, historyEmails: history };
      break;
    }
    case 'commit-empty':
    case 'commit-one-percent':
    case 'commit-all-changed': {
      const variant = phase === 'commit-empty' ? 'first' : phase === 'commit-one-percent' ? 'one-percent-changed' : 'all-changed';
      // The commit consumes rows as this bench makes them, so the phase's time includes making them (a
      // pipeline's work, not the commit's). Making them alone is timed first, outside the phase, and reported.
      const generationStart = process.hrtime.bigint();
      let generated = 0;
      for (const row of syntheticSchedule(contacts, variant, `run-${phase}`)) generated += row.contactId > 0 ? 1 : 0;
      const rowGenerationSeconds = seconds(generationStart);
      start = process.hrtime.bigint();
      const db = openOrganizationDb(organization);
      const summary = replaceOrganizationSchedule(db, `run-${phase}`, syntheticSchedule(contacts, variant, `run-${phase}`));
      db.close();
      detail = { ...summary, rowsGenerated: generated, rowGenerationSeconds };
      break;
    }
    case 'checksums': {
      const db = openOrganizationDb(organization, { readonly: true });
      const contactsStart = process.hrtime.bigint();
      contactsChecksum(db);
      const contactsSeconds = seconds(contactsStart);
      schedulesChecksum(db);
      detail = { contactsSeconds, schedulesSeconds: seconds(contactsStart) - contactsSeconds };
      db.close();
      break;
    }
    default:
      throw new Error(`unknown phase ${phase}`);
  }
  return { seconds: seconds(start), peakRssMb: peakRssMb(), ...(detail === undefined ? {} : { detail }) };
};

if (process.argv[2] === '--phase') {
  const result = runPhase(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const contacts = Number(process.argv[2] ?? process.env.BENCH_CONTACTS ?? 3_000_000);
  if (!Number.isSafeInteger(contacts) || contacts < 1) throw new Error(`bad contact count ${process.argv[2] ?? process.env.BENCH_CONTACTS}`);
  const directory = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'scheduler-db-bench-'));
  const script = fileURLToPath(import.meta.url);
  const phase = (name: string): PhaseResult => {
    const output = execFileSync(process.execPath, [...process.execArgv, script, '--phase', name, directory, String(contacts)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as PhaseResult;
    process.stdout.write(`${name.padEnd(20)} ${result.seconds.toFixed(1).padStart(7)} s  peak RSS ${String(result.peakRssMb).padStart(5)} MB  ${JSON.stringify(result.detail ?? {})}\n`);
    return result;
  };
  try {
    process.stdout.write(`db bench: ${contacts} contacts, ${contacts * 3} schedule rows, in ${directory}\n`);
    const floor = phase('floor');
    rmSync(join(directory, 'floor.sqlite'), { force: true });
    const seed = phase('seed');
    const readContactsPhase = phase('read-contacts');
    const readInputs = phase('read-inputs');
    const commitEmpty = phase('commit-empty');
    const onePercent = phase('commit-one-percent');
    const allChanged = phase('commit-all-changed');
    const checksums = phase('checksums');
    const budgets = {
      seed: seed.seconds < 60,
      readContacts: readContactsPhase.seconds < 8,
      commitEmpty: commitEmpty.seconds <= 1.2 * floor.seconds,
      commitOnePercent: onePercent.seconds < 10,
      commitAllChanged: allChanged.seconds <= 2 * floor.seconds,
      memory: [floor, seed, readContactsPhase, readInputs, commitEmpty, onePercent, allChanged].every((p) => p.peakRssMb < 1024),
    };
    const figures = {
      contacts,
      scheduleRows: contacts * 3,
      floorSeconds: floor.seconds,
      seedSeconds: seed.seconds,
      readContactsSeconds: readContactsPhase.seconds,
      readInputsSeconds: readInputs.seconds,
      commitEmptySeconds: commitEmpty.seconds,
      commitEmptyVsFloor: commitEmpty.seconds / floor.seconds,
      commitOnePercentSeconds: onePercent.seconds,
      commitAllChangedSeconds: allChanged.seconds,
      commitAllChangedVsFloor: allChanged.seconds / floor.seconds,
      // Included in the commit phases' seconds above: this bench's own making of the rows the commits consume.
      rowGenerationSeconds: {
        empty: commitEmpty.detail?.rowGenerationSeconds,
        onePercent: onePercent.detail?.rowGenerationSeconds,
        allChanged: allChanged.detail?.rowGenerationSeconds,
      },
      contactsChecksumSeconds: checksums.detail?.contactsSeconds,
      schedulesChecksumSeconds: checksums.detail?.schedulesSeconds,
      commitModes: {
        empty: commitEmpty.detail?.mode,
        onePercent: onePercent.detail?.mode,
        allChanged: allChanged.detail?.mode,
      },
      peakRssMb: {
        floor: floor.peakRssMb,
        seed: seed.peakRssMb,
        readContacts: readContactsPhase.peakRssMb,
        readInputs: readInputs.peakRssMb,
        commitEmpty: commitEmpty.peakRssMb,
        commitOnePercent: onePercent.peakRssMb,
        commitAllChanged: allChanged.peakRssMb,
        checksums: checksums.peakRssMb,
      },
      withinBudget: budgets,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
