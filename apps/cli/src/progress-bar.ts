import cliProgress from 'cli-progress';
import type { Progress } from '@scheduler/pipeline';

/** A progress bar on stderr when it is a terminal; nothing when it is a pipe or a file. */
export const chunkProgressBar = (): { update: (progress: Progress) => void; stop: () => void } => {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: 'chunks {bar} {value}/{total} | {percentage}% | {duration_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: ({ done, total }) => {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
};
