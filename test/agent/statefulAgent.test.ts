/**
 * `ocf:promigrate:stateful`, the reference agent, run as pacemaker-execd runs it: the same protocol as the
 * PostgreSQL agent on a position counter. Bootstrap election, a switchover that keeps every acknowledged
 * write, and an aborted switchover to a cut-off target that ends with the source promoted again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CounterStore } from '../../agent/stateful/counterDatabase.ts';
import type { Position } from '../../models/position.ts';
import { type AgentHarness, statefulHarness } from '../fixtures/agentHarness.ts';

const nodes = ['node1', 'node2', 'node3'];

describe('ocf:promigrate:stateful', () => {
  let dir: string;
  let harness: AgentHarness;
  const store = (node: string) => new CounterStore(join(dir, 'counters'), node);
  const role = async (node: string) => (await store(node).read()).role;
  /** Writes on the primary, acknowledged one by one; returns the last acknowledged position. */
  const write = async (node: string, count: number): Promise<Position> => {
    let last: Position | null = null;
    for (let index = 0; index < count; index++) last = await store(node).acknowledgeWrite();
    return last as Position;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-stateful-'));
    harness = await statefulHarness(dir, nodes);
  });
  afterAll(async () => {
    await harness?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('starts unpromoted everywhere, then the first promotion elects a node', async () => {
    for (const node of nodes) {
      expect((await harness.run(node, 'monitor')).code).toBe(7);
      expect((await harness.run(node, 'start')).code, harness.transcript()).toBe(0);
      expect((await harness.run(node, 'monitor', { interval: '16000' })).code).toBe(0);
    }
    const promote = await harness.promoteRound({ active: nodes, promoted: [], promote: ['node1'] });
    expect(promote.code, harness.transcript()).toBe(0);
    expect((await harness.run('node1', 'monitor', { interval: '15000' })).code).toBe(8);
    expect(await harness.score('node1')).toBe(1001);
  });

  it('switches over node1 → node2: the target holds every acknowledged write, the source follows it', async () => {
    const acknowledged = await write('node1', 25);
    const { demote, promote } = await harness.switchover('node1', 'node2');
    expect(demote.stderr).toContain('switchover node1→node2: shut down at');
    expect(promote.code, harness.transcript()).toBe(0);
    expect(await role('node2')).toBe('primary');
    expect(await role('node1')).toBe('standby');
    // Before any monitor ran: the new primary already outranks the old one (a constraint cleared now
    // must not send the role back).
    expect([await harness.score('node2'), await harness.score('node1')]).toEqual([1001, 1000]);
    expect((await store('node2').read()).position.lsn).toBeGreaterThanOrEqual(acknowledged.lsn);
    const more = await write('node2', 5);
    expect((await harness.run('node1', 'monitor', { interval: '16000' })).code).toBe(0);
    expect((await store('node1').read()).position).toEqual(more);
  });

  it('aborts a switchover to a cut-off target and promotes the source again; the election refuses the target', async () => {
    await store('node3').setLink('cut');
    const acknowledged = await write('node2', 10);
    const { promote } = await harness.switchover('node2', 'node3');
    expect(promote.code, harness.transcript()).toBe(1);
    expect(promote.stderr).toMatch(/ocf-exit-reason:switchover node2→node3 aborted: node3 received /);
    const election = await harness.promoteAfterFailure('node3');
    expect(election.code, harness.transcript()).toBe(1);
    // Pacemaker lists the refused target as promoted before (its promote failed) while it promotes the
    // source again; the refusal's -INFINITY must stay, or a move constraint towards node3 would demote node2
    // for a promote refused again, over and over (the chaos campaign saw it).
    const again = await harness.promoteRound({
      active: nodes,
      promoted: ['node3'],
      demote: ['node3'],
      promote: ['node2'],
    });
    expect(again.code, harness.transcript()).toBe(0);
    expect(await role('node2')).toBe('primary');
    expect([await harness.score('node2'), await harness.score('node3')]).toEqual([1001, -1_000_000]);
    expect((await store('node2').read()).position.lsn).toBeGreaterThan(acknowledged.lsn);
    await store('node3').setLink('connected');
    expect((await harness.run('node3', 'monitor', { interval: '16000' })).code).toBe(0);
    expect((await store('node3').read()).position).toEqual((await store('node2').read()).position);
  });
});
