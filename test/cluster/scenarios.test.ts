/**
 * End to end on a real three-node Pacemaker + Corosync cluster (namespaces on this machine) with fencing on
 * (a stonith device whose fence agent powers a namespace node off, stonith-enabled=true), real PostgreSQL
 * replication between the nodes, promigrate's agent in a promotable clone with notify and a primary address
 * ordered as PAF documents it. Every scenario runs with asynchronous and with synchronous replication, under
 * a write load through that address: no acknowledged write that a surviving node had may be missing on the
 * final primary (with asynchronous replication a lost primary can take writes nobody received: counted
 * apart), and no sample may see two writable nodes. Writes reports/cluster.json and prints the table.
 *
 * The cluster runs what an operator installs: the Debian package (npm run package), installed with
 * apt-get from the file before the suite — its agents under /usr/lib/ocf, its /usr/bin/promigrate — checked
 * first (version, man page, ocf-tester on both installed agents), and purged afterwards.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineTools } from '../../lab/local/offlineTools.ts';
import { createInstances } from '../../lab/local/postgresInstances.ts';
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
import { buildAndInstallPackage, installedCommand, installedOcfRoot, purgePackage } from '../fixtures/debianPackage.ts';
import { commandsOf, guideBlock } from '../fixtures/guideBlocks.ts';
import { ocfTester } from '../fixtures/ocfTester.ts';
import { OfflineCluster } from '../fixtures/offlineCluster.ts';
import { expectScenariosPassed } from '../fixtures/scenarioExpectations.ts';

const results: ScenarioResult[] = [];
let cluster: PostgresCluster;

function expectPassed(found: readonly ScenarioResult[]): void {
  results.push(...found);
  expectScenariosPassed(found);
}

describe('promigrate on a real three-node cluster', () => {
  beforeAll(async () => {
    await buildAndInstallPackage();
    cluster = await PostgresCluster.create({
      agent: 'promigrate',
      tag: 'pmgs',
      subnet: '10.213.12',
      ocfRoot: installedOcfRoot,
      probe: resolve('dist/cluster-probe.js'),
      catchUpTimeout: 1,
    });
  }, 180_000);

  afterAll(async () => {
    // PROMIGRATE_KEEP_CLUSTER=1 leaves the cluster running (its logs under the node directories) to look at.
    if (process.env.PROMIGRATE_KEEP_CLUSTER !== '1') {
      await cluster?.dispose();
      await purgePackage();
      if (existsSync(join(installedOcfRoot, 'resource.d', 'promigrate', 'pgsql')) || existsSync(installedCommand))
        throw new Error('apt-get purge promigrate left its files behind');
    }
    await mkdir('reports', { recursive: true });
    await writeFile(
      'reports/cluster.json',
      `${JSON.stringify({ agent: 'promigrate', scenarios: reportEntries(results) }, null, 2)}\n`,
    );
    process.stdout.write(`\n${reportTable(results)}\n`);
  }, 60_000);

  it('0. runs the installed Debian package: promigrate --version, its man page, ocf-tester on both agents', async () => {
    const version = await execa(installedCommand, ['--version']);
    expect(version.stdout).toBe(JSON.parse(await readFile('package.json', 'utf8')).version);
    expect((await execa('man', ['-w', 'promigrate'])).stdout).toBe('/usr/share/man/man8/promigrate.8.gz');
    const listed = await execa('dpkg', ['--listfiles', 'promigrate']);
    expect(listed.stdout.split('\n')).toEqual(
      expect.arrayContaining(['/usr/lib/ocf/resource.d/promigrate/pgsql', '/usr/lib/ocf/lib/promigrate/pgsql.cjs']),
    );
    // ocf-tester as in test/agent/ocfTester.test.ts, on the installed files (it reads them as user nobody).
    const dir = await mkdtemp(join(tmpdir(), 'promigrate-installed-'));
    await chmod(dir, 0o755);
    await offlineTools(join(dir, 'sbin'));
    const cib = await OfflineCluster.create({ nodes: 2, clones: [{ id: 'tested-clone', primitive: 'tested' }] });
    const postgres = await createInstances(['node1'], 25671);
    try {
      const [instance] = postgres.instances;
      const agents = {
        stateful: { state_root: join(dir, 'stateful'), state_dir: join(dir, 'state-stateful') },
        pgsql: {
          pgdata: instance?.dataDir as string,
          pghost: '127.0.0.1',
          pgport: String(instance?.port),
          logfile: join(instance?.home as string, 'server.log'),
          state_dir: join(dir, 'state-pgsql'),
        },
      };
      for (const [agent, parameters] of Object.entries(agents)) {
        const result = await ocfTester({
          agentPath: join(installedOcfRoot, 'resource.d', 'promigrate', agent),
          ocfRoot: installedOcfRoot,
          sbinDir: join(dir, 'sbin'),
          attrdDir: join(dir, 'attrd'),
          cib: cib.cib,
          parameters,
        });
        expect(result.stdout, `${agent}: ${result.stdout}\n${result.stderr}`).toContain('passed all tests');
        expect(result.exitCode).toBe(0);
      }
    } finally {
      await postgres.dispose();
      await cib.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  describe.each<ReplicationMode>(['async', 'sync'])('with %s replication', (mode) => {
    beforeAll(async () => {
      await cluster.setReplicationMode(mode);
      await cluster.waitSettled(`a settled cluster with ${mode} replication`);
    }, 60_000);

    it("1. moves the promoted role to each node: crm_resource, and the guide's pcs and crm lines as written", async () => {
      // docs/guide.md moves to node2 with pcs and to node3 with crm: start from node1.
      const guide = await Promise.all(
        ['pcs-switchover', 'crm-switchover'].map(async (label) => {
          const [move, clear] = commandsOf(await guideBlock(label)) as [string, string];
          return { name: `guide's ${label}`, move, clear };
        }),
      );
      if ((await cluster.waitSettled('a settled cluster after the bring-up')) !== 'node1') {
        expectPassed([await moveTo(cluster, 'node1')]);
      }
      expectPassed([await moveTo(cluster, 'node2', guide[0])]);
      expectPassed([await moveTo(cluster, 'node3', guide[1])]);
      expectPassed([await moveTo(cluster, 'node1')]);
    }, 180_000);

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
      expectPassed([await statusAndDryRun(cluster, installedCommand)]);
      expectPassed(await operatorCommand(cluster, installedCommand));
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
