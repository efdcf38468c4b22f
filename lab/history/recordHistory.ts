/**
 * `node dist/record-history.js good|broken OUTDIR`: records a real history for `promigrate check-history`
 * on the three-node namespace cluster (fencing on, the guide's configuration): the DC's pe-input files and
 * every node's agent lines from its pacemaker.log (the lines pacemaker-execd logged of the agents' stderr).
 *
 * - good: ocf:promigrate:pgsql as built (dist/ocf): a switchover, then a switchover to a standby whose
 *   replication was cut — refused, the source promoted again.
 * - broken: the lab variant that skips migrate_from's catch-up check (dist/lab-broken-ocf): the same
 *   switchover to a cut standby, which it promotes behind the source's final position.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { others, primaryOf } from '../netcluster/clusterScenarios.ts';
import { clusterNodes, PostgresCluster } from '../netcluster/postgresCluster.ts';

type Variant = 'good' | 'broken';

async function switchoverTo(cluster: PostgresCluster, target: string): Promise<void> {
  await cluster.move(target);
  try {
    await cluster.waitSettled(`${target} primary`, { primary: target });
  } finally {
    await cluster.clear();
  }
}

/** A move to a standby whose replication is cut; `outcome` says when it is over. */
async function moveToCut(cluster: PostgresCluster, source: string, cut: string, variant: Variant): Promise<void> {
  await cluster.cutReplication(cut);
  await cluster.waitFor(`${cut} no longer streaming`, async () => !(await cluster.streamingFrom(source)).includes(cut));
  await cluster.move(cut);
  try {
    await cluster.waitStatus(variant === 'good' ? `${cut}'s refusal` : `${cut} promoted`, (status) =>
      variant === 'good'
        ? status.failures.some((failure) => failure.node === cut && failure.task === 'promote')
        : status.promoted.includes(cut),
    );
  } finally {
    await cluster.clear();
  }
  if (variant === 'good') await cluster.waitSettled(`${source} primary again`, { primary: source, lagging: [cut] });
  await cluster.restoreReplication(cut);
}

/** The pe-inputs of the node that wrote them (the DC), and each node's agent lines, into `out`. */
async function collect(cluster: PostgresCluster, out: string): Promise<void> {
  await mkdir(join(out, 'logs'), { recursive: true });
  let writers = 0;
  for (const node of clusterNodes) {
    const root = cluster.net.node(node).dir;
    const pengine = join(root, 'var/lib/pacemaker/pengine');
    const inputs = (await readdir(pengine).catch(() => [])).filter((file) =>
      /^pe-(input|warn|error)-\d+\.bz2$/.test(file),
    );
    if (inputs.length > 0) writers++;
    for (const file of inputs) await copyFile(join(pengine, file), join(out, file));
    const log = await readFile(join(root, 'var/log/pacemaker/pacemaker.log'), 'utf8').catch(() => '');
    const agentLines = log.split('\n').filter((line) => line.includes(' error output [ pgsql('));
    await writeFile(join(out, 'logs', `${node}.log`), agentLines.map((line) => `${line}\n`).join(''));
  }
  if (writers !== 1) throw new Error(`${writers} nodes wrote pe-inputs: the DC changed, the history is not one series`);
}

async function main(): Promise<number> {
  const [variant, out] = process.argv.slice(2);
  if ((variant !== 'good' && variant !== 'broken') || out === undefined) {
    process.stderr.write('usage: node dist/record-history.js good|broken OUTDIR\n');
    return 2;
  }
  const cluster = await PostgresCluster.create({
    agent: 'promigrate',
    tag: 'pmgh',
    subnet: '10.213.17',
    ocfRoot: resolve(variant === 'good' ? 'dist/ocf' : 'dist/lab-broken-ocf'),
    probe: resolve('dist/cluster-probe.js'),
    catchUpTimeout: 1,
  });
  try {
    const first = await primaryOf(cluster);
    const [target, cut] = (await others(cluster, first)) as [string, string];
    if (variant === 'good') {
      await switchoverTo(cluster, target);
      await moveToCut(cluster, target, cut, variant);
    } else {
      await moveToCut(cluster, first, cut, variant);
    }
    await collect(cluster, resolve(out));
  } finally {
    await cluster.dispose();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`record-history: ${error.message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
