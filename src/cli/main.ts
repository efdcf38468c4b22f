/** The `promigrate` command: dispatch, and one-line errors with exit code 2 for bad usage. */
import { InputError } from '../adapter/inputError.ts';
import { CommandFailure, check, demo, model, type Output, paths, UsageError } from './commands.ts';
import { explain } from './explain.ts';
import { installAgents } from './installAgents.ts';
import { switchover } from './switchover.ts';
import { usage } from './usage.ts';

declare const PROMIGRATE_VERSION: string;

const commands: Record<string, (args: readonly string[], out: Output) => number | Promise<number>> = {
  demo,
  paths,
  check,
  model,
  explain,
  'install-agents': installAgents,
  switchover,
};

export async function run(argv: readonly string[], out: Output, err: Output): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out.stdout(usage);
    return command === undefined ? 2 : 0;
  }
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

const stdout: Output = { stdout: (text) => process.stdout.write(text) };
const stderr: Output = { stdout: (text) => process.stderr.write(text) };

if (process.env.PROMIGRATE_NO_MAIN !== '1') {
  process.exitCode = await run(process.argv.slice(2), stdout, stderr);
}
