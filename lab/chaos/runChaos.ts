/**
 * The campaign as a command. `npm run chaos -- [--seed S] [--switchovers N] [--faults N] [--modes async,sync] [--timing mixed|random|states]
 *  [--minutes M] [--report reports/chaos.json]`: the fault campaign on a real three-node cluster with fencing
 * (see campaign.ts). Prints a line per event, writes the JSON report and the timeline picture, and exits 1
 * when an acknowledged write a survivor had was lost, two nodes were writable at once, or the cluster did
 * not come back.
 */
import { resolve } from 'node:path';
import type { ReplicationMode } from '../netcluster/nodePostgres.ts';
import { clusterNodes, PostgresCluster } from '../netcluster/postgresCluster.ts';
import { runCampaign } from './campaign.ts';
import { type FaultTiming, type PlanSpec, planCampaign } from './chaosPlan.ts';
import { type ChaosReport, chaosReport, type FinalState, progressLine, writeChaosReport } from './chaosReport.ts';
import { SeededRandom } from './seededRandom.ts';

export interface ChaosOptions {
  readonly seed: number;
  readonly spec: PlanSpec;
  readonly minutes: number;
  readonly report: string;
  readonly tag: string;
  readonly subnet: string;
  readonly write: (line: string) => void;
}

const usage =
  'usage: npm run chaos -- [--seed S] [--switchovers N] [--faults N] [--modes async,sync] [--timing mixed|random|states] [--minutes M] [--report FILE]';

export function parseChaosArguments(argv: readonly string[]): Omit<ChaosOptions, 'write' | 'tag' | 'subnet'> {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 2) {
    const name = argv[index] as string;
    const value = argv[index + 1];
    if (!name.startsWith('--') || value === undefined) throw new Error(`${name}: expected --name value. ${usage}`);
    values.set(name.slice(2), value);
  }
  const known = ['seed', 'switchovers', 'faults', 'modes', 'timing', 'minutes', 'report'];
  for (const name of values.keys()) if (!known.includes(name)) throw new Error(`unknown option --${name}. ${usage}`);
  const count = (name: string, fallback: number) => {
    const text = values.get(name);
    if (text === undefined) return fallback;
    if (!/^\d{1,6}$/.test(text)) throw new Error(`--${name} must be a whole number, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  const modes = (values.get('modes') ?? 'async,sync').split(',');
  if (modes.some((mode) => mode !== 'async' && mode !== 'sync'))
    throw new Error(`--modes takes async, sync or both (async,sync), got ${values.get('modes')}`);
  const timing = values.get('timing') ?? 'mixed';
  if (!['mixed', 'random', 'states'].includes(timing))
    throw new Error(`--timing takes mixed, random or states, got ${timing}`);
  return {
    seed: count('seed', 1),
    spec: {
      switchovers: count('switchovers', 10),
      faults: count('faults', 14),
      modes: modes as ReplicationMode[],
      timing: timing as FaultTiming,
    },
    minutes: count('minutes', 180),
    report: values.get('report') ?? 'reports/chaos.json',
  };
}

async function finalState(
  cluster: PostgresCluster,
  acknowledged: readonly number[],
  counted: number,
): Promise<FinalState> {
  try {
    const primary = await cluster.waitSettled('the cluster whole at the end', { ms: 120_000 });
    const streaming = await cluster.streamingFrom(primary);
    const missing = await cluster.lostWrites(primary, acknowledged);
    return { primary, streaming, missingAtEnd: Math.max(0, missing.length - counted), problem: null };
  } catch (error) {
    return { primary: null, streaming: [], missingAtEnd: 0, problem: (error as Error).message.slice(0, 400) };
  }
}

/** Runs a campaign; returns the report's summary and whether it held. */
export async function runChaos(options: ChaosOptions) {
  const begun = Date.now();
  const random = new SeededRandom(options.seed);
  const events = planCampaign(options.spec, random);
  options.write(
    `chaos: seed ${options.seed}, ${events.length} events (${options.spec.switchovers} switchovers, ${options.spec.faults} faults), ${options.spec.modes.join(' then ')} replication, ${options.spec.timing} timing`,
  );
  const cluster = await PostgresCluster.create({
    agent: 'promigrate',
    tag: options.tag,
    subnet: options.subnet,
    ocfRoot: resolve('dist/ocf'),
    probe: resolve('dist/cluster-probe.js'),
    catchUpTimeout: 1,
  });
  try {
    const run = await runCampaign({
      cluster,
      random,
      cli: resolve('dist/promigrate.js'),
      events,
      deadline: begun + options.minutes * 60_000,
      onEvent: (record, total, load) =>
        options.write(progressLine(record, total, { acknowledged: load.soFar, samples: load.samplesSoFar })),
    });
    const loadReport = await run.load.stop();
    const counted = run.records.reduce((sum, record) => sum + record.lostWrites + record.inevitableLosses, 0);
    const final = await finalState(
      cluster,
      loadReport.acknowledged.map((ack) => ack.id),
      counted,
    );
    const seconds = Math.round((Date.now() - begun) / 1000);
    const report = chaosReport(options.seed, options.spec, seconds, run.stoppedEarly, run.records, loadReport, final);
    const picture = await writeChaosReport(options.report, report, clusterNodes, run.records, loadReport);
    options.write(`chaos: report ${options.report}, timeline ${picture}; ${seconds} s`);
    return report;
  } finally {
    if (process.env.PROMIGRATE_KEEP_CLUSTER !== '1') await cluster.dispose();
  }
}

/** Whether a campaign held: nothing a survivor had was lost, never two writable nodes, the cluster came back. */
export function campaignProblems(report: ChaosReport): string[] {
  const problems: string[] = [];
  const { summary, final } = report;
  if (summary.lostWrites > 0) problems.push(`${summary.lostWrites} acknowledged writes lost that a surviving node had`);
  if (final.missingAtEnd > 0) problems.push(`${final.missingAtEnd} acknowledged writes missing at the end`);
  if (summary.doublePrimaryIntervals > 0)
    problems.push(
      `${summary.doublePrimaryIntervals} intervals with two writable nodes (${summary.doublePrimaryMs} ms)`,
    );
  if (summary.unrecovered > 0) problems.push(`${summary.unrecovered} events after which the cluster did not recover`);
  const syncInevitable = report.events.filter(
    (event) =>
      (event as { mode: string; inevitableLosses: number }).mode === 'sync' &&
      (event as { inevitableLosses: number }).inevitableLosses > 0,
  ).length;
  if (syncInevitable > 0)
    problems.push(`${syncInevitable} events lost writes on no survivor despite synchronous replication`);
  if (final.problem !== null) problems.push(`at the end: ${final.problem}`);
  if (report.stoppedEarly !== null) problems.push(`stopped early: ${report.stoppedEarly}`);
  return problems;
}
