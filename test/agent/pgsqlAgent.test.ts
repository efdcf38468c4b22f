/**
 * `ocf:promigrate:pgsql` on real PostgreSQL 15 instances (loopback), run as pacemaker-execd runs it.
 * Every scenario runs under a bounded INSERT stream and ends by checking that no acknowledged row is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHarness } from '../fixtures/agentHarness.ts';
import {
  createInstances,
  followWhicheverIsPrimary,
  type InstanceSet,
  type PostgresInstance,
} from '../fixtures/postgresInstances.ts';
import { lostWrites, prepareTable, WriteLoop } from '../fixtures/writeLoop.ts';

const nodes = ['node1', 'node2', 'node3'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ocf:promigrate:pgsql on real PostgreSQL', () => {
  let set: InstanceSet;
  let harness: AgentHarness;
  let nextId = 1;
  const instance = (node: string) => set.instances.find((each) => each.name === node) as PostgresInstance;
  const isPrimary = async (node: string) => (await instance(node).query('SELECT pg_is_in_recovery()')) === 'f';
  const streamsFrom = async (primary: string, standby: string) =>
    (await instance(primary).query(
      `SELECT count(*) FROM pg_stat_replication WHERE application_name = '${standby}' AND state = 'streaming'`,
    )) === '1';
  const waitFor = async (what: string, check: () => Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${harness.transcript()}`);
      await sleep(20);
    }
  };
  const underWrites = async <T>(work: () => Promise<T>) => {
    const loop = new WriteLoop(set.instances, nextId);
    await sleep(100);
    const result = await work();
    await sleep(100);
    const report = await loop.stop();
    nextId = (report.acknowledged.at(-1) ?? nextId) + 1000;
    return { result, report };
  };
  const primaryNow = async () => {
    for (const node of nodes) if (await isPrimary(node).catch(() => false)) return node;
    return null;
  };

  beforeAll(async () => {
    set = await createInstances(nodes, 54431);
    await followWhicheverIsPrimary(set.instances);
    await prepareTable(set.instances);
    harness = await AgentHarness.create({
      agent: 'pgsql',
      nodes,
      parameters: (node) => ({
        pgdata: instance(node).dataDir,
        pghost: '127.0.0.1',
        pgport: String(instance(node).port),
        logfile: `${instance(node).home}/server.log`,
        catch_up_timeout: '2',
      }),
    });
  }, 120_000);
  afterAll(async () => {
    await harness?.dispose();
    await set?.dispose();
  });

  it('monitors both roles and keeps promotion scores: the primary first, its streaming standbys next', async () => {
    await waitFor(
      'both standbys streaming',
      async () => (await streamsFrom('node1', 'node2')) && (await streamsFrom('node1', 'node3')),
    );
    expect((await harness.run('node1', 'monitor', { interval: '15000' })).code).toBe(8);
    expect((await harness.run('node2', 'monitor', { interval: '16000' })).code).toBe(0);
    expect(await harness.score('node1')).toBe(1001);
    expect(await harness.score('node2')).toBe(1000);
    expect(await harness.score('node3')).toBe(1000);
  });

  it('switches over node1 → node2 and back with no acknowledged write lost; the old primary streams again', async () => {
    for (const [source, target] of [
      ['node1', 'node2'],
      ['node2', 'node1'],
    ] as const) {
      const { result, report } = await underWrites(() => harness.switchover(source, target));
      expect(result.promote.code, harness.transcript()).toBe(0);
      expect(await primaryNow()).toBe(target);
      expect(await lostWrites(instance(target), report.acknowledged)).toEqual([]);
      expect(report.acknowledged.length).toBeGreaterThan(20);
      await waitFor(`${source} streaming from ${target}`, () => streamsFrom(target, source));
      expect(result.demote.stderr).toMatch(new RegExp(`switchover ${source}→${target}: shut down at TL \\d+ @ `));
      expect(result.promote.stderr).toMatch(/target received \S+ ≥ \S+, promoting/);
    }
  });
});
