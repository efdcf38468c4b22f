/**
 * The executor with Pacemaker's real scheduler and promigrate's real reference agent: a two-node
 * promotable clone of `ocf:promigrate:stateful` bootstraps to one promoted instance, then a
 * `crm_resource --move --promoted` moves the role as a switchover that keeps every acknowledged write.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CounterStore } from '../../agent/stateful/counterDatabase.ts';
import type { Controller } from '../../lab/executor/controller.ts';
import { type LocalCluster, localCluster } from '../../lab/executor/localCluster.ts';

const nodes = ['node1', 'node2'];

describe('the executor', () => {
  let dir: string;
  let stage: LocalCluster;
  let controller: Controller;
  const store = (node: string) => new CounterStore(join(dir, 'counters'), node);
  const roles = async () =>
    Object.fromEntries(await Promise.all(nodes.map(async (node) => [node, (await store(node).read()).role])));
  const transcript = (reports: Awaited<ReturnType<Controller['settle']>>) =>
    reports
      .flatMap((report) =>
        report.executed.map(
          ({ action, result, ok }) =>
            `${report.transition} ${action.node ?? ''} ${action.key} ${ok ? 'ok' : 'FAILED'} ${result?.stderr ?? ''}`,
        ),
      )
      .join('\n');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-stateful-root-'));
    stage = await localCluster({
      nodes,
      resources: `<clone id="st-ha"><meta_attributes id="st-ha-meta"><nvpair id="st-ha-promotable" name="promotable" value="true"/><nvpair id="st-ha-notify" name="notify" value="true"/></meta_attributes><primitive id="st" class="ocf" provider="promigrate" type="stateful"><instance_attributes id="st-params"><nvpair id="st-root" name="state_root" value="${join(dir, 'counters')}"/><nvpair id="st-state" name="state_dir" value="${join(dir, 'state')}"/></instance_attributes><operations><op id="st-monitor-promoted" name="monitor" interval="15s" role="Promoted"/><op id="st-monitor-unpromoted" name="monitor" interval="16s" role="Unpromoted"/></operations></primitive></clone>`,
      promigrateOcfRoot: resolve('dist/ocf'),
    });
    controller = stage.controller;
  });
  afterAll(async () => {
    await stage?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('bootstraps the clone to one promoted instance and a standby, with the scheduler deciding', async () => {
    const reports = await controller.settle();
    expect(reports.length).toBeGreaterThan(0);
    const state = await roles();
    expect(Object.values(state).sort(), transcript(reports)).toEqual(['primary', 'standby']);
  });

  it('moves the promoted role with crm_resource --move --promoted: a switchover that keeps every write', async () => {
    const state = await roles();
    const source = nodes.find((node) => state[node] === 'primary') as string;
    const target = nodes.find((node) => node !== source) as string;
    let last = { timeline: 0, lsn: 0 };
    for (let index = 0; index < 20; index++) last = await store(source).acknowledgeWrite();
    await controller.tool('crm_resource', ['--move', '--promoted', '--resource', 'st-ha', '--node', target]);
    const reports = await controller.settle();
    const log = transcript(reports);
    expect(await roles(), log).toEqual({ [source]: 'standby', [target]: 'primary' });
    expect((await store(target).read()).position.lsn).toBeGreaterThanOrEqual(last.lsn);
    expect(log).toMatch(/switchover .*→.*: target received \S+ ≥ \S+, promoting/);
    await controller.tool('crm_resource', ['--clear', '--resource', 'st-ha']);
    await controller.settle();
    expect(await roles()).toEqual({ [source]: 'standby', [target]: 'primary' });
  });
});
