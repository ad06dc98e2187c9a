import cliProgress from 'cli-progress';
import { seedOrganization } from '@scheduler/db';

export interface SeedOptions {
  db: string;
  contacts: number;
  seed: number;
  asOf?: string;
}

/** `scheduler seed --db FILE --contacts N [--seed S]`: a new database full of realistic synthetic data. */
export const seedCommand = async (options: SeedOptions): Promise<void> => {
  // A bar (drawn on stderr) only when stderr is a terminal: piped or logged output stays clean.
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: 'contacts {bar} {value}/{total} | {percentage}% | {duration_formatted}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(options.contacts, 0);
  try {
    const summary = seedOrganization(options.db, {
      contacts: options.contacts,
      seed: options.seed,
      ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
      onProgress: (done) => bar?.update(done),
    });
    bar?.stop();
    process.stdout.write(
      `${options.db}: ${summary.contacts} contacts, ${summary.emailSchedules} history emails, ` +
        `${summary.trackingClicks} clicks, ${summary.contactEvents} events, ${summary.contactCampaigns} campaign targets ` +
        `in ${(summary.durationMs / 1000).toFixed(1)} s\n`,
    );
  } finally {
    bar?.stop();
  }
};
