/**
 * The proposed interface in a real three-node Pacemaker + Corosync cluster (namespaces on this machine,
 * fencing on): every node runs the patched Pacemaker of upstream/pacemaker (its libraries and controller
 * bound over Debian's in the node's mount namespace, lab/netcluster/patchedPacemaker.ts), the clone opts in
 * with allow-migrate=promoted, and promigrate's agents (dist/ocf) carry both halves natively. With
 * asynchronous and synchronous replication, under a write load through the primary address:
 * `crm_resource --move --promoted` becomes migrate_to on the source and migrate_from on the target in the
 * cluster's own transition, with no acknowledged write lost; a target whose replication is cut refuses in
 * migrate_from and the source is the primary again; a killed node is fenced and a standby with the writes
 * takes over. `npm run test:native-cluster` (PROMIGRATE_NATIVE_CLUSTER=1); left out otherwise, to keep
 * `npm test` and `npm run test:native` within CI's time.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPatchedPacemaker } from '../../lab/executor/schedulerInterface.ts';
import { cutTarget, kills, moveTo } from '../../lab/netcluster/clusterScenarios.ts';
import type { ReplicationMode } from '../../lab/netcluster/nodePostgres.ts';
import { clusterNodes, PostgresCluster } from '../../lab/netcluster/postgresCluster.ts';
import { parseXmlDocument } from '../../src/adapter/xmlDocument.ts';
import { expectScenariosPassed } from '../fixtures/scenarioExpectations.ts';

const skip = process.env.PROMIGRATE_NATIVE_CLUSTER !== '1';
let cluster: PostgresCluster;

/** A node's recorded migrate_to or migrate_from of the clone: its transition and result, or null. */
async function migrationHalf(
  node: string,
  operation: 'migrate_to' | 'migrate_from',
): Promise<{ transition: string; rc: string } | null> {
  const id = (clusterNodes as readonly string[]).indexOf(node) + 1;
  const found = await cluster
    .tool('cibadmin', ['--query', '--xpath', `//node_state[@id='${id}']//lrm_rsc_op[@id='pgsql_${operation}_0']`])
    .catch(() => '');
  if (found === '') return null;
  const { element } = parseXmlDocument(found, 'cibadmin --query --xpath');
  return {
    transition: (element.attribute('transition-key') ?? '').split(':')[1] ?? '',
    rc: element.attribute('rc-code') ?? '',
  };
}

describe.skipIf(skip)('the patched Pacemaker in a real three-node cluster', () => {
  beforeAll(async () => {
    const pacemaker = await buildPatchedPacemaker();
    cluster = await PostgresCluster.create({
      agent: 'promigrate',
      tag: 'pmgn',
      subnet: '10.213.14',
      ocfRoot: resolve('dist/ocf'),
      probe: resolve('dist/cluster-probe.js'),
      catchUpTimeout: 1,
      pacemaker,
    });
  }, 900_000);

  afterAll(async () => {
    if (process.env.PROMIGRATE_KEEP_CLUSTER !== '1') await cluster?.dispose();
  }, 60_000);

  it('0. every node runs the patched controller: #feature-set 3.16.2, the migration gate open', async () => {
    for (const node of clusterNodes) {
      const value = await cluster.tool('crm_attribute', [
        '--node',
        node,
        '--name',
        '#feature-set',
        '--lifetime',
        'reboot',
        '--query',
        '--quiet',
      ]);
      expect(value.trim(), node).toBe('3.16.2');
    }
  }, 60_000);

  describe.each<ReplicationMode>(['async', 'sync'])('with %s replication', (mode) => {
    beforeAll(async () => {
      await cluster.setReplicationMode(mode);
      await cluster.waitSettled(`a settled cluster with ${mode} replication`);
    }, 60_000);

    it('1. crm_resource --move --promoted is migrate_to on the source, migrate_from on the target, one transition', async () => {
      for (const target of ['node2', 'node3', 'node1']) {
        const source = await cluster.waitSettled('a settled cluster');
        if (source === target) continue;
        const before = await migrationHalf(source, 'migrate_to');
        const result = await moveTo(cluster, target);
        expectScenariosPassed([result]);
        // The controller keeps each half in an entry of its own (pgsql_migrate_to_0, pgsql_migrate_from_0).
        const [first, second] = [
          await migrationHalf(source, 'migrate_to'),
          await migrationHalf(target, 'migrate_from'),
        ];
        expect(first?.transition, `${source}'s migrate_to`).not.toBe(before?.transition);
        expect({ source: first?.rc, target: second?.rc }).toEqual({ source: '0', target: '0' });
        expect(second?.transition).toBe(first?.transition);
      }
    }, 300_000);

    it('2. a target whose replication is cut refuses in migrate_from; the source is the primary again', async () => {
      expectScenariosPassed(await cutTarget(cluster));
    }, 300_000);

    it('3. kill -9 of postgres and of a whole node: fenced, a standby with the writes promoted, the node rejoins', async () => {
      expectScenariosPassed(await kills(cluster));
    }, 300_000);
  });
});
