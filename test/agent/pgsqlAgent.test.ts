/**
 * `ocf:promigrate:pgsql` on real PostgreSQL 15 instances (loopback), run as pacemaker-execd runs it.
 * Every scenario runs under a bounded INSERT stream and ends by checking that no acknowledged row is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionResult, AgentHarness, notifyMeta, promigrateAgent } from '../fixtures/agentHarness.ts';
import {
  createInstances,
  followWhicheverIsPrimary,
  type InstanceSet,
  type PostgresInstance,
} from '../fixtures/postgresInstances.ts';
import { lostWrites, prepareTable, WriteLoop, type WriteReport } from '../fixtures/writeLoop.ts';

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
      agent: promigrateAgent('pgsql'),
      nodes,
      parameters: (node) => ({
        pgdata: instance(node).dataDir,
        pghost: '127.0.0.1',
        pgport: String(instance(node).port),
        logfile: `${instance(node).home}/server.log`,
        catch_up_timeout: '2',
        state_dir: `${instance(node).home}/agent-state`,
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

  /** Cuts a standby's replication: its primary_conninfo points at a closed port (restore: the usual one). */
  const cut = async (node: string) => {
    await instance(node).query(
      `ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1 user=postgres application_name=${node}'`,
    );
    await instance(node).query('SELECT pg_reload_conf()');
  };
  const restore = async (node: string) => {
    await instance(node).query('ALTER SYSTEM RESET primary_conninfo');
    await followWhicheverIsPrimary([instance(node)], set.instances);
  };

  it('aborts a switchover to a cut-off target: refused, the source is promoted again, nothing lost (PAF#225 too)', async () => {
    const source = (await primaryNow()) as string;
    const target = nodes.find((node) => node !== source && node !== 'node3') as string;
    await cut(target);
    await waitFor(`${target} cut off`, async () => !(await streamsFrom(source, target)));
    const { result, report } = await underWrites(async () => {
      await sleep(200); // the source writes what the cut target will never receive
      const moved = await harness.switchover(source, target);
      // Pacemaker's next move after the failed promote; the election that lost data with PAF (PAF#225):
      // the lagging target may not be promoted, even with the move's constraint still towards it.
      const election = await harness.promoteAfterFailure(target);
      const records = await harness.records();
      const again = await harness.promoteAfterFailure(source);
      return { ...moved, election, records, again };
    });
    const transcript = harness.transcript();
    expect(result.promote.code, transcript).toBe(1);
    expect(result.promote.stderr).toMatch(/target received \S+ < \S+, refusing/);
    expect(result.promote.stderr).toMatch(/ocf-exit-reason:switchover node\d→node\d aborted: node\d received /);
    expect(result.election.code, transcript).toBe(1);
    expect(result.election.stderr).toMatch(/only the source, or a node holding its final position|behind/);
    expect(result.again.code, transcript).toBe(0);
    expect(await primaryNow()).toBe(source);
    expect(await lostWrites(instance(source), report.acknowledged)).toEqual([]);
    expect(result.records[source]).toMatch(new RegExp(`handover=${source}>${target}@\\S+:aborted`));
    expect(await harness.score(target)).toBe(-1_000_000);
    await restore(target);
    await waitFor(`${target} following ${source} again`, () => streamsFrom(source, target));
  });

  it('completes a switchover split over two transitions (the promote comes without the demote lists)', async () => {
    const source = (await primaryNow()) as string;
    const target = nodes.find((node) => node !== source) as string;
    await waitFor(`${target} streaming from ${source}`, () => streamsFrom(source, target));
    const { result, report } = await underWrites(async () => {
      const demote = await harness.demoteRound({
        active: nodes,
        promoted: [source],
        demote: [source],
        promote: [target],
      });
      // Transition N+1: computed after the demote, nobody promoted, no demote list: it looks like an election.
      const promote = await harness.promoteRound({ active: nodes, promoted: [], promote: [target] });
      return { demote, promote };
    });
    expect(result.demote.code, harness.transcript()).toBe(0);
    expect(result.promote.code, harness.transcript()).toBe(0);
    expect(result.promote.stderr).toContain('PROMOTE switchover.handedOver → switchover.rejoining');
    expect(await primaryNow()).toBe(target);
    expect(await lostWrites(instance(target), report.acknowledged)).toEqual([]);
    await waitFor(`${source} streaming from ${target}`, () => streamsFrom(target, source));
  });

  it('aborts a switchover to a lagging target (its WAL receiver stalled): refused, the source promoted again, nothing lost', async () => {
    const source = (await primaryNow()) as string;
    const target = nodes.find((node) => node !== source && node !== 'node3') as string;
    await waitFor(`${target} streaming from ${source}`, () => streamsFrom(source, target));
    const receiver = Number(await instance(target).query('SELECT pid FROM pg_stat_wal_receiver'));
    expect(receiver).toBeGreaterThan(0);
    // Connected but not receiving (hung I/O, say): the source's shutdown waits for it until wal_sender_timeout.
    process.kill(receiver, 'SIGSTOP');
    let result: Awaited<ReturnType<AgentHarness['switchover']>> & { again: ActionResult };
    let report: WriteReport;
    try {
      ({ result, report } = await underWrites(async () => {
        await sleep(200);
        const moved = await harness.switchover(source, target);
        const again = await harness.promoteAfterFailure(source);
        return { ...moved, again };
      }));
    } finally {
      process.kill(receiver, 'SIGCONT');
    }
    expect(result.promote.code, harness.transcript()).toBe(1);
    expect(result.promote.stderr).toMatch(/target received \S+ < \S+, refusing/);
    expect(result.again.code, harness.transcript()).toBe(0);
    expect(await primaryNow()).toBe(source);
    expect(await lostWrites(instance(source), report.acknowledged)).toEqual([]);
    await waitFor(`${target} following ${source} again`, () => streamsFrom(source, target), 20_000);
  });

  it('switches over through the native interface: migrate_to on the source, migrate_from on the target', async () => {
    const source = (await primaryNow()) as string;
    const target = nodes.find((node) => node !== source) as string;
    await waitFor(`${target} streaming from ${source}`, () => streamsFrom(source, target));
    const { result, report } = await underWrites(() => harness.migrate(source, target));
    expect(result.migrateFrom.code, harness.transcript()).toBe(0);
    expect(result.migrateTo.stderr).toContain('MIGRATE_TO promoted → switchover.demotingSource');
    expect(result.migrateFrom.stderr).toContain('MIGRATE_FROM switchover.handedOver → switchover.rejoining');
    expect(await primaryNow()).toBe(target);
    expect(await lostWrites(instance(target), report.acknowledged)).toEqual([]);
    await waitFor(`${source} streaming from ${target}`, () => streamsFrom(target, source));
  });

  it('with notify=false: a demote records its final position; a target holding it is promoted, a cut one refused', async () => {
    const quiet = { notify: 'false' };
    const source = (await primaryNow()) as string;
    const [target, lagging] = nodes.filter((node) => node !== source) as [string, string];
    await waitFor(`${target} streaming from ${source}`, () => streamsFrom(source, target));
    await cut(lagging);
    await waitFor(`${lagging} cut off`, async () => !(await streamsFrom(source, lagging)));
    const { result, report } = await underWrites(async () => {
      await sleep(200);
      const demote = await harness.run(source, 'demote', quiet);
      const refused = await harness.run(lagging, 'promote', quiet);
      const promote = await harness.run(target, 'promote', quiet);
      return { demote, refused, promote };
    });
    expect(result.demote.code, harness.transcript()).toBe(0);
    expect(result.demote.stderr).toContain('demoted with no successor named');
    expect(result.refused.code, harness.transcript()).toBe(1);
    expect(result.refused.stderr).toMatch(/is behind the demoted primary's final position/);
    expect(result.promote.code, harness.transcript()).toBe(0);
    expect(await primaryNow()).toBe(target);
    expect(await lostWrites(instance(target), report.acknowledged)).toEqual([]);
    await restore(lagging);
    await waitFor(`${lagging} following ${target}`, () => streamsFrom(target, lagging));
    await waitFor(`${source} following ${target}`, () => streamsFrom(target, source));
  });

  it('stops and starts a standby: monitor 7 when stopped, 0 once it streams again; both are idempotent', async () => {
    const primary = (await primaryNow()) as string;
    const standby = nodes.find((node) => node !== primary) as string;
    for (let round = 0; round < 2; round++) expect((await harness.run(standby, 'stop')).code).toBe(0);
    expect((await harness.run(standby, 'monitor', { interval: '16000' })).code).toBe(7);
    expect((await harness.run(standby, 'monitor')).code).toBe(7);
    for (let round = 0; round < 2; round++)
      expect((await harness.run(standby, 'start')).code, harness.transcript()).toBe(0);
    expect((await harness.run(standby, 'monitor', { interval: '16000' })).code).toBe(0);
    await waitFor(`${standby} following ${primary}`, () => streamsFrom(primary, standby));
  });

  it("standby of the primary's node (demote and stop of the source, promote of the target) is a switchover too", async () => {
    const source = (await primaryNow()) as string;
    const target = nodes.find((node) => node !== source) as string;
    await waitFor(`${target} streaming from ${source}`, () => streamsFrom(source, target));
    const lists = { active: nodes, promoted: [source], demote: [source], stop: [source], promote: [target] };
    const { result, report } = await underWrites(async () => {
      const demote = await harness.demoteRound(lists);
      await harness.notify('pre', 'stop', lists);
      const stop = await harness.run(source, 'stop', notifyMeta(lists, nodes));
      await harness.notify('post', 'stop', lists);
      const promote = await harness.promoteRound({ ...lists, active: nodes.filter((node) => node !== source) });
      return { demote, stop, promote };
    });
    expect(result.demote.stderr).toContain(`MIGRATE_TO promoted → switchover.demotingSource`);
    expect(result.stop.code).toBe(0);
    expect(result.promote.code, harness.transcript()).toBe(0);
    expect(result.promote.stderr).toMatch(/target received \S+ ≥ \S+, promoting/);
    expect(await primaryNow()).toBe(target);
    expect(await lostWrites(instance(target), report.acknowledged)).toEqual([]);
    // The node leaves standby: its instance starts and follows the new primary.
    const start = await harness.run(
      source,
      'start',
      notifyMeta({ active: [target], promoted: [target], start: [source] }, nodes),
    );
    expect(start.code, harness.transcript()).toBe(0);
    await waitFor(`${source} streaming from ${target}`, () => streamsFrom(target, source));
  });
});
