/**
 * `npm run demo` (dist/demo.js): the PostgreSQL demo, a lab tool run from a checkout — it starts local
 * PostgreSQL instances and plays Pacemaker's controller, which no operator's cluster needs. The agents are
 * the ones the build laid out beside it (dist/ocf). One-line errors: 2 for bad usage, 1 when it cannot run.
 */
import { fileURLToPath } from 'node:url';
import { postgresDemo } from './postgresDemo.ts';

const usage = `Usage: node dist/demo.js   (what npm run demo runs, as root)

Plays a controlled switchover, an aborted switchover and a failover on three local PostgreSQL instances
as the nodes of an ocf:promigrate:pgsql clone, Pacemaker's scheduler (crm_simulate) deciding every
transition and the real agents carrying it out; removes everything it started, also on Ctrl-C.
`;

async function main(args: readonly string[]): Promise<number> {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    process.stdout.write(usage);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`demo: unexpected argument ${JSON.stringify(args[0])} (see --help)\n`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('demo: runs PostgreSQL as its own user: run it as root\n');
    return 1;
  }
  try {
    return await postgresDemo(
      { stdout: (text) => process.stdout.write(text) },
      fileURLToPath(new URL('./ocf/', import.meta.url)),
    );
  } catch (error) {
    process.stderr.write(`demo: ${((error as Error).message.split('\n')[0] as string).trim()}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
