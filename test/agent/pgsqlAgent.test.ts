/**
 * `ocf:promigrate:pgsql` on real PostgreSQL 15 instances (loopback), run as pacemaker-execd runs it.
 * Every scenario runs under a bounded INSERT stream and ends by checking that no acknowledged row is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lostWrites, type WriteReport } from '../../lab/local/writeLoop.ts';
import { type ActionResult, type AgentHarness, notifyMeta } from '../fixtures/agentHarness.ts';
import { PgsqlScenario } from '../fixtures/pgsqlScenario.ts';

const nodes = ['node1', 'node2', 'node3'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ocf:promigrate:pgsql on real PostgreSQL', () => {
  let s: PgsqlScenario;
  beforeAll(async () => {
    s = await PgsqlScenario.create(nodes, 25431, { catch_up_timeout: '2' });
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
  });

  it('monitors both roles and keeps promotion scores: the primary first, its streaming standbys next', async () => {
    await s.waitFor(
      'both standbys streaming',
      async () => (await s.streamsFrom('node1', 'node2')) && (await s.streamsFrom('node1', 'node3')),
    );
    expect((await s.harness.run('node1', 'monitor', { interval: '15000' })).code).toBe(8);
    expect((await s.harness.run('node2', 'monitor', { interval: '16000' })).code).toBe(0);
    expect(await s.harness.score('node1')).toBe(1001);
    expect(await s.harness.score('node2')).toBe(1000);
    expect(await s.harness.score('node3')).toBe(1000);
  });

  it('switches over node1 → node2 and back with no acknowledged write lost; the old primary streams again', async () => {
    for (const [source, target] of [
      ['node1', 'node2'],
      ['node2', 'node1'],
    ] as const) {
      const { result, report } = await s.underWrites(() => s.harness.switchover(source, target));
      expect(result.promote.code, s.harness.transcript()).toBe(0);
      expect(await s.primaryNow()).toBe(target);
      expect(await lostWrites(s.instance(target), report.acknowledged)).toEqual([]);
      expect(report.acknowledged.length).toBeGreaterThan(20);
      await s.waitFor(`${source} streaming from ${target}`, () => s.streamsFrom(target, source));
      expect(result.demote.stderr).toMatch(new RegExp(`switchover ${source}→${target}: shut down at TL \\d+ @ `));
      expect(result.promote.stderr).toMatch(/target received \S+ ≥ \S+, promoting/);
    }
  });

  it('aborts a switchover to a cut-off target: refused, the source is promoted again, nothing lost (PAF#225 too)', async () => {
    const source = (await s.primaryNow()) as string;
    const target = nodes.find((node) => node !== source && node !== 'node3') as string;
    await s.cut(target);
    await s.waitFor(`${target} cut off`, async () => !(await s.streamsFrom(source, target)));
    const { result, report } = await s.underWrites(async () => {
      await sleep(200); // the source writes what the cut target will never receive
      const moved = await s.harness.switchover(source, target);
      // Pacemaker's next move after the failed promote; the election that lost data with PAF (PAF#225):
      // the lagging target may not be promoted, even with the move's constraint still towards it.
      const election = await s.harness.promoteAfterFailure(target);
      const records = await s.harness.records();
      const again = await s.harness.promoteAfterFailure(source);
      return { ...moved, election, records, again };
    });
    const transcript = s.harness.transcript();
    expect(result.promote.code, transcript).toBe(1);
    expect(result.promote.stderr).toMatch(/target received \S+ < \S+, refusing/);
    expect(result.promote.stderr).toMatch(/ocf-exit-reason:switchover node\d→node\d aborted: node\d received /);
    expect(result.election.code, transcript).toBe(1);
    expect(result.election.stderr).toMatch(/only the source, or a node holding its final position|behind/);
    expect(result.again.code, transcript).toBe(0);
    expect(await s.primaryNow()).toBe(source);
    expect(await lostWrites(s.instance(source), report.acknowledged)).toEqual([]);
    expect(result.records[source]).toMatch(new RegExp(`handover=${source}>${target}@\\S+:aborted`));
    expect(await s.harness.score(target)).toBe(-1_000_000);
    await s.restore(target);
    await s.waitFor(`${target} following ${source} again`, () => s.streamsFrom(source, target));
  });

  it('completes a switchover split over two transitions (the promote comes without the demote lists)', async () => {
    const source = (await s.primaryNow()) as string;
    const target = nodes.find((node) => node !== source) as string;
    await s.waitFor(`${target} streaming from ${source}`, () => s.streamsFrom(source, target));
    const { result, report } = await s.underWrites(async () => {
      const demote = await s.harness.demoteRound({
        active: nodes,
        promoted: [source],
        demote: [source],
        promote: [target],
      });
      // Transition N+1: computed after the demote, nobody promoted, no demote list: it looks like an election.
      const promote = await s.harness.promoteRound({ active: nodes, promoted: [], promote: [target] });
      return { demote, promote };
    });
    expect(result.demote.code, s.harness.transcript()).toBe(0);
    expect(result.promote.code, s.harness.transcript()).toBe(0);
    expect(result.promote.stderr).toContain('PROMOTE switchover.handedOver → switchover.rejoining');
    expect(await s.primaryNow()).toBe(target);
    expect(await lostWrites(s.instance(target), report.acknowledged)).toEqual([]);
    await s.waitFor(`${source} streaming from ${target}`, () => s.streamsFrom(target, source));
  });

  it('aborts a switchover to a lagging target (its WAL receiver stalled): refused, the source promoted again, nothing lost', async () => {
    const source = (await s.primaryNow()) as string;
    const target = nodes.find((node) => node !== source && node !== 'node3') as string;
    await s.waitFor(`${target} streaming from ${source}`, () => s.streamsFrom(source, target));
    const receiver = Number(await s.instance(target).query('SELECT pid FROM pg_stat_wal_receiver'));
    expect(receiver).toBeGreaterThan(0);
    // Connected but not receiving (hung I/O, say): the source's shutdown waits for it until wal_sender_timeout.
    process.kill(receiver, 'SIGSTOP');
    let result: Awaited<ReturnType<AgentHarness['switchover']>> & { again: ActionResult };
    let report: WriteReport;
    try {
      ({ result, report } = await s.underWrites(async () => {
        await sleep(200);
        const moved = await s.harness.switchover(source, target);
        const again = await s.harness.promoteAfterFailure(source);
        return { ...moved, again };
      }));
    } finally {
      process.kill(receiver, 'SIGCONT');
    }
    expect(result.promote.code, s.harness.transcript()).toBe(1);
    expect(result.promote.stderr).toMatch(/target received \S+ < \S+, refusing/);
    expect(result.again.code, s.harness.transcript()).toBe(0);
    expect(await s.primaryNow()).toBe(source);
    expect(await lostWrites(s.instance(source), report.acknowledged)).toEqual([]);
    await s.waitFor(`${target} following ${source} again`, () => s.streamsFrom(source, target), 20_000);
  });

  it('switches over through the native interface: migrate_to on the source, migrate_from on the target', async () => {
    const source = (await s.primaryNow()) as string;
    const target = nodes.find((node) => node !== source) as string;
    await s.waitFor(`${target} streaming from ${source}`, () => s.streamsFrom(source, target));
    const { result, report } = await s.underWrites(() => s.harness.migrate(source, target));
    expect(result.migrateFrom.code, s.harness.transcript()).toBe(0);
    expect(result.migrateTo.stderr).toContain('MIGRATE_TO promoted → switchover.demotingSource');
    expect(result.migrateFrom.stderr).toContain('MIGRATE_FROM switchover.handedOver → switchover.rejoining');
    expect(await s.primaryNow()).toBe(target);
    expect(await lostWrites(s.instance(target), report.acknowledged)).toEqual([]);
    await s.waitFor(`${source} streaming from ${target}`, () => s.streamsFrom(target, source));
  });

  it('with notify=false: a demote records its final position; a target holding it is promoted, a cut one refused', async () => {
    const quiet = { notify: 'false' };
    const source = (await s.primaryNow()) as string;
    const [target, lagging] = nodes.filter((node) => node !== source) as [string, string];
    await s.waitFor(`${target} streaming from ${source}`, () => s.streamsFrom(source, target));
    await s.cut(lagging);
    await s.waitFor(`${lagging} cut off`, async () => !(await s.streamsFrom(source, lagging)));
    const { result, report } = await s.underWrites(async () => {
      await sleep(200);
      const demote = await s.harness.run(source, 'demote', quiet);
      const refused = await s.harness.run(lagging, 'promote', quiet);
      const promote = await s.harness.run(target, 'promote', quiet);
      return { demote, refused, promote };
    });
    expect(result.demote.code, s.harness.transcript()).toBe(0);
    expect(result.demote.stderr).toContain('demoted with no successor named');
    expect(result.refused.code, s.harness.transcript()).toBe(1);
    expect(result.refused.stderr).toMatch(/is behind the demoted primary's final position/);
    expect(result.promote.code, s.harness.transcript()).toBe(0);
    expect(await s.primaryNow()).toBe(target);
    expect(await lostWrites(s.instance(target), report.acknowledged)).toEqual([]);
    await s.restore(lagging);
    await s.waitFor(`${lagging} following ${target}`, () => s.streamsFrom(target, lagging));
    await s.waitFor(`${source} following ${target}`, () => s.streamsFrom(target, source));
  });

  it('stops and starts a standby: monitor 7 when stopped, 0 once it streams again; both are idempotent', async () => {
    const primary = (await s.primaryNow()) as string;
    const standby = nodes.find((node) => node !== primary) as string;
    for (let round = 0; round < 2; round++) expect((await s.harness.run(standby, 'stop')).code).toBe(0);
    expect((await s.harness.run(standby, 'monitor', { interval: '16000' })).code).toBe(7);
    expect((await s.harness.run(standby, 'monitor')).code).toBe(7);
    for (let round = 0; round < 2; round++)
      expect((await s.harness.run(standby, 'start')).code, s.harness.transcript()).toBe(0);
    expect((await s.harness.run(standby, 'monitor', { interval: '16000' })).code).toBe(0);
    await s.waitFor(`${standby} following ${primary}`, () => s.streamsFrom(primary, standby));
  });

  it("standby of the primary's node (demote and stop of the source, promote of the target) is a switchover too", async () => {
    const source = (await s.primaryNow()) as string;
    const target = nodes.find((node) => node !== source) as string;
    await s.waitFor(`${target} streaming from ${source}`, () => s.streamsFrom(source, target));
    const lists = { active: nodes, promoted: [source], demote: [source], stop: [source], promote: [target] };
    const { result, report } = await s.underWrites(async () => {
      const demote = await s.harness.demoteRound(lists);
      await s.harness.notify('pre', 'stop', lists);
      const stop = await s.harness.run(source, 'stop', notifyMeta(lists, nodes));
      await s.harness.notify('post', 'stop', lists);
      const promote = await s.harness.promoteRound({ ...lists, active: nodes.filter((node) => node !== source) });
      return { demote, stop, promote };
    });
    expect(result.demote.stderr).toContain(`MIGRATE_TO promoted → switchover.demotingSource`);
    expect(result.stop.code).toBe(0);
    expect(result.promote.code, s.harness.transcript()).toBe(0);
    expect(result.promote.stderr).toMatch(/target received \S+ ≥ \S+, promoting/);
    expect(await s.primaryNow()).toBe(target);
    expect(await lostWrites(s.instance(target), report.acknowledged)).toEqual([]);
    // The node leaves standby: its instance starts and follows the new primary.
    const start = await s.harness.run(
      source,
      'start',
      notifyMeta({ active: [target], promoted: [target], start: [source] }, nodes),
    );
    expect(start.code, s.harness.transcript()).toBe(0);
    await s.waitFor(`${source} streaming from ${target}`, () => s.streamsFrom(target, source));
  });
});
