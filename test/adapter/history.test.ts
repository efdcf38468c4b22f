/**
 * Histories: directories of pe-input-N.bz2 made by chaining the real scheduler, with the promotion-score
 * change an agent makes in between. One logical migration is reported once, with every transition it spanned.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { explainInput } from '../../src/adapter/explain.ts';
import { readInput } from '../../src/adapter/readInput.ts';
import { OfflineCluster } from '../fixtures/offlineCluster.ts';

let cluster: OfflineCluster | null = null;
afterEach(async () => {
  await cluster?.dispose();
  cluster = null;
});

async function promotedOnNode1(): Promise<OfflineCluster> {
  cluster = await OfflineCluster.create({ nodes: 3, clones: [{ id: 'pgsql-ha', primitive: 'pgsql' }] });
  await cluster.setScores('pgsql', { node1: 10, node2: 7, node3: 5 });
  await cluster.settle();
  await mkdir(join(cluster.dir, 'pengine'));
  return cluster;
}

async function save(target: OfflineCluster, sequence: number): Promise<void> {
  await target.saveCib(join('pengine', `pe-input-${sequence}.bz2`), true);
}

const explainHistory = async (target: OfflineCluster) =>
  (await explainInput(await readInput(join(target.dir, 'pengine')))).map(({ detail: _detail, ...rest }) => rest);

describe('histories of pe-inputs', () => {
  it('a switchover split over two transitions (demote in N, promote in N+1) is one switchover', async () => {
    const target = await promotedOnNode1();
    await save(target, 9);
    await target.tool('crm_resource', ['--move', '--promoted', '--resource', 'pgsql-ha', '--node', 'node2']);
    await save(target, 10);
    // Transition 10 ran the demote, then the agent's score update aborted it before the promote.
    await target.simulate(['--op-inject', 'pgsql_demote_0@node1=0']);
    await target.setScores('pgsql', { node1: 5 });
    await save(target, 11);
    await target.settle();
    await save(target, 12);
    expect(await explainHistory(target)).toEqual([
      { resource: 'pgsql-ha', kind: 'switchover', from: 'node1', to: 'node2', cause: 'move', transitions: [10, 11] },
    ]);
    expect((await readdir(join(target.dir, 'pengine'))).length).toBe(4);
  });

  it('a switchover in one transition spans that transition', async () => {
    const target = await promotedOnNode1();
    await target.tool('crm_resource', ['--ban', '--promoted', '--resource', 'pgsql-ha', '--node', 'node1']);
    await save(target, 3);
    await target.settle();
    await save(target, 4);
    expect(await explainHistory(target)).toEqual([
      { resource: 'pgsql-ha', kind: 'switchover', from: 'node1', to: 'node2', cause: 'ban', transitions: [3] },
    ]);
  });

  it('a lost node is a failover; the outcome counts, not what a transition planned', async () => {
    const target = await promotedOnNode1();
    await save(target, 20);
    await target.simulate(['--node-fail', 'node1']);
    await save(target, 21);
    await target.settle();
    await save(target, 22);
    expect(await explainHistory(target)).toEqual([
      { resource: 'pgsql-ha', kind: 'failover', from: 'node1', to: 'node2', cause: 'node-lost', transitions: [21] },
    ]);
  });

  it('a failed monitor recovered in place is a recovery', async () => {
    const target = await promotedOnNode1();
    await save(target, 30);
    await target.simulate(['--op-inject', 'pgsql_monitor_10000@node1=7']);
    await save(target, 31);
    await target.settle();
    await save(target, 32);
    expect(await explainHistory(target)).toEqual([
      { resource: 'pgsql-ha', kind: 'recovery', from: 'node1', to: 'node1', cause: 'failure', transitions: [31] },
    ]);
  });

  it('a quiet history reports nothing', async () => {
    const target = await promotedOnNode1();
    await save(target, 1);
    await save(target, 2);
    expect(await explainHistory(target)).toEqual([]);
  });
});
