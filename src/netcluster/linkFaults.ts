/**
 * A node's link made slow or lossy rather than cut (this kernel has no netem): a token-bucket filter on the
 * node's interface (`tc qdisc … tbf`) makes replication traffic queue — delay, and drops when the queue is
 * full — and an nftables rule (`numgen random mod 100 < N drop`) drops a share of the packets both ways.
 * Run inside the node's network namespace; removed without trace.
 */
import type { NamespaceCluster } from './namespaceCluster.ts';

const table = 'promigrate_chaos';

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

/** `percent` of the packets in and out of the node dropped at random. */
export async function lossyLink(cluster: NamespaceCluster, node: string, percent: number): Promise<void> {
  const rule = `numgen random mod 100 < ${percent} drop`;
  const script = [
    `table inet ${table} {`,
    `  chain in { type filter hook input priority 0; ${rule}; }`,
    `  chain out { type filter hook output priority 0; ${rule}; }`,
    '}',
  ].join('\n');
  await inNode(cluster, node, ['sh', '-c', `nft delete table inet ${table} 2>/dev/null; echo '${script}' | nft -f -`]);
}

/** Both faults gone from the node's link (whichever were made). */
export async function healLink(cluster: NamespaceCluster, node: string): Promise<void> {
  await cluster.exec(node, ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
  await cluster.exec(node, ['nft', 'delete', 'table', 'inet', table]);
}
