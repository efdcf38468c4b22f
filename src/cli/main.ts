/** The `promigrate` command: dispatch, and one-line errors with exit code 2 for bad usage. */
import { check, demo, model, type Output, paths, UsageError } from './commands.ts';
import { usage } from './usage.ts';

declare const PROMIGRATE_VERSION: string;

const commands: Record<string, (args: readonly string[], out: Output) => number> = { demo, paths, check, model };

export function run(argv: readonly string[], out: Output, err: Output): number {
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
    return handler(rest, out);
  } catch (error) {
    if (error instanceof UsageError) {
      err.stdout(`promigrate ${command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

const stdout: Output = { stdout: (text) => process.stdout.write(text) };
const stderr: Output = { stdout: (text) => process.stderr.write(text) };

if (process.env.PROMIGRATE_NO_MAIN !== '1') {
  process.exitCode = run(process.argv.slice(2), stdout, stderr);
}
