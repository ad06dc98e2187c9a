import { CommanderError } from 'commander';
import { createProgram } from './program';
import { StoppedBySignal } from './stop-while-waiting';

const program = createProgram();

try {
  if (process.argv.length <= 2) {
    throw new Error(`a command is needed: ${program.commands.map((command) => command.name()).join(', ')} (scheduler --help says more)`);
  }
  await program.parseAsync(process.argv);
  // Open handles (Redis, threads) are closed by the commands; nothing must keep a finished command alive, not even
  // a connection left reconnecting to a Redis that went away (a worker or dashboard returns once it has stopped).
  // The status is 0 unless the command set another (a worker's forced stop).
  process.exit();
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // One clear line, never a stack trace alone (CONTRACT.md); the cause chain stays in the message.
  // A message that goes on over several lines (a parser quoting the input) keeps its first, which says what and where.
  const firstLine = (text: string): string => text.trim().split('\n')[0]!.trim().replace(/:$/, '');
  const describe = (value: unknown): string => {
    if (!(value instanceof Error)) return firstLine(String(value));
    const message = firstLine(value.message);
    if (value.cause === undefined) return message;
    const cause = describe(value.cause);
    return message.includes(cause) ? message : `${message} (${cause})`;
  };
  process.stderr.write(`scheduler: ${describe(error)}\n`);
  // A command stopped by a signal exits as a process the signal ended would (StoppedBySignal).
  process.exit(error instanceof StoppedBySignal ? error.exitCode : 1);
}
