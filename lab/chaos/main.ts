/** `npm run chaos`: the fault campaign (runChaos.ts) as a command; exit 1 when it did not hold, 2 on bad arguments. */
import { summaryTable } from './chaosReport.ts';
import { campaignProblems, parseChaosArguments, runChaos } from './runChaos.ts';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseChaosArguments>;
  try {
    options = parseChaosArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`chaos: ${(error as Error).message}\n`);
    return 2;
  }
  const report = await runChaos({
    ...options,
    tag: 'pmgc',
    subnet: '10.213.14',
    write: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${summaryTable(report)}\n`);
  const problems = campaignProblems(report);
  for (const problem of problems) process.stdout.write(`chaos: ${problem}\n`);
  process.stdout.write(problems.length === 0 ? 'chaos: held\n' : 'chaos: DID NOT HOLD\n');
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`chaos: ${error.message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
