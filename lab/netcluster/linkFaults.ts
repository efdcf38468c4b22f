/**
 * A node's link made slow or lossy rather than cut (this kernel has no netem): a token-bucket filter on the
 * node's interface (`tc qdisc … tbf`) makes replication traffic queue — delay, and drops when the queue is
 * full — and an nftables rule (`numgen random mod 100 < N drop`) drops a share of the packets both ways; and a
 * replication cut (the node's packets to PostgreSQL ports dropped).
 * Run inside the node's network namespace; removed without trace.
 */
import type { NamespaceCluster } from './namespaceCluster.ts';

const table = 'promigrate_chaos';
const replicationCutTable = 'promigrate_cut';

async function inNode(cluster: NamespaceCluster, node: string, argv: readonly string[]): Promise<void> {
  const result = await cluster.exec(node, argv);
  if (result.exitCode !== 0)
    throw new Error(`${argv.join(' ')} on ${node}: ${String(result.stderr || result.stdout).trim()}`);
}

/** Outgoing traffic limited to `kbit` kbit/s, queued for up to `latencyMs` (then dropped). */
export async function slowLink(
  cluster: NamespaceCluster,
  node: string,
  kbit: number,
  latencyMs: number,
): Promise<void> {
  await inNode(cluster, node, [
    ...['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf'],
    ...['rate', `${kbit}kbit`, 'burst', '4kb', 'latency', `${latencyMs}ms`],
  ]);
}

/** An nftables table of filter chains in the node's namespace, replacing any table of that name. */
async function loadTable(
  cluster: NamespaceCluster,
  node: string,
  name: string,
  chains: readonly string[],
): Promise<void> {
  const script = [`table inet ${name} {`, ...chains.map((chain) => `  ${chain}`), '}'].join('\n');
  await inNode(cluster, node, ['sh', '-c', `nft delete table inet ${name} 2>/dev/null; echo '${script}' | nft -f -`]);
}

/** `percent` of the packets in and out of the node dropped at random. */
export async function lossyLink(cluster: NamespaceCluster, node: string, percent: number): Promise<void> {
  const rule = `numgen random mod 100 < ${percent} drop`;
  await loadTable(cluster, node, table, [
    `chain in { type filter hook input priority 0; ${rule}; }`,
    `chain out { type filter hook output priority 0; ${rule}; }`,
  ]);
}

/**
 * A standby's replication cut: every packet its node sends to a PostgreSQL port dropped (its WAL receiver
 * connects nowhere; other nodes still reach its server). Its own table, so that it can be healed apart.
 */
export async function cutReplicationLink(cluster: NamespaceCluster, node: string): Promise<void> {
  await loadTable(cluster, node, replicationCutTable, [
    'chain out { type filter hook output priority 0; tcp dport 5432 drop; }',
  ]);
}

export async function healReplicationLink(cluster: NamespaceCluster, node: string): Promise<void> {
  await cluster.exec(node, ['nft', 'delete', 'table', 'inet', replicationCutTable]);
}

/** Both faults gone from the node's link (whichever were made). */
export async function healLink(cluster: NamespaceCluster, node: string): Promise<void> {
  await cluster.exec(node, ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
  await cluster.exec(node, ['nft', 'delete', 'table', 'inet', table]);
}
