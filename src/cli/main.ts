/** The `promigrate` command: dispatch, and one-line errors with exit code 2 for bad usage. */
import { InputError } from '../adapter/inputError.ts';
import { checkHistoryCommand } from './checkHistory.ts';
import { CommandFailure, check, demo, model, type Output, paths, UsageError } from './commands.ts';
import { explain } from './explain.ts';
import { installAgents } from './installAgents.ts';
import { status } from './status.ts';
import { switchover } from './switchover.ts';
import { usage, usageOf } from './usage.ts';

declare const PROMIGRATE_VERSION: string;

const commands: Record<string, (args: readonly string[], out: Output) => number | Promise<number>> = {
  demo,
  paths,
  check,
  model,
  explain,
  'check-history': checkHistoryCommand,
  'install-agents': installAgents,
  switchover,
  status,
};

export async function run(argv: readonly string[], out: Output, err: Output): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
    out.stdout(usage);
    return command === undefined ? 2 : 0;
  }
  if (command === 'help') return printUsageOf(rest[0] as string, out, err);
  // Every command answers --help with its own page (before parsing: nothing else is checked).
  const options = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
  if (options.includes('--help') || options.includes('-h')) return printUsageOf(command, out, err);
  if (command === '--version') {
    out.stdout(`${typeof PROMIGRATE_VERSION === 'string' ? PROMIGRATE_VERSION : 'dev'}\n`);
    return 0;
  }
  const handler = Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (handler === undefined) {
    err.stdout(`promigrate: unknown command ${JSON.stringify(command)} (see promigrate --help)\n`);
    return 2;
  }
  try {
    return await handler(rest, out);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      err.stdout(`promigrate ${command}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CommandFailure) {
      err.stdout(`promigrate ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function printUsageOf(command: string, out: Output, err: Output): number {
  const page = Object.hasOwn(commands, command) ? usageOf(command) : null;
  if (page === null) {
    err.stdout(`promigrate: unknown command ${JSON.stringify(command)} (see promigrate --help)\n`);
    return 2;
  }
  out.stdout(page);
  return 0;
}

const stdout: Output = { stdout: (text) => process.stdout.write(text) };
const stderr: Output = { stdout: (text) => process.stderr.write(text) };

if (process.env.PROMIGRATE_NO_MAIN !== '1') {
  process.exitCode = await run(process.argv.slice(2), stdout, stderr);
}
