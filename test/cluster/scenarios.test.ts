/**
 * End to end on a real three-node Pacemaker + Corosync cluster (namespaces on this machine) with fencing on
 * (a stonith device whose fence agent powers a namespace node off, stonith-enabled=true), real PostgreSQL
 * replication between the nodes, promigrate's agent in a promotable clone with notify and a primary address
 * ordered as PAF documents it. Every scenario runs with asynchronous and with synchronous replication, under
 * a write load through that address: no acknowledged write that a surviving node had may be missing on the
 * final primary (with asynchronous replication a lost primary can take writes nobody received: counted
 * apart), and no sample may see two writable nodes. Writes reports/cluster.json and prints the table.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportEntries, reportTable } from '../../lab/netcluster/clusterReport.ts';
import {
  banPrimary,
  cutTarget,
  kills,
  moveTo,
  operatorCommand,
  type ScenarioResult,
  splitMove,
  standbyPrimaryNode,
  statusAndDryRun,
} from '../../lab/netcluster/clusterScenarios.ts';
import {
  failedPrimaryThreshold1,
  fencedPrimary,
  fullRestart,
  sourceLostAfterMigrateTo,
  targetLostAfterMigrateTo,
} from '../../lab/netcluster/fencedScenarios.ts';
import type { ReplicationMode } from '../../lab/netcluster/nodePostgres.ts';
import { clusterNodes, PostgresCluster } from '../../lab/netcluster/postgresCluster.ts';

const results: ScenarioResult[] = [];
let cluster: PostgresCluster;

function expectPassed(found: readonly ScenarioResult[]): void {
  results.push(...found);
  for (const result of found) {
    expect({ name: result.name, problems: result.problems }).toEqual({ name: result.name, problems: [] });
    expect(result.lostWrites).toBe(0);
    if (result.replication === 'sync') expect(result.inevitableLosses).toBe(0);
    expect(result.maxWritablePrimaries).toBe(1);
    // "Nothing lost" must be about real writes: the load ran through the scenario.
    expect(result.acknowledged).toBeGreaterThan(50);
  }
}

describe('promigrate on a real three-node cluster', () => {
  beforeAll(async () => {
    cluster = await PostgresCluster.create({
      agent: 'promigrate',
      tag: 'pmgs',
      subnet: '10.213.12',
      ocfRoot: resolve('dist/ocf'),
      probe: resolve('dist/cluster-probe.js'),
      catchUpTimeout: 1,
    });
  }, 180_000);

  afterAll(async () => {
    // PROMIGRATE_KEEP_CLUSTER=1 leaves the cluster running (its logs under the node directories) to look at.
    if (process.env.PROMIGRATE_KEEP_CLUSTER !== '1') await cluster?.dispose();
    await mkdir('reports', { recursive: true });
    await writeFile(
      'reports/cluster.json',
      `${JSON.stringify({ agent: 'promigrate', scenarios: reportEntries(results) }, null, 2)}\n`,
    );
    process.stdout.write(`\n${reportTable(results)}\n`);
  }, 60_000);

  describe.each<ReplicationMode>(['async', 'sync'])('with %s replication', (mode) => {
    beforeAll(async () => {
      await cluster.setReplicationMode(mode);
      await cluster.waitSettled(`a settled cluster with ${mode} replication`);
    }, 60_000);

    it('1. moves the promoted role to each other node (--move --promoted, --clear)', async () => {
      const primary = await cluster.waitSettled('a settled cluster after the bring-up');
      for (const target of clusterNodes.filter((node) => node !== primary)) {
        expectPassed([await moveTo(cluster, target)]);
      }
    }, 120_000);

    it('2. bans the promoted role from the primary node, and puts it in standby and back', async () => {
      expectPassed([await banPrimary(cluster)]);
      expectPassed([await standbyPrimaryNode(cluster)]);
    }, 120_000);

    it('3. aborts a switchover to a cut target, and the next election skips the lagging node', async () => {
      expectPassed(await cutTarget(cluster));
    }, 240_000);

    it('4. fails over after kill -9 of postgres and of a whole node (fenced); the node rejoins', async () => {
      expectPassed(await kills(cluster));
    }, 240_000);

    it('5. completes a move split over two transitions by a promotion-score change', async () => {
      // A cleanup just before can leave the status in flux for a moment: pick the target from a settled one.
      const primary = await cluster.waitSettled('a settled cluster before the split move');
      const target = clusterNodes.find((node) => node !== primary) as string;
      expectPassed([await splitMove(cluster, target)]);
    }, 120_000);

    it('6. promigrate status and switchover --dry-run change nothing; switchover: progress, JSON result, refusal with a reason, nothing left behind', async () => {
      expectPassed([await statusAndDryRun(cluster, resolve('dist/promigrate.js'))]);
      expectPassed(await operatorCommand(cluster, resolve('dist/promigrate.js')));
    }, 300_000);

    it('7. fences a partitioned primary and elects the standby with the writes, not the cut one the scores favour', async () => {
      const result = await fencedPrimary(cluster);
      expectPassed([result]);
      expect(result.fenceEvents).toBeGreaterThanOrEqual(1);
    }, 240_000);

    it('8. the same after a failed primary monitor with migration-threshold=1', async () => {
      expectPassed([await failedPrimaryThreshold1(cluster)]);
    }, 240_000);

    it("9. a move whose source's node is lost after migrate_to promotes the target", async () => {
      expectPassed([await sourceLostAfterMigrateTo(cluster)]);
    }, 240_000);

    it("10. a move whose target's node is lost after migrate_to gives the role back to the source", async () => {
      expectPassed([await targetLostAfterMigrateTo(cluster)]);
    }, 240_000);

    it('11. a full cluster restart with a lagging standby elects a node with every write (PAF#225)', async () => {
      expectPassed([await fullRestart(cluster)]);
    }, 240_000);
  });
});
