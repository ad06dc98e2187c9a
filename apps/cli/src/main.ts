#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { readEnv, type CliEnv } from './cli-env';
import { registerDashboardCommand } from './commands/dashboard';
import { registerDemoCommand } from './commands/demo';
import { registerMigrateCommand } from './commands/migrate';
import { registerNightlyCommand } from './commands/nightly';
import { registerRescheduleCommand } from './commands/reschedule';
import { registerRunCommand } from './commands/run';
import { registerSeedCommand } from './commands/seed';
import { registerWorkerCommand } from './commands/worker';

let env: CliEnv | null = null;
const environment = (): CliEnv => (env ??= readEnv());

const program = new Command('scheduler')
  .description('schedules birthday, anniversary, enrollment, campaign and follow-up emails')
  // No help text or suggestion after an error: the output ends with the one line that says what is wrong (CONTRACT.md).
  .exitOverride()
  .showSuggestionAfterError(false);

registerMigrateCommand(program);
registerSeedCommand(program);
registerRunCommand(program, environment);
registerRescheduleCommand(program, environment);
registerWorkerCommand(program, environment);
registerNightlyCommand(program, environment);
registerDemoCommand(program, environment);
registerDashboardCommand(program, environment);

try {
  if (process.argv.length <= 2) {
    throw new Error(`a command is needed: ${program.commands.map((command) => command.name()).join(', ')} (scheduler --help says more)`);
  }
  await program.parseAsync(process.argv);
  // Open handles (Redis, threads) are closed by the commands; nothing must keep a finished command alive.
  if (!['worker', 'dashboard'].includes(program.args[0] ?? '')) process.exit(0);
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
  process.exit(1);
}
