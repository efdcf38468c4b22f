/**
 * `ocf:promigrate:pgsql` when the primary is lost, on three real PostgreSQL 15 instances: recovery in place
 * after kill -9 of the primary's postgres, an election after the primary's node is lost (the most advanced
 * standby is promoted, a lagging one refused), and a diverged former primary that refuses to start.
 * Actions are run as pacemaker-execd runs them, with the lists Pacemaker gives in each case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lostWrites } from '../../lab/local/writeLoop.ts';
import { PgsqlScenario } from '../fixtures/pgsqlScenario.ts';

const nodes = ['node1', 'node2', 'node3'];

describe('ocf:promigrate:pgsql failover on real PostgreSQL', () => {
  let s: PgsqlScenario;
  beforeAll(async () => {
    s = await PgsqlScenario.create(nodes, 25471);
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
  });

  it('kill -9 of the primary: monitor reports it failed, and recovery in place promotes it again with every write', async () => {
    await s.waitFor(
      'standbys streaming',
      async () => (await s.streamsFrom('node1', 'node2')) && (await s.streamsFrom('node1', 'node3')),
    );
    const report = await s.writesFor(300);
    await s.killPostgres('node1');
    const monitor = await s.harness.run('node1', 'monitor', { interval: '15000' });
    expect(monitor.code, s.harness.transcript()).toBe(9);
    expect(monitor.stderr).toMatch(/ocf-exit-reason:.*not shut down cleanly/);
    // Pacemaker's recovery with the default migration-threshold: demote, stop, start, promote in place.
    expect((await s.harness.run('node1', 'demote')).code, s.harness.transcript()).toBe(0);
    expect((await s.harness.run('node1', 'stop')).code, s.harness.transcript()).toBe(0);
    const lists = { active: nodes, promoted: [], start: ['node1'], promote: ['node1'] };
    expect((await s.harness.run('node1', 'start')).code, s.harness.transcript()).toBe(0);
    const promote = await s.harness.promoteRound(lists);
    expect(promote.code, s.harness.transcript()).toBe(0);
    expect(await s.primaryNow()).toBe('node1');
    expect(await lostWrites(s.instance('node1'), report.acknowledged)).toEqual([]);
    await s.waitFor('node2 following node1 again', () => s.streamsFrom('node1', 'node2'));
    await s.waitFor('node3 following node1 again', () => s.streamsFrom('node1', 'node3'));
  });

  it('node lost: the election refuses the lagging standby, promotes the most advanced; the old primary rejoins', async () => {
    await s.cut('node3');
    await s.waitFor('node3 cut off', async () => !(await s.streamsFrom('node1', 'node3')));
    const report = await s.writesFor(300);
    await s.waitFor('node2 caught up', () => s.caughtUp('node1', 'node2'));
    await s.killPostgres('node1');
    // The node is gone without fencing: its instance is in no list, nobody is promoted.
    const survivors = ['node2', 'node3'];
    const lagging = await s.harness.promoteRound({ active: survivors, promoted: [], promote: ['node3'] });
    expect(lagging.code, s.harness.transcript()).toBe(1);
    expect(lagging.stderr).toMatch(/ocf-exit-reason:promote of node3 refused: node2 at TL \d+ @ \S+ is ahead of node3/);
    expect(await s.harness.score('node3')).toBe(-1_000_000);
    expect(await s.harness.score('node2')).toBe(1001);
    const elected = await s.harness.promoteRound({ active: survivors, promoted: [], promote: ['node2'] });
    expect(elected.code, s.harness.transcript()).toBe(0);
    expect(await s.primaryNow()).toBe('node2');
    expect(await lostWrites(s.instance('node2'), report.acknowledged)).toEqual([]);
    await s.restore('node3');
    await s.waitFor('node3 following node2', () => s.streamsFrom('node2', 'node3'));
    // The node comes back: its crashed primary held nothing node2 lacks, so it follows the new timeline.
    const probe = await s.harness.run('node1', 'monitor');
    expect(probe.code, s.harness.transcript()).toBe(9);
    expect((await s.harness.run('node1', 'stop')).code).toBe(0);
    const start = await s.harness.run('node1', 'start');
    expect(start.code, s.harness.transcript()).toBe(0);
    await s.waitFor('node1 following node2', () => s.streamsFrom('node2', 'node1'));
  });

  it('a diverged former primary refuses to start, with the reason, and is left as it was', async () => {
    await s.waitFor(
      'standbys of node2 streaming',
      async () => (await s.streamsFrom('node2', 'node1')) && (await s.streamsFrom('node2', 'node3')),
    );
    const replicated = await s.writesFor(200);
    await s.waitFor('node1 caught up', () => s.caughtUp('node2', 'node1'));
    await s.waitFor('node3 caught up', () => s.caughtUp('node2', 'node3'));
    await s.cut('node1');
    await s.cut('node3');
    await s.waitFor(
      'standbys cut off',
      async () => !(await s.streamsFrom('node2', 'node1')) && !(await s.streamsFrom('node2', 'node3')),
    );
    // Acknowledged by node2 alone: asynchronous replication loses these with node2, as the model says.
    await s.writesFor(200);
    await s.killPostgres('node2');
    const survivors = ['node1', 'node3'];
    const first = await s.harness.promoteRound({ active: survivors, promoted: [], promote: ['node1'] });
    const elected = first.code === 0 ? 'node1' : 'node3';
    if (first.code !== 0) {
      expect((await s.harness.promoteRound({ active: survivors, promoted: [], promote: ['node3'] })).code).toBe(0);
    }
    expect(await s.primaryNow()).toBe(elected);
    expect(await lostWrites(s.instance(elected), replicated.acknowledged)).toEqual([]);
    expect((await s.harness.run('node2', 'stop')).code).toBe(0);
    const start = await s.harness.run('node2', 'start');
    expect(start.code, s.harness.transcript()).toBe(1);
    expect(start.stderr).toMatch(
      /ocf-exit-reason:start of node2 refused: node2 has diverged from the current timeline \(pg_rewind needed\)/,
    );
    expect(
      await s
        .instance('node2')
        .pid()
        .then((pid) => (pid === null ? true : s.isGone(pid))),
    ).toBe(true);
    expect((await s.harness.run('node2', 'monitor')).code).toBe(9);
  });
});
