/**
 * Local PostgreSQL 15 instances as the nodes of a cluster on one machine (a primary and streaming standbys
 * that follow whichever node is primary), and what the tests, the benchmark and the demo do to them: who
 * is primary, who streams from whom, cutting and restoring a standby's replication, kill -9 of a
 * postmaster, and a bounded INSERT stream whose acknowledged rows must all survive.
 */
import { readdir, readFile } from 'node:fs/promises';
import {
  copyInstances,
  createInstances,
  followWhicheverIsPrimary,
  type InstanceSet,
  type PostgresInstance,
} from './postgresInstances.ts';
import { prepareTable, WriteLoop, type WriteReport } from './writeLoop.ts';

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

export class LocalPostgres {
  private nextId = 1;

  protected constructor(
    readonly nodes: readonly string[],
    readonly set: InstanceSet,
  ) {}

  static async create(nodes: readonly string[], basePort: number): Promise<LocalPostgres> {
    const set = await createInstances(nodes, basePort);
    try {
      await followWhicheverIsPrimary(set.instances);
      await prepareTable(set.instances);
      return new LocalPostgres(nodes, set);
    } catch (error) {
      await set.dispose();
      throw error;
    }
  }

  /** Instances started from a saved template (postgresInstances.ts `saveInstances`). */
  static async copied(nodes: readonly string[], basePort: number, template: string): Promise<LocalPostgres> {
    return new LocalPostgres(nodes, await copyInstances(nodes, basePort, template));
  }

  instance(node: string): PostgresInstance {
    return this.set.instances.find((each) => each.name === node) as PostgresInstance;
  }

  async primaryNow(): Promise<string | null> {
    for (const node of this.nodes) {
      if (
        (await this.instance(node)
          .query('SELECT pg_is_in_recovery()')
          .catch(() => null)) === 'f'
      )
        return node;
    }
    return null;
  }

  async streamsFrom(primary: string, standby: string): Promise<boolean> {
    const count = await this.instance(primary).query(
      `SELECT count(*) FROM pg_stat_replication WHERE application_name = '${standby}' AND state = 'streaming'`,
    );
    return count === '1';
  }

  /** The standby has replayed everything the primary wrote. */
  async caughtUp(primary: string, standby: string): Promise<boolean> {
    const count = await this.instance(primary).query(
      `SELECT count(*) FROM pg_stat_replication WHERE application_name = '${standby}' AND replay_lsn = pg_current_wal_lsn()`,
    );
    return count === '1';
  }

  /** Polls `check` until it holds. */
  async waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${this.detail()}`);
      await sleep(20);
    }
  }

  /** What a timeout adds to its message. */
  protected detail(): string {
    return '';
  }

  /** Cuts a standby's replication: its primary_conninfo points at a closed port. */
  async cut(node: string): Promise<void> {
    await this.instance(node).query(
      `ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1 user=postgres application_name=${node}'`,
    );
    await this.instance(node).query('SELECT pg_reload_conf()');
  }

  async restore(node: string): Promise<void> {
    await this.instance(node).query('ALTER SYSTEM RESET primary_conninfo');
    await followWhicheverIsPrimary([this.instance(node)], this.set.instances);
  }

  /** Whether a process is gone (a zombie waiting to be reaped counts as gone). */
  async isGone(pid: number): Promise<boolean> {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    return stat === null || /^\d+ \(.*\) [ZX]/.test(stat);
  }

  /** kill -9 of the node's postmaster; its children notice and exit on their own. */
  async killPostgres(node: string): Promise<void> {
    const pid = (await this.instance(node).pid()) as number;
    const children = await childrenOf(pid);
    process.kill(pid, 'SIGKILL');
    await this.waitFor(`${node}'s postgres gone`, async () =>
      (await Promise.all([pid, ...children].map((each) => this.isGone(each)))).every(Boolean),
    );
  }

  /** A node powered off: kill -9 of its postmaster when one runs (a fence device's stand-in). */
  async killIfRunning(node: string): Promise<void> {
    const pid = await this.instance(node).pid();
    if (pid !== null && !(await this.isGone(pid))) await this.killPostgres(node);
  }

  /** Runs `work` under the INSERT stream (from 100 ms before to 100 ms after it). */
  async underWrites<T>(work: () => Promise<T>): Promise<{ result: T; report: WriteReport }> {
    const loop = new WriteLoop(this.set.instances, this.nextId);
    await sleep(100);
    try {
      const result = await work();
      await sleep(100);
      return { result, report: await this.finish(loop) };
    } catch (error) {
      await this.finish(loop);
      throw error;
    }
  }

  /** The INSERT stream alone, for `ms`; it must have acknowledged rows, or "none lost" would prove nothing. */
  async writesFor(ms: number): Promise<WriteReport> {
    const { report } = await this.underWrites(() => sleep(ms));
    if (report.acknowledged.length < 10) throw new Error(`only ${report.acknowledged.length} writes acknowledged`);
    return report;
  }

  private async finish(loop: WriteLoop): Promise<WriteReport> {
    const report = await loop.stop();
    this.nextId = (report.acknowledged.at(-1) ?? this.nextId) + 1000;
    return report;
  }

  async dispose(): Promise<void> {
    await this.set.dispose();
  }
}
