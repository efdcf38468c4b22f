/**
 * A promotion never reuses a timeline ID, on real PostgreSQL 15 (found by the model-based suite's deeper
 * checks, issue 15). node1 hands over to node3 while node2 is cut; node3 is promoted onto a new timeline and
 * dies before node1 rejoins it; node1 is promoted again. Without an archive PostgreSQL numbers node1's
 * timeline from the history files node1 has — the very number node3's timeline has: two histories under one
 * ID, which a node of the other history would stream from as if it were its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgsqlScenario } from '../fixtures/pgsqlScenario.ts';

const nodes = ['node1', 'node2', 'node3'];

async function timeline(s: PgsqlScenario, node: string): Promise<number> {
  const walfile = await s.instance(node).query('SELECT pg_walfile_name(pg_current_wal_lsn())');
  return Number.parseInt(walfile.slice(0, 8), 16);
}

describe('ocf:promigrate:pgsql timeline IDs', () => {
  let s: PgsqlScenario;
  beforeAll(async () => {
    s = await PgsqlScenario.create(nodes, 25591);
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
  });

  it('the source promoted again after the target died gets a timeline above the target’s', async () => {
    await s.waitFor(
      'standbys streaming',
      async () => (await s.streamsFrom('node1', 'node2')) && (await s.streamsFrom('node1', 'node3')),
    );
    expect((await s.harness.run('node1', 'monitor', { interval: '10000' })).code).toBe(8);
    await s.cut('node2');
    const meta = { migrate_source: 'node1', migrate_target: 'node3', record_pending: 'true' };
    expect((await s.harness.run('node1', 'migrate_to', meta)).code, s.harness.transcript()).toBe(0);
    // node1 never streams node3's timeline: it is held cut; node3 is promoted, then dies.
    await s.cut('node1');
    expect((await s.harness.run('node3', 'migrate_from', meta)).code, s.harness.transcript()).toBe(0);
    const onto = await timeline(s, 'node3');
    await s.killPostgres('node3');
    const promoted = await s.harness.promoteRound({
      active: nodes,
      promoted: [],
      stop: ['node3'],
      promote: ['node1'],
    });
    expect(promoted.code, s.harness.transcript()).toBe(0);
    expect(promoted.stderr).toMatch(new RegExp(`timeline ${onto} taken by another node's promotion`));
    expect(await timeline(s, 'node1')).toBe(onto + 1);
    expect((await s.harness.records()).node1).toMatch(new RegExp(` onto=${onto + 1}( |$)`));
    // node3 comes back: its timeline is not node1's history, and the agent knows it (pg_rewind needed).
    const start = await s.harness.run('node3', 'start');
    expect(start.code, s.harness.transcript()).not.toBe(0);
    expect(start.stderr).toMatch(/diverged/);
  });

  it('the target’s node lost right after its promotion: the copies of its promotion keep its timeline ID taken', async () => {
    // Found by the chaos campaign: node3 promoted, its node partitioned and fenced at once — pacemaker-attrd
    // forgot node3's record, so nothing told the survivors node3's timeline existed.
    const t = await PgsqlScenario.create(nodes, 25611);
    try {
      await t.waitFor(
        'standbys streaming',
        async () => (await t.streamsFrom('node1', 'node2')) && (await t.streamsFrom('node1', 'node3')),
      );
      expect((await t.harness.run('node1', 'monitor', { interval: '10000' })).code).toBe(8);
      const meta = { migrate_source: 'node1', migrate_target: 'node3', record_pending: 'true' };
      expect((await t.harness.run('node1', 'migrate_to', meta)).code, t.harness.transcript()).toBe(0);
      await t.cut('node1');
      await t.cut('node2');
      expect((await t.harness.run('node3', 'migrate_from', meta)).code, t.harness.transcript()).toBe(0);
      const onto = await timeline(t, 'node3');
      await t.killPostgres('node3');
      await t.harness.fence('node3');
      const elected = await t.harness.promoteRound({
        active: nodes,
        promoted: ['node3'],
        demote: ['node3'],
        stop: ['node3'],
        fenced: ['node3'],
        available: ['node1', 'node2'],
        promote: ['node1'],
      });
      expect(elected.code, t.harness.transcript()).toBe(0);
      expect(await timeline(t, 'node1')).toBe(onto + 1);
      // node3 boots: its own record is gone, the copies say it was promoted onto its timeline — diverged.
      const start = await t.harness.run('node3', 'start');
      expect(start.code, t.harness.transcript()).not.toBe(0);
      expect(start.stderr).toMatch(/diverged/);
    } finally {
      await t.dispose();
    }
  }, 60_000);
});
