/**
 * Benchmark: the adapter's own work (parse the graph and the CIB, build the facts, classify) against the time
 * Pacemaker's scheduler (crm_simulate) needs to compute the same graph from its CIB, measured in one run, on a
 * synthetic cluster and on one twice its size. Bounds: adapter < 0.1 × scheduler; doubling ≤ 2.2× the time.
 * Run: npm run bench:adapter
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { parseCib } from '../src/adapter/cib.ts';
import { classifyTransition } from '../src/adapter/classify.ts';
import { factsFromGraph } from '../src/adapter/graphFacts.ts';
import { parseTransitionGraph } from '../src/adapter/transitionGraph.ts';
import { type SyntheticSize, syntheticCib, withMoves } from './syntheticCluster.ts';

const work = await mkdtemp(join(tmpdir(), 'promigrate-bench-'));
const env = { CIB_shadow_dir: work, PCMK_logfacility: 'none' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The op-digest the scheduler computes for a Stateful start, read from a one-instance simulation. */
async function statefulDigest(): Promise<string> {
  const tiny = join(work, 'tiny.xml');
  await writeFile(tiny, syntheticCib({ nodes: 1, clones: 1 }, 'unknown').replace(/<lrm id=.*?<\/lrm>/, ''));
  await execa('crm_simulate', ['--xml-file', tiny, '--simulate', '--save-output', join(work, 'tiny-out.xml')], { env });
  const match = /operation="(?:start|promote)"[^>]*op-digest="([0-9a-f]+)"/.exec(
    await readFile(join(work, 'tiny-out.xml'), 'utf8'),
  );
  if (match === null) throw new Error('no start digest in the tiny simulation');
  return match[1] as string;
}

async function scheduler(cibPath: string, graphPath: string): Promise<number> {
  const started = performance.now();
  await execa(
    'crm_simulate',
    ['--xml-file', cibPath, '--save-graph', graphPath, '--save-output', join(work, 'out.xml')],
    { env },
  );
  return performance.now() - started;
}

function adapter(cibXml: string, graphXml: string) {
  const started = performance.now();
  const cib = parseCib(cibXml, 'cib');
  const graph = parseTransitionGraph(graphXml, 'graph');
  const migrations = classifyTransition(factsFromGraph(graph, cib));
  return { ms: performance.now() - started, actions: graph.actions.length, migrations };
}

interface Row {
  readonly size: SyntheticSize;
  readonly actions: number;
  readonly schedulerMs: number;
  readonly adapterMs: number;
  readonly ratio: number;
}

async function measure(size: SyntheticSize, digest: string, repeats: number): Promise<Row> {
  const cibXml = withMoves(syntheticCib(size, digest), size);
  const cibPath = join(work, `cib-${size.clones}.xml`);
  const graphPath = join(work, `graph-${size.clones}.xml`);
  await writeFile(cibPath, cibXml);
  const schedulerTimes: number[] = [];
  for (let run = 0; run < repeats; run++) schedulerTimes.push(await scheduler(cibPath, graphPath));
  const graphXml = await readFile(graphPath, 'utf8');
  adapter(cibXml, graphXml); // warm-up: the JIT, not the cache, is what a first run pays
  const adapterTimes: number[] = [];
  let result = adapter(cibXml, graphXml);
  for (let run = 0; run < Math.max(repeats, 5); run++) {
    result = adapter(cibXml, graphXml);
    adapterTimes.push(result.ms);
  }
  const switchovers = result.migrations.filter(
    (migration) => migration.kind === 'switchover' && migration.cause === 'move',
  );
  if (switchovers.length !== size.clones) {
    throw new Error(`expected ${size.clones} switchovers, classified ${switchovers.length}`);
  }
  const schedulerMs = median(schedulerTimes);
  const adapterMs = median(adapterTimes);
  return { size, actions: result.actions, schedulerMs, adapterMs, ratio: adapterMs / schedulerMs };
}

try {
  const digest = await statefulDigest();
  const base: SyntheticSize = { nodes: 32, clones: 60 };
  const doubled: SyntheticSize = { nodes: 32, clones: 120 };
  const rows = [await measure(base, digest, 3), await measure(doubled, digest, 3)];
  const [small, large] = rows as [Row, Row];
  const doubling = large.adapterMs / small.adapterMs;
  console.log('nodes  clones  graph actions  crm_simulate (ms)  adapter (ms)  adapter/scheduler');
  for (const row of rows) {
    console.log(
      `${String(row.size.nodes).padStart(5)}  ${String(row.size.clones).padStart(6)}  ${String(row.actions).padStart(13)}  ${row.schedulerMs.toFixed(0).padStart(17)}  ${row.adapterMs.toFixed(1).padStart(12)}  ${row.ratio.toFixed(3).padStart(17)}`,
    );
  }
  console.log(`doubling the input: ${doubling.toFixed(2)}× the adapter's time (bound 2.2×)`);
  const passed = rows.every((row) => row.ratio < 0.1) && large.actions >= 2 * small.actions * 0.9 && doubling <= 2.2;
  console.log(passed ? 'bounds met' : 'BOUNDS NOT MET');
  await mkdir('reports', { recursive: true });
  await writeFile('reports/bench-adapter.json', `${JSON.stringify({ rows, doubling, passed }, null, 2)}\n`);
  process.exitCode = passed ? 0 : 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
