/**
 * A new cluster handed to Pacemaker as an operator makes one: the primary shut down cleanly, the standbys
 * base backups (pg_basebackup -R) never started. The real scheduler and the real agents (through the
 * executor) elect the old primary — the only one with its shutdown checkpoint — without taking the base
 * backups for crashed primaries (a probe of 9 and a demote of each, before the fix), and everyone streams.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransitionReport } from '../../lab/executor/controller.ts';
import { type LocalCluster, localCluster } from '../../lab/executor/localCluster.ts';
import { pgsqlCloneResources } from '../../lab/local/pgsqlClone.ts';
import { createInstances, type InstanceSet } from '../../lab/local/postgresInstances.ts';

const nodes = ['node1', 'node2', 'node3'];

function operations(reports: readonly TransitionReport[]): string[] {
  return reports.flatMap((report) =>
    report.executed
      .filter(({ action }) => action.kind === 'rsc_op' && !['notify', 'cancel'].includes(action.operation))
      // Instance numbers (pgsql:1) are the scheduler's bookkeeping, reassigned between transitions.
      .map(
        ({ action, result, ok }) =>
          `${action.node} ${action.key.replace(/:\d+_/, '_')} ${ok ? '' : 'FAILED '}rc ${result?.code}`,
      ),
  );
}

describe('a new cluster from stopped instances', () => {
  let set: InstanceSet;
  let stage: LocalCluster;
  beforeAll(async () => {
    set = await createInstances(nodes, 25541, { asNewCluster: true });
    stage = await localCluster({
      nodes,
      resources: pgsqlCloneResources(set.instances, {}),
      promigrateOcfRoot: resolve('dist/ocf'),
      // Fencing on; nothing in this test loses a node, so a power-off would only stop its instance at once.
      powerOff: async (node) => {
        const instance = set.instances.find((each) => each.name === node);
        if ((await instance?.pid()) != null) await instance?.stop('immediate');
      },
    });
  }, 120_000);
  afterAll(async () => {
    await stage?.dispose();
    await set?.dispose();
  });

  it('elects the cleanly shut down primary, with no crashed-primary detour, and the base backups stream from it', async () => {
    const reports = await stage.controller.settle();
    const done = operations(reports);
    const transcript = done.join('\n');
    // The probes find three stopped instances: not running (7), never failed promoted (9).
    expect(done.filter((line) => / pgsql_monitor_0 /.test(line)).sort(), transcript).toEqual(
      nodes.map((node) => `${node} pgsql_monitor_0 rc 7`),
    );
    // No demote of a base backup taken for a crashed primary. The scheduler may try a base backup first (the
    // scores are all equal): its promote is refused (node1 is ahead) and Pacemaker demotes it, as any failed
    // promote; only such nodes are demoted, and node1 is the one promoted.
    const refused = done.filter((line) => /_promote_0 FAILED rc 1/.test(line)).map((line) => line.split(' ')[0]);
    const demoted = done.filter((line) => /_demote_0 /.test(line)).map((line) => line.split(' ')[0]);
    expect(
      demoted.filter((node) => !refused.includes(node)),
      transcript,
    ).toEqual([]);
    const promotions = done.filter((line) => /_promote_0 rc 0/.test(line));
    expect(promotions, transcript).toEqual(['node1 pgsql_promote_0 rc 0']);
    const primary = set.instances[0];
    const standbys = async () =>
      (await primary?.query(
        "SELECT string_agg(application_name, ',' ORDER BY application_name) FROM pg_stat_replication WHERE state = 'streaming'",
      )) ?? '';
    const deadline = Date.now() + 15_000;
    while ((await standbys()) !== 'node2,node3' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await standbys()).toBe('node2,node3');
  }, 120_000);
});
