/**
 * Promotion scores through the real crm_attribute, on a CIB held in a file (CIB_file: the tool works on it
 * as on a live cluster), and the real scheduler reacting to them.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterToolError } from '../../agent/cluster/clusterTool.ts';
import { promotionScores } from '../../agent/cluster/promotionScores.ts';
import { clusterAccess } from '../../agent/promotable/clusterAccess.ts';
import { explainInput } from '../../src/adapter/explain.ts';
import { readInput } from '../../src/adapter/readInput.ts';
import { OfflineCluster } from '../fixtures/offlineCluster.ts';

describe('promotion scores', () => {
  let cluster: OfflineCluster;
  beforeAll(async () => {
    cluster = await OfflineCluster.create({ nodes: 3, clones: [{ id: 'pgsql-ha', primitive: 'pgsql' }] });
    await cluster.setScores('pgsql', { node1: 10, node2: 7, node3: 5 });
    await cluster.settle();
  });
  afterAll(() => cluster.dispose());

  const scoresOf = (node: string) => promotionScores({ resource: 'pgsql', node, env: { CIB_file: cluster.cib } });

  it("a node's cache of the score it set does not outlive the Pacemaker run it was made in", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'promigrate-state-'));
    try {
      const access = clusterAccess({ resource: 'pgsql', node: 'node1', env: { CIB_file: cluster.cib }, stateDir });
      await scoresOf('node1').remove();
      expect(await access.ensureOwnScore(1)).toBe(true);
      // Pacemaker leaves and erases the node's transient attributes; within the same run the cache is trusted.
      await scoresOf('node1').remove();
      expect(await access.ensureOwnScore(1)).toBe(false);
      // Pacemaker restarted without a reboot: another pacemaker-execd runs the agent, /run is as it was.
      const [file] = await readdir(stateDir);
      const path = join(stateDir, file as string);
      const cache = JSON.parse(await readFile(path, 'utf8'));
      await writeFile(path, JSON.stringify({ ...cache, owner: '1@1' }));
      expect(await access.ensureOwnScore(1)).toBe(true);
      expect(await scoresOf('node1').get()).toBe(1);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
      await scoresOf('node1').set(10);
    }
  });

  it('are read, written (bounded to ±1,000,000) and removed', async () => {
    const node2 = scoresOf('node2');
    expect(await node2.get()).toBe(7);
    await node2.set(5_000_000);
    expect(await node2.get()).toBe(1_000_000);
    await node2.remove();
    expect(await node2.get()).toBeNull();
    await node2.remove();
    await expect(node2.set(1.5)).rejects.toThrow(ClusterToolError);
    expect(await readFile(cluster.cib, 'utf8')).not.toContain('status-node2-master-pgsql');
  });

  it('move the promoted role when they change: the scheduler plans the switchover', async () => {
    await scoresOf('node3').set(100);
    const migrations = await explainInput(await readInput(await cluster.saveCib('scores.xml')));
    expect(migrations.map(({ kind, from, to, cause }) => ({ kind, from, to, cause }))).toEqual([
      { kind: 'switchover', from: 'node1', to: 'node3', cause: 'constraint' },
    ]);
  });

  it('fail with the command and its reason when the tool cannot work', async () => {
    const broken = promotionScores({ resource: 'pgsql', node: 'node1', env: { CIB_file: '/nonexistent/cib.xml' } });
    await expect(broken.set(1)).rejects.toThrow(
      /^setting the promotion score of node1: \/usr\/sbin\/crm_attribute --promotion --update 1: /,
    );
  });
});
