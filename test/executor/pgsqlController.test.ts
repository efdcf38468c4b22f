/**
 * The executor on real PostgreSQL: three instances as the nodes of a promotable clone of
 * `ocf:promigrate:pgsql`, Pacemaker's real scheduler deciding every transition from the real outcomes.
 * A `crm_resource --move --promoted` is a switchover that loses nothing; a move to a standby whose
 * replication was cut is refused by the agent and the scheduler promotes the source again.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Controller, TransitionReport } from '../../lab/executor/controller.ts';
import { type LocalCluster, localCluster } from '../../lab/executor/localCluster.ts';
import { pgsqlCloneResources } from '../../lab/local/pgsqlClone.ts';
import { lostWrites } from '../../lab/local/writeLoop.ts';
import { PgsqlScenario } from '../fixtures/pgsqlScenario.ts';

const nodes = ['node1', 'node2', 'node3'];

function transcript(reports: readonly TransitionReport[]): string {
  return reports
    .flatMap((report) =>
      report.executed
        .filter(({ action }) => action.kind === 'rsc_op')
        .map(
          ({ action, result, ok }) =>
            `T${report.transition} ${action.node} ${action.key} ${ok ? 'ok' : 'FAILED'}\n${result?.stderr ?? ''}`,
        ),
    )
    .join('');
}

describe('the executor with ocf:promigrate:pgsql on real PostgreSQL', () => {
  let s: PgsqlScenario;
  let stage: LocalCluster;
  let controller: Controller;

  beforeAll(async () => {
    s = await PgsqlScenario.create(nodes, 25521);
    stage = await localCluster({
      nodes,
      resources: pgsqlCloneResources(s.set.instances, { catch_up_timeout: '2' }),
      promigrateOcfRoot: resolve('dist/ocf'),
      powerOff: (node) => s.killIfRunning(node),
    });
    controller = stage.controller;
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
    await stage?.dispose();
  });

  it('takes over the running instances: the probes find node1 promoted, the cluster settles around it', async () => {
    await s.waitFor(
      'standbys streaming',
      async () => (await s.streamsFrom('node1', 'node2')) && (await s.streamsFrom('node1', 'node3')),
    );
    const reports = await controller.settle();
    expect(await s.primaryNow(), transcript(reports)).toBe('node1');
    expect(transcript(reports)).not.toContain('FAILED');
  });

  it('moves the promoted role node1 → node2: a switchover, no acknowledged write lost, node1 streams again', async () => {
    const { result: reports, report } = await s.underWrites(async () => {
      await controller.tool('crm_resource', ['--move', '--promoted', '--resource', 'pgsql-ha', '--node', 'node2']);
      return controller.settle();
    });
    const log = transcript(reports);
    expect(await s.primaryNow(), log).toBe('node2');
    expect(log).toMatch(/node1 pgsql(?::\d)?_demote_0 ok[\s\S]*node2 pgsql(?::\d)?_promote_0 ok/);
    expect(log).toMatch(/switchover node1→node2: target received \S+ ≥ \S+, promoting/);
    expect(await lostWrites(s.instance('node2'), report.acknowledged)).toEqual([]);
    await controller.tool('crm_resource', ['--clear', '--resource', 'pgsql-ha']);
    await controller.settle();
    expect(await s.primaryNow()).toBe('node2');
    await s.waitFor('node1 streaming from node2', () => s.streamsFrom('node2', 'node1'));
  });

  it('a move to a cut-off standby is refused; the scheduler promotes the source again, nothing is lost', async () => {
    await s.cut('node3');
    await s.waitFor('node3 cut off', async () => !(await s.streamsFrom('node2', 'node3')));
    const { result: reports, report } = await s.underWrites(async () => {
      await controller.tool('crm_resource', ['--move', '--promoted', '--resource', 'pgsql-ha', '--node', 'node3']);
      return controller.settle();
    });
    const log = transcript(reports);
    expect(log).toMatch(/switchover node2→node3: target received \S+ < \S+, refusing/);
    // What the scheduler did with the refusal: the target's promote failed, the source's promote followed.
    expect(log).toMatch(/node3 pgsql(?::\d)?_promote_0 FAILED[\s\S]*node2 pgsql(?::\d)?_promote_0 ok/);
    expect(await s.primaryNow(), log).toBe('node2');
    expect(await lostWrites(s.instance('node2'), report.acknowledged)).toEqual([]);
    await controller.tool('crm_resource', ['--clear', '--resource', 'pgsql-ha']);
    await s.restore('node3');
    await s.waitFor('node3 following node2', () => s.streamsFrom('node2', 'node3'));
  });

  it("the primary's node is lost: the scheduler and the agents elect the most advanced standby", async () => {
    await s.waitFor(
      'standbys of node2 streaming',
      async () => (await s.streamsFrom('node2', 'node1')) && (await s.streamsFrom('node2', 'node3')),
    );
    await s.cut('node3');
    await s.waitFor('node3 cut off', async () => !(await s.streamsFrom('node2', 'node3')));
    const report = await s.writesFor(300);
    await s.waitFor('node1 caught up', () => s.caughtUp('node2', 'node1'));
    // The machine dies: its postgres with it, and the cluster sees the node leave.
    await s.killPostgres('node2');
    await stage.failNode('node2');
    const reports = await controller.settle();
    const log = transcript(reports);
    const fenced = reports.flatMap((each) =>
      each.executed.filter(({ action }) => action.kind === 'crm_event' && action.operation === 'stonith'),
    );
    expect(fenced.map(({ action }) => action.node)).toEqual(['node2']);
    expect(await s.primaryNow(), log).toBe('node1');
    expect(log).not.toMatch(/node3 pgsql(?::\d)?_promote_0 ok/);
    expect(await lostWrites(s.instance('node1'), report.acknowledged)).toEqual([]);
    await s.restore('node3');
    await s.waitFor('node3 following node1', () => s.streamsFrom('node1', 'node3'));
  });
});
