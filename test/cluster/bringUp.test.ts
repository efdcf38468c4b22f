/**
 * The real cluster's harness: three nodes as namespaces on this machine, real corosync membership and
 * pacemakerd, brought up and torn down by PID and namespace. A second cluster with the same tag after an
 * interrupted first one still comes up (the namespaces a killed run left are found and ended).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { NamespaceCluster } from '../../lab/netcluster/namespaceCluster.ts';

const nodes = ['node1', 'node2', 'node3'];
const spec = { nodes, tag: 'pmgt', subnet: '10.213.9', promigrateOcfRoot: resolve('dist/ocf') };

async function namespaces(): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list']);
  return stdout.split('\n').filter((line) => line.startsWith('pmgt-'));
}

describe('three Pacemaker + Corosync nodes in namespaces', () => {
  let cluster: NamespaceCluster | null = null;
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('come up with real membership, see promigrate among the OCF providers, and go away completely', async () => {
    cluster = await NamespaceCluster.create(spec);
    for (const node of nodes) cluster.startNode(node);
    await cluster.waitOnline('node1', nodes);
    const { stdout: hostname } = await cluster.exec('node2', ['hostname']);
    expect(hostname.trim()).toBe('node2');
    const { stdout: providers } = await cluster.exec('node3', ['crm_resource', '--list-ocf-providers']);
    expect(providers.split('\n')).toContain('promigrate');
    const root = cluster.root;
    await cluster.dispose();
    cluster = null;
    expect(await namespaces()).toEqual([]);
    expect(existsSync(root)).toBe(false);
  }, 120_000);

  it('comes up again after a run that left its namespaces and daemons behind', async () => {
    const first = await NamespaceCluster.create(spec);
    for (const node of nodes) first.startNode(node);
    await first.waitOnline('node1', nodes);
    // No dispose: as if the run had been killed. The next create ends what it left.
    cluster = await NamespaceCluster.create(spec);
    for (const node of nodes) cluster.startNode(node);
    await cluster.waitOnline('node1', nodes);
    expect((await cluster.onlineNodes('node3')).sort()).toEqual(nodes);
    await execa('rm', ['-rf', first.root]);
  }, 180_000);
});
