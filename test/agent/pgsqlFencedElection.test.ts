/**
 * Elections in the shapes a fenced cluster gives, on three real PostgreSQL 15 instances (asynchronous
 * replication): the lost primary is listed in demote and stop (pseudo-actions implied by the fencing, exactly
 * as a moved primary is listed), nothing runs on it, and pacemaker-attrd has forgotten its attributes. The
 * promotion scores are stale (they favour a standby that was cut since). Issue 14: with fencing, an
 * election promoted the cut standby and lost every write the other standby had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lostWrites } from '../../lab/local/writeLoop.ts';
import { notifyMeta } from '../fixtures/agentHarness.ts';
import { PgsqlScenario } from '../fixtures/pgsqlScenario.ts';

const nodes = ['node1', 'node2', 'node3'];

/** The transition after `primary`'s node was lost and fenced, promoting `candidate`. */
function fencedTransition(primary: string, candidate: string) {
  return {
    active: nodes,
    promoted: [primary],
    demote: [primary],
    stop: [primary],
    fenced: [primary],
    available: nodes.filter((node) => node !== primary),
    promote: [candidate],
  };
}

describe('ocf:promigrate:pgsql elections after fencing, on real PostgreSQL', () => {
  let s: PgsqlScenario;
  beforeAll(async () => {
    s = await PgsqlScenario.create(nodes, 25571);
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
  });

  it('fenced primary, one standby cut, stale scores favouring it: the cut one is refused, no write lost', async () => {
    await s.waitFor(
      'standbys streaming',
      async () => (await s.streamsFrom('node1', 'node2')) && (await s.streamsFrom('node1', 'node3')),
    );
    await s.cut('node2');
    await s.waitFor('node2 cut off', async () => !(await s.streamsFrom('node1', 'node2')));
    const report = await s.writesFor(300);
    await s.waitFor('node3 caught up', () => s.caughtUp('node1', 'node3'));
    // The primary's last monitor ranked node2 first; scores are hints, up to one monitor interval old.
    await s.harness.cluster.setScores('pgsql', { node1: 1001, node2: 1000, node3: 990 });
    await s.killPostgres('node1');
    await s.harness.fence('node1');
    const lagging = await s.harness.promoteRound(fencedTransition('node1', 'node2'));
    expect(lagging.code, s.harness.transcript()).toBe(1);
    expect(lagging.stderr).toMatch(/ocf-exit-reason:promote of node2 refused: node3 at TL \d+ @ \S+ is ahead of node2/);
    expect(await s.harness.score('node2')).toBe(-1_000_000);
    expect(await s.harness.score('node3')).toBe(1001);
    // The next transition: node1 is gone from the lists, node3 is promoted.
    const elected = await s.harness.promoteRound({
      active: ['node2', 'node3'],
      available: ['node2', 'node3'],
      promoted: [],
      promote: ['node3'],
    });
    expect(elected.code, s.harness.transcript()).toBe(0);
    expect(await s.primaryNow()).toBe('node3');
    expect(await lostWrites(s.instance('node3'), report.acknowledged)).toEqual([]);
    await s.restore('node2');
    await s.waitFor('node2 following node3', () => s.streamsFrom('node3', 'node2'));
  });

  it('a standby that published nothing for this election blocks it: the promote waits, then refuses and points at it', async () => {
    // The fenced node1 comes back: it held nothing node3 lacks, so it starts as node3's standby.
    expect((await s.harness.run('node1', 'stop')).code).toBe(0);
    expect((await s.harness.run('node1', 'start')).code, s.harness.transcript()).toBe(0);
    await s.waitFor('node1 following node3', () => s.streamsFrom('node3', 'node1'));
    await s.cut('node2');
    await s.waitFor('node2 cut off', async () => !(await s.streamsFrom('node3', 'node2')));
    const report = await s.writesFor(200);
    await s.killPostgres('node3');
    await s.harness.fence('node3');
    // node2's promote with no pre-promote round before it: node1 never published, so its position is
    // unknown. Taken as the lowest (as before issue 14), node2 would have been promoted without node1's writes.
    const lists = fencedTransition('node3', 'node2');
    const alone = await s.harness.run('node2', 'promote', { ...notifyMeta(lists, nodes), timeout: '4000' });
    expect(alone.code, s.harness.transcript()).toBe(1);
    expect(alone.stderr).toMatch(/waiting for the position of node1/);
    expect(alone.stderr).toMatch(/ocf-exit-reason:promote of node2 refused: the position of node1 is unknown/);
    expect(await s.harness.score('node1')).toBe(1001);
    expect(await s.primaryNow()).toBeNull();
    const elected = await s.harness.promoteRound({
      active: ['node1', 'node2'],
      available: ['node1', 'node2'],
      promoted: [],
      promote: ['node1'],
    });
    expect(elected.code, s.harness.transcript()).toBe(0);
    expect(await lostWrites(s.instance('node1'), report.acknowledged)).toEqual([]);
  });
});
