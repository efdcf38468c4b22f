/**
 * Benchmark: promigrate's `ocf:promigrate:pgsql` against PAF's pgsqlms in the same real three-node
 * Pacemaker + Corosync cluster (namespaces on this machine, test/cluster's harness), the same CIB layout
 * (promotable clone with notify, IPaddr2 primary address ordered after promote / before demote), the same
 * monitor intervals. Per run, a fresh cluster for one agent; agents alternate A B B A … Scenarios of each
 * run: `--move --promoted` (twice), switchover to a standby whose replication was cut, kill -9 of the
 * primary's whole node. Every scenario is checked (no acknowledged write lost, never two writable nodes).
 * Medians to stdout and to docs/benchmarks.md. Not part of CI.
 * Run: npm run bench:cluster [-- --runs N]   (N per agent, default 3)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClusterAgent } from '../src/netcluster/clusterResources.ts';
import { moveTo, type ScenarioResult, underLoad } from '../src/netcluster/clusterScenarios.ts';
import { clusterNodes, PostgresCluster } from '../src/netcluster/postgresCluster.ts';
import { median } from './median.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
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
  cutWritesBack: number[];
  cutPrimaryAfter: string[];
  killWritesBack: number[];
  failures: string[];
  lost: number;
}

const empty = (): Figures => ({
  moveWritesBack: [],
  moveGap: [],
  oldPrimaryStreaming: [],
  cutWritesBack: [],
  cutPrimaryAfter: [],
  killWritesBack: [],
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
    figures.failures.push(`${agent} ${result.name}: ${why.join('; ')}`);
  }
  process.stdout.write(
    `  ${agent.padEnd(10)} ${result.name.padEnd(46)} writes back ${result.switchoverMs} ms, gap ${result.writeGapMs} ms` +
      `${result.oldPrimaryStreamingMs === undefined ? '' : `, old primary streaming ${result.oldPrimaryStreamingMs} ms`}` +
      `${result.passed ? '' : `  FAILED: ${result.problems.join('; ')}`}\n`,
  );
}

/** A switchover to a cut standby: whichever agent, the move is cleared once the role has moved or been refused. */
async function cutTarget(cluster: PostgresCluster): Promise<{ result: ScenarioResult; primary: string }> {
  const source = await cluster.waitSettled('a settled cluster');
  const target = clusterNodes.find((node) => node !== source) as string;
  await cluster.cutReplication(target);
  await cluster.waitFor(`${target} not streaming`, async () => !(await cluster.streamingFrom(source)).includes(target));
  let primary = source;
  const result = await underLoad(cluster, 'switchover to a cut target', async () => {
    await sleep(300);
    const trigger = Date.now();
    await cluster.move(target);
    try {
      // Refused (a failed promote of the target), or the role went elsewhere: either way the cluster acted.
      let demoted = false;
      await cluster.waitStatus(
        'the move acted on',
        (status) => {
          demoted ||= !status.promoted.includes(source);
          const refused = status.failures.some((failure) => failure.node === target && failure.task === 'promote');
          const moved = status.promoted.length === 1 && status.promoted[0] !== source;
          // The source demoted and promoted again without the target being tried (its score dropped).
          return refused || moved || (demoted && status.promoted.includes(source));
        },
        60_000,
      );
    } finally {
      await cluster.clear();
    }
    primary = await cluster.waitSettled('a primary again', { lagging: [target], ms: 60_000 });
    return { trigger, final: primary };
  });
  await cluster.restoreReplication(target);
  await cluster.cleanup();
  await cluster.waitSettled('the cut node streaming again', { ms: 60_000 });
  return { result, primary };
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

async function oneRun(agent: ClusterAgent, figures: Figures, run: number): Promise<void> {
  const cluster = await PostgresCluster.create({
    agent,
    tag: 'pmgb',
    subnet: '10.213.13',
    ocfRoot: here('./ocf'),
    probe: here('./cluster-probe.js'),
    catchUpTimeout: 1,
  });
  try {
    for (let move = 0; move < 2; move++) {
      const primary = await cluster.waitSettled('a settled cluster');
      const target = clusterNodes.filter((node) => node !== primary)[(run + move) % 2] as string;
      const result = await moveTo(cluster, target);
      note(figures, agent, result);
      if (!result.passed) continue;
      if (result.switchoverMs !== null) figures.moveWritesBack.push(result.switchoverMs);
      figures.moveGap.push(result.writeGapMs);
      if (typeof result.oldPrimaryStreamingMs === 'number')
        figures.oldPrimaryStreaming.push(result.oldPrimaryStreamingMs);
    }
    const source = await cluster.waitSettled('a settled cluster');
    const cut = await cutTarget(cluster);
    note(figures, agent, cut.result);
    if (cut.result.passed && cut.result.switchoverMs !== null) figures.cutWritesBack.push(cut.result.switchoverMs);
    figures.cutPrimaryAfter.push(cut.primary === source ? 'source' : 'third node');
    const killed = await killNode(cluster);
    note(figures, agent, killed);
    if (killed.passed && killed.switchoverMs !== null) figures.killWritesBack.push(killed.switchoverMs);
  } finally {
    await cluster.dispose();
  }
}

const figures: Record<ClusterAgent, Figures> = { promigrate: empty(), paf: empty() };
const order: ClusterAgent[] = [];
for (let index = 0; index < runs; index++)
  order.push(...((index % 2 === 0 ? ['promigrate', 'paf'] : ['paf', 'promigrate']) as ClusterAgent[]));
for (const [index, agent] of order.entries()) {
  process.stdout.write(`run ${index + 1}/${order.length}: ${agent}\n`);
  await oneRun(agent, figures[agent], index).catch((error: Error) => {
    figures[agent].failures.push(`${agent} run ${index + 1}: ${error.message.split('\n')[0]}`);
    process.stdout.write(`  ${agent} run failed: ${error.message.split('\n')[0]}\n`);
  });
}

const ms = (value: number | null) => (value === null ? '—' : `${Math.round(value)} ms`);
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? '—' : (a / b).toFixed(2));
const rows: [string, keyof Figures, string][] = [
  ['`--move --promoted` → writes back through the VIP', 'moveWritesBack', ''],
  ['write gap of a move (largest gap between acknowledged INSERTs)', 'moveGap', '≤ 800 ms'],
  ['old primary streaming from the new one, from the move', 'oldPrimaryStreaming', '≤ 1000 ms'],
  ['switchover to a cut target → writes back', 'cutWritesBack', '≤ 1500 ms'],
  ['kill -9 of the primary node → writes back', 'killWritesBack', ''],
];
const table = rows.map(([title, key, target]) => {
  const a = medianOrNone(figures.promigrate[key] as number[]);
  const b = medianOrNone(figures.paf[key] as number[]);
  return `| ${title} | ${ms(a)} | ${ms(b)} | ${ratio(a, b)} | ${target} |`;
});
const who = (agent: ClusterAgent) => {
  const list = figures[agent].cutPrimaryAfter;
  return `${list.filter((each) => each === 'source').length} of ${list.length} runs the source, ${list.filter((each) => each !== 'source').length} a third node`;
};
const samples = (agent: ClusterAgent) => figures[agent].moveGap.length;
const kills = (agent: ClusterAgent) =>
  `${figures[agent].killWritesBack.length} of ${figures[agent].cutPrimaryAfter.length} node kills ended with a new primary`;
const section = `<!-- bench:cluster -->
Measured ${new Date().toISOString().slice(0, 10)}: ${runs} runs per agent, alternating (${order.join(', ')}), each on a fresh
cluster; ${samples('promigrate')} moves with promigrate and ${samples('paf')} with PAF. Medians.

| figure | promigrate | PAF | promigrate / PAF | target |
|---|---|---|---|---|
${table.join('\n')}

After the switchover to a cut target, the primary was: promigrate ${who('promigrate')}; PAF ${who('paf')}.
Node kills (after the cut-target scenario, no fencing): promigrate ${kills('promigrate')}; PAF ${kills('paf')} (the others: no promotion within 90 s).
Acknowledged writes lost (where a primary was left to check them on): promigrate ${figures.promigrate.lost}, PAF ${figures.paf.lost}.
${[...figures.promigrate.failures, ...figures.paf.failures].map((failure) => `- failed: ${failure}`).join('\n')}
<!-- /bench:cluster -->`;
process.stdout.write(`\n${section}\n`);
const document = await readFile('docs/benchmarks.md', 'utf8');
const marked = /<!-- bench:cluster -->[\s\S]*<!-- \/bench:cluster -->/;
const heading =
  '\n## In a real three-node cluster: `ocf:promigrate:pgsql` against PAF (`npm run bench:cluster`)\n\n' +
  'Three namespace nodes on this machine with real corosync, pacemakerd and PostgreSQL 15 replication over the\n' +
  'nodes\u2019 addresses (test/cluster\u2019s harness); the same CIB for both agents (promotable clone with notify,\n' +
  'monitors every 3 s promoted / 4 s unpromoted, IPaddr2 VIP started after promote and stopped after demote);\n' +
  'an INSERT every 2 ms through the VIP from the hub namespace; promigrate with catch_up_timeout=1.\n\n';
await writeFile(
  'docs/benchmarks.md',
  marked.test(document) ? document.replace(marked, section) : `${document.trimEnd()}\n${heading}${section}\n`,
);
