/**
 * Benchmark: promigrate's `ocf:promigrate:pgsql` against PAF's pgsqlms in the same real three-node
 * Pacemaker + Corosync cluster (namespaces on this machine, test/cluster's harness), the same CIB layout
 * (promotable clone with notify, IPaddr2 primary address ordered after promote / before demote), the same
 * monitor intervals, fencing on. Per run, a fresh cluster for one agent; agents alternate A B B A … Each run,
 * with asynchronous and then with synchronous replication: `--move --promoted` (twice, each traced: where its
 * time goes, from the controllers' logs), switchover to a standby whose replication was cut; then kill -9 of
 * the primary's whole node. Every scenario is checked (no acknowledged write lost, never two writable nodes).
 * promigrate runs the guide's configuration (agent-managed primary_conninfo); PAF's standbys follow the VIP.
 * Medians per mode to stdout and to docs/benchmarks.md. Not part of CI.
 *
 * `--compare native,promigrate`: the same benchmark for promigrate through the proposed interface (the patched
 * Pacemaker of upstream/pacemaker in every node, allow-migrate=promoted: migrate_to / migrate_from) against
 * promigrate's emulation on Debian's Pacemaker; its own section of docs/benchmarks.md.
 * Run: npm run bench:cluster [-- --runs N] [-- --compare A,B]   (N per subject, default 3; A,B default promigrate,paf)
 */

import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildPatchedPacemaker } from '../lab/executor/schedulerInterface.ts';
import type { ClusterAgent } from '../lab/netcluster/clusterResources.ts';
import { moveTo, type ScenarioResult, underLoad } from '../lab/netcluster/clusterScenarios.ts';
import { type MoveSteps, sourceHalf, stepNames, targetHalf } from '../lab/netcluster/moveTrace.ts';
import type { ReplicationMode } from '../lab/netcluster/nodePostgres.ts';
import { clusterNodes, PostgresCluster } from '../lab/netcluster/postgresCluster.ts';
import { median } from './median.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, compare: { type: 'string', default: 'promigrate,paf' } },
});
/** What is measured: an agent on Debian's Pacemaker, or promigrate through the patched scheduler (`native`). */
type Subject = 'promigrate' | 'paf' | 'native';
const subjectNames: Record<Subject, string> = { promigrate: 'promigrate', paf: 'PAF', native: 'native' };
const pair = values.compare.split(',') as Subject[];
if (pair.length !== 2 || pair[0] === pair[1] || !pair.every((subject) => subject in subjectNames))
  throw new Error(`--compare expects two of promigrate, paf, native, got ${values.compare}`);
const [first, second] = pair as [Subject, Subject];
/** The patched Pacemaker's build tree, built (once per patch set) when a subject needs it. */
const pacemaker = pair.includes('native') ? await buildPatchedPacemaker() : undefined;
const modes: readonly ReplicationMode[] = ['async', 'sync'];
/** promigrate's catch_up_timeout (s) in this benchmark: a refused target costs at least this long. */
const catchUpTimeout = 1;
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs expects a positive integer, got ${values.runs}`);

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** No sample (every run of a scenario failed): no figure. */
const medianOrNone = (values: readonly number[]) => (values.length === 0 ? null : median(values));

interface Figures {
  moveWritesBack: number[];
  moveGap: number[];
  oldPrimaryStreaming: number[];
  oldPrimaryAfterPromote: number[];
  cutWritesBack: number[];
  cutPrimaryAfter: string[];
  /** Cut-target moves the scheduler never acted on (no demote: the target was not promotable). */
  cutNotActed: number;
  killWritesBack: number[];
  steps: MoveSteps[];
  failures: string[];
  lost: number;
}

const empty = (): Figures => ({
  moveWritesBack: [],
  moveGap: [],
  oldPrimaryStreaming: [],
  oldPrimaryAfterPromote: [],
  cutWritesBack: [],
  cutPrimaryAfter: [],
  cutNotActed: 0,
  killWritesBack: [],
  steps: [],
  failures: [],
  lost: 0,
});

function note(figures: Figures, agent: string, result: ScenarioResult): void {
  // Without a primary at the end the writes cannot be checked: that is a failure, not a count of lost rows.
  const unchecked = result.problems.some((problem) => problem.startsWith('no primary at the end'));
  if (!unchecked) figures.lost += result.lostWrites;
  if (!result.passed) {
    const why = result.problems.filter(
      (problem) => !problem.startsWith('no primary') && !/writes missing on undefined/.test(problem),
    );
    figures.failures.push(`${agent} ${result.replication} ${result.name}: ${why.join('; ')}`);
  }
  process.stdout.write(
    `  ${agent.padEnd(10)} ${result.replication.padEnd(5)} ${result.name.padEnd(40)} writes back ${result.switchoverMs} ms, gap ${result.writeGapMs} ms` +
      `${result.oldPrimaryStreamingMs === undefined ? '' : `, old primary streaming ${result.oldPrimaryStreamingMs} ms`}` +
      `${result.passed ? '' : `  FAILED: ${result.problems.join('; ')}`}\n`,
  );
  if (result.steps !== undefined) process.stdout.write(`    steps ${JSON.stringify(result.steps)}\n`);
}

/** A switchover to a cut standby: whichever agent, the move is cleared once the role has moved or been refused. */
async function cutTarget(
  cluster: PostgresCluster,
): Promise<{ result: ScenarioResult; primary: string; demoted: boolean }> {
  const source = await cluster.waitSettled('a settled cluster');
  const target = clusterNodes.find((node) => node !== source) as string;
  await cluster.cutReplication(target);
  await cluster.waitFor(`${target} not streaming`, async () => !(await cluster.streamingFrom(source)).includes(target));
  let primary = source;
  // Whether the scheduler acted on the move at all (the source demoted): only then is there a time to report.
  let demoted = false;
  const result = await underLoad(cluster, 'switchover to a cut target', async () => {
    await sleep(300);
    const trigger = Date.now();
    await cluster.move(target);
    let seenDemoted = false;
    try {
      // Refused (a failed promote of the target), or the role went elsewhere: either way the cluster acted.
      await cluster.waitStatus(
        'the move acted on',
        (status) => {
          seenDemoted ||= !status.promoted.includes(source);
          const refused = status.failures.some((failure) => failure.node === target && targetHalf(failure.task));
          const moved = status.promoted.length === 1 && status.promoted[0] !== source;
          // The source demoted and promoted again without the target being tried (its score dropped).
          return refused || moved || (seenDemoted && status.promoted.includes(source));
        },
        60_000,
      );
    } finally {
      await cluster.clear();
    }
    primary = await cluster.waitSettled('a primary again', { lagging: [target], ms: 60_000 });
    // Acted on: the controller demoted the source after the move (crm_mon's view can miss or invent it).
    const events = await cluster.controllerEvents();
    demoted = events.some(
      (event) =>
        event.at >= trigger && event.kind === 'initiating' && sourceHalf(event.operation) && event.node === source,
    );
    return { trigger, final: primary };
  });
  await cluster.restoreReplication(target);
  await cluster.cleanup();
  await cluster.waitSettled('the cut node streaming again', { ms: 60_000 });
  return { result, primary, demoted };
}

async function killNode(cluster: PostgresCluster): Promise<ScenarioResult> {
  const source = await cluster.waitSettled('a settled cluster');
  return underLoad(cluster, 'kill -9 of the primary node', async () => {
    const trigger = Date.now();
    await cluster.killNode(source);
    const final = await cluster.waitSettled('a new primary', { not: [source], standbys: 1, ms: 90_000 });
    return { trigger, final };
  });
}

async function oneRun(subject: Subject, figures: Record<ReplicationMode, Figures>, run: number): Promise<void> {
  const agent: ClusterAgent = subject === 'paf' ? 'paf' : 'promigrate';
  const cluster = await PostgresCluster.create({
    agent,
    ...(subject === 'native' && pacemaker !== undefined ? { pacemaker } : {}),
    tag: 'pmgb',
    subnet: '10.213.13',
    ocfRoot: here('./ocf'),
    probe: here('./cluster-probe.js'),
    catchUpTimeout,
  });
  try {
    for (const mode of modes) {
      const mine = figures[mode];
      await cluster.setReplicationMode(mode);
      for (let move = 0; move < 2; move++) {
        const primary = await cluster.waitSettled('a settled cluster');
        const target = clusterNodes.filter((node) => node !== primary)[(run + move) % 2] as string;
        const result = await moveTo(cluster, target);
        note(mine, subject, result);
        if (!result.passed) continue;
        if (result.switchoverMs !== null) mine.moveWritesBack.push(result.switchoverMs);
        mine.moveGap.push(result.writeGapMs);
        if (typeof result.oldPrimaryStreamingMs === 'number')
          mine.oldPrimaryStreaming.push(result.oldPrimaryStreamingMs);
        if (result.steps !== undefined) {
          mine.steps.push(result.steps);
          const { oldPrimaryStreaming, promoted } = result.steps;
          if (oldPrimaryStreaming !== null && promoted !== null)
            mine.oldPrimaryAfterPromote.push(oldPrimaryStreaming - promoted);
        }
      }
      const source = await cluster.waitSettled('a settled cluster');
      const cut = await cutTarget(cluster);
      note(mine, subject, cut.result);
      if (!cut.demoted) mine.cutNotActed++;
      else if (cut.result.passed && cut.result.switchoverMs !== null) mine.cutWritesBack.push(cut.result.switchoverMs);
      mine.cutPrimaryAfter.push(cut.primary === source ? 'source' : 'third node');
    }
    const killed = await killNode(cluster);
    const last = figures[modes.at(-1) as ReplicationMode];
    note(last, subject, killed);
    if (killed.passed && killed.switchoverMs !== null) last.killWritesBack.push(killed.switchoverMs);
  } finally {
    await cluster.dispose();
  }
}

const figures: Record<Subject, Record<ReplicationMode, Figures>> = {
  promigrate: { async: empty(), sync: empty() },
  paf: { async: empty(), sync: empty() },
  native: { async: empty(), sync: empty() },
};
const order: Subject[] = [];
for (let index = 0; index < runs; index++) order.push(...(index % 2 === 0 ? [first, second] : [second, first]));
for (const [index, agent] of order.entries()) {
  process.stdout.write(`run ${index + 1}/${order.length}: ${agent}\n`);
  await oneRun(agent, figures[agent], index).catch((error: Error) => {
    figures[agent].sync.failures.push(`${agent} run ${index + 1}: ${error.message.split('\n')[0]}`);
    process.stdout.write(`  ${agent} run failed: ${error.message.split('\n')[0]}\n`);
  });
}

const ms = (value: number | null) => (value === null ? '—' : `${Math.round(value)} ms`);
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? '—' : (a / b).toFixed(2));
type Series =
  | 'moveWritesBack'
  | 'moveGap'
  | 'oldPrimaryStreaming'
  | 'oldPrimaryAfterPromote'
  | 'cutWritesBack'
  | 'killWritesBack';
const rows: [string, Series, string, string][] = [
  ['`--move --promoted` → writes back through the VIP', 'moveWritesBack', '', ''],
  ['write gap of a move (largest gap between acknowledged INSERTs)', 'moveGap', '≤ 600 ms', '≤ 800 ms'],
  ['old primary streaming from the new one, from the move', 'oldPrimaryStreaming', '', ''],
  ['old primary streaming, after the promote completed', 'oldPrimaryAfterPromote', '≤ 500 ms', '≤ 500 ms'],
  [
    `switchover to a cut target → writes back (catch_up_timeout=${catchUpTimeout})`,
    'cutWritesBack',
    `≤ ${catchUpTimeout * 1000 + 500} ms`,
    `≤ ${catchUpTimeout * 1000 + 500} ms`,
  ],
  ['kill -9 of the primary node → writes back (fenced first)', 'killWritesBack', '', ''],
];
const cell = (agent: Subject, mode: ReplicationMode, key: Series) => medianOrNone(figures[agent][mode][key]);
const table = rows.map(([title, key, asyncTarget, syncTarget]) => {
  const columns = modes.flatMap((mode) => {
    const a = cell(first, mode, key);
    const b = cell(second, mode, key);
    return [ms(a), ms(b), ratio(a, b), mode === 'async' ? asyncTarget : syncTarget];
  });
  return `| ${title} | ${columns.join(' | ')} |`;
});
const stepKeys = Object.keys(stepNames) as (keyof MoveSteps)[];
const stepMedian = (agent: Subject, mode: ReplicationMode, key: keyof MoveSteps) =>
  medianOrNone(
    figures[agent][mode].steps.map((steps) => steps[key]).filter((value): value is number => value !== null),
  );
const breakdown = stepKeys.map((key) => {
  const columns = modes.flatMap((mode) => [ms(stepMedian(first, mode, key)), ms(stepMedian(second, mode, key))]);
  return `| ${stepNames[key]} | ${columns.join(' | ')} |`;
});
const who = (agent: Subject, mode: ReplicationMode) => {
  const list = figures[agent][mode].cutPrimaryAfter;
  return `${list.filter((each) => each === 'source').length} of ${list.length} the source`;
};
const samples = (agent: Subject, mode: ReplicationMode) => figures[agent][mode].moveGap.length;
const all = (agent: Subject) => modes.map((mode) => figures[agent][mode]);
const lost = (agent: Subject) => all(agent).reduce((sum, each) => sum + each.lost, 0);
const failures = [...all(first), ...all(second)].flatMap((each) => each.failures);
const [a, b] = [subjectNames[first], subjectNames[second]];
/** Each pair has its own section: promigrate against PAF, and the native interface against the emulation. */
const marker = pair.includes('native') ? 'bench:cluster-native' : 'bench:cluster';
const section = `<!-- ${marker} -->
Measured ${new Date().toISOString().slice(0, 10)}: ${runs} runs per agent, alternating (${order.join(', ')}), each on a fresh
cluster with fencing on, asynchronous then synchronous replication in each run; moves per mode: ${a}
${modes.map((mode) => `${samples(first, mode)} ${mode}`).join(', ')}, ${b} ${modes.map((mode) => `${samples(second, mode)} ${mode}`).join(', ')}. Medians.

| figure | ${a} async | ${b} async | ratio | target async | ${a} sync | ${b} sync | ratio | target sync |
|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

Where a move's time goes (medians of every move's milestones, ms from the \`crm_resource --move\` call; from the
controllers' log lines and the write load's samples, lab/netcluster/moveTrace.ts):

| milestone | ${a} async | ${b} async | ${a} sync | ${b} sync |
|---|---|---|---|---|
${breakdown.join('\n')}

Cut-target moves the scheduler did not act on (no demote or migrate_to; not counted above): ${a} ${modes.map((mode) => `${mode} ${figures[first][mode].cutNotActed}`).join(', ')}; ${b} ${modes.map((mode) => `${mode} ${figures[second][mode].cutNotActed}`).join(', ')}.
After the switchover to a cut target, the primary was: ${a} ${modes.map((mode) => `${mode} ${who(first, mode)}`).join(', ')}; ${b} ${modes.map((mode) => `${mode} ${who(second, mode)}`).join(', ')}.
Acknowledged writes lost (where a primary was left to check them on): ${a} ${lost(first)}, ${b} ${lost(second)}.
${failures.map((failure) => `- failed: ${failure}`).join('\n')}
<!-- /${marker} -->`;
process.stdout.write(`\n${section}\n`);
const document = await readFile('docs/benchmarks.md', 'utf8');
const marked = new RegExp(`<!-- ${marker} -->[\\s\\S]*<!-- /${marker} -->`);
if (!marked.test(document)) throw new Error(`docs/benchmarks.md has no ${marker} section to write`);
await writeFile('docs/benchmarks.md', document.replace(marked, section));
