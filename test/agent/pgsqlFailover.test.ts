/**
 * `ocf:promigrate:pgsql` when the primary is lost, on three real PostgreSQL 15 instances: recovery in place
 * after kill -9 of the primary's postgres, an election after the primary's node is lost (the most advanced
 * standby is promoted, a lagging one refused), and a diverged former primary that refuses to start.
 * Actions are run as pacemaker-execd runs them, with the lists Pacemaker gives in each case.
 */
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHarness, promigrateAgent } from '../fixtures/agentHarness.ts';
import {
  createInstances,
  followWhicheverIsPrimary,
  type InstanceSet,
  type PostgresInstance,
} from '../fixtures/postgresInstances.ts';
import { lostWrites, prepareTable, WriteLoop, type WriteReport } from '../fixtures/writeLoop.ts';

const nodes = ['node1', 'node2', 'node3'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The PIDs of the processes whose parent is `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid) children.push(Number(entry));
  }
  return children;
}

const isGone = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat === null || /^\d+ \(.*\) [ZX]/.test(stat);
};

describe('ocf:promigrate:pgsql failover on real PostgreSQL', () => {
  let set: InstanceSet;
  let harness: AgentHarness;
  let nextId = 1;
  const instance = (node: string) => set.instances.find((each) => each.name === node) as PostgresInstance;
  const isPrimary = async (node: string) => (await instance(node).query('SELECT pg_is_in_recovery()')) === 'f';
  const primaryNow = async () => {
    for (const node of nodes) if (await isPrimary(node).catch(() => false)) return node;
    return null;
  };
  const streamsFrom = async (primary: string, standby: string) =>
    (await instance(primary).query(
      `SELECT count(*) FROM pg_stat_replication WHERE application_name = '${standby}' AND state = 'streaming'`,
    )) === '1';
  const waitFor = async (what: string, check: () => Promise<boolean>, ms = 15_000) => {
    const deadline = Date.now() + ms;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${harness.transcript()}`);
      await sleep(20);
    }
  };
  const writesFor = async (ms: number): Promise<WriteReport> => {
    const loop = new WriteLoop(set.instances, nextId);
    await sleep(ms);
    const report = await loop.stop();
    nextId = (report.acknowledged.at(-1) ?? nextId) + 1000;
    expect(report.acknowledged.length).toBeGreaterThan(10);
    return report;
  };
  /** The standby has replayed everything the primary wrote. */
  const caughtUp = async (primary: string, standby: string) =>
    (await instance(primary).query(
      `SELECT count(*) FROM pg_stat_replication WHERE application_name = '${standby}' AND replay_lsn = pg_current_wal_lsn()`,
    )) === '1';
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
  /** kill -9 of the postmaster; its children notice and exit on their own. */
  const killPostgres = async (node: string) => {
    const pid = (await instance(node).pid()) as number;
    const children = await childrenOf(pid);
    process.kill(pid, 'SIGKILL');
    await waitFor(`${node}'s postgres gone`, async () =>
      (await Promise.all([pid, ...children].map(isGone))).every(Boolean),
    );
  };

  beforeAll(async () => {
    set = await createInstances(nodes, 54471);
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
        state_dir: `${instance(node).home}/agent-state`,
      }),
    });
  }, 120_000);
  afterAll(async () => {
    await harness?.dispose();
    await set?.dispose();
  });

  it('kill -9 of the primary: monitor reports it failed, and recovery in place promotes it again with every write', async () => {
    await waitFor(
      'standbys streaming',
      async () => (await streamsFrom('node1', 'node2')) && (await streamsFrom('node1', 'node3')),
    );
    const report = await writesFor(300);
    await killPostgres('node1');
    const monitor = await harness.run('node1', 'monitor', { interval: '15000' });
    expect(monitor.code, harness.transcript()).toBe(9);
    expect(monitor.stderr).toMatch(/ocf-exit-reason:.*not shut down cleanly/);
    // Pacemaker's recovery with the default migration-threshold: demote, stop, start, promote in place.
    expect((await harness.run('node1', 'demote')).code, harness.transcript()).toBe(0);
    expect((await harness.run('node1', 'stop')).code, harness.transcript()).toBe(0);
    const lists = { active: nodes, promoted: [], start: ['node1'], promote: ['node1'] };
    expect((await harness.run('node1', 'start')).code, harness.transcript()).toBe(0);
    const promote = await harness.promoteRound(lists);
    expect(promote.code, harness.transcript()).toBe(0);
    expect(await primaryNow()).toBe('node1');
    expect(await lostWrites(instance('node1'), report.acknowledged)).toEqual([]);
    await waitFor('node2 following node1 again', () => streamsFrom('node1', 'node2'));
    await waitFor('node3 following node1 again', () => streamsFrom('node1', 'node3'));
  });

  it('node lost: the election refuses the lagging standby, promotes the most advanced; the old primary rejoins', async () => {
    await cut('node3');
    await waitFor('node3 cut off', async () => !(await streamsFrom('node1', 'node3')));
    const report = await writesFor(300);
    await waitFor('node2 caught up', () => caughtUp('node1', 'node2'));
    await killPostgres('node1');
    // The node is gone without fencing: its instance is in no list, nobody is promoted.
    const survivors = ['node2', 'node3'];
    const lagging = await harness.promoteRound({ active: survivors, promoted: [], promote: ['node3'] });
    expect(lagging.code, harness.transcript()).toBe(1);
    expect(lagging.stderr).toMatch(/ocf-exit-reason:promote of node3 refused: node2 at TL \d+ @ \S+ is ahead of node3/);
    expect(await harness.score('node3')).toBe(-1_000_000);
    expect(await harness.score('node2')).toBe(1001);
    const elected = await harness.promoteRound({ active: survivors, promoted: [], promote: ['node2'] });
    expect(elected.code, harness.transcript()).toBe(0);
    expect(await primaryNow()).toBe('node2');
    expect(await lostWrites(instance('node2'), report.acknowledged)).toEqual([]);
    await restore('node3');
    await waitFor('node3 following node2', () => streamsFrom('node2', 'node3'));
    // The node comes back: its crashed primary held nothing node2 lacks, so it follows the new timeline.
    const probe = await harness.run('node1', 'monitor');
    expect(probe.code, harness.transcript()).toBe(9);
    expect((await harness.run('node1', 'stop')).code).toBe(0);
    const start = await harness.run('node1', 'start');
    expect(start.code, harness.transcript()).toBe(0);
    await waitFor('node1 following node2', () => streamsFrom('node2', 'node1'));
  });

  it('a diverged former primary refuses to start, with the reason, and is left as it was', async () => {
    await waitFor(
      'standbys of node2 streaming',
      async () => (await streamsFrom('node2', 'node1')) && (await streamsFrom('node2', 'node3')),
    );
    const replicated = await writesFor(200);
    await waitFor('node1 caught up', () => caughtUp('node2', 'node1'));
    await waitFor('node3 caught up', () => caughtUp('node2', 'node3'));
    await cut('node1');
    await cut('node3');
    await waitFor(
      'standbys cut off',
      async () => !(await streamsFrom('node2', 'node1')) && !(await streamsFrom('node2', 'node3')),
    );
    // Acknowledged by node2 alone: asynchronous replication loses these with node2, as the model says.
    await writesFor(200);
    await killPostgres('node2');
    const survivors = ['node1', 'node3'];
    const first = await harness.promoteRound({ active: survivors, promoted: [], promote: ['node1'] });
    const elected = first.code === 0 ? 'node1' : 'node3';
    if (first.code !== 0) {
      expect((await harness.promoteRound({ active: survivors, promoted: [], promote: ['node3'] })).code).toBe(0);
    }
    expect(await primaryNow()).toBe(elected);
    expect(await lostWrites(instance(elected), replicated.acknowledged)).toEqual([]);
    expect((await harness.run('node2', 'stop')).code).toBe(0);
    const start = await harness.run('node2', 'start');
    expect(start.code, harness.transcript()).toBe(1);
    expect(start.stderr).toMatch(
      /ocf-exit-reason:start of node2 refused: node2 has diverged from the current timeline \(pg_rewind needed\)/,
    );
    expect(
      await instance('node2')
        .pid()
        .then((pid) => (pid === null ? true : isGone(pid))),
    ).toBe(true);
    expect((await harness.run('node2', 'monitor')).code).toBe(9);
  });
});
