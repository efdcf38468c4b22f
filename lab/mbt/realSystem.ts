/**
 * The real system a model path runs on: local PostgreSQL 15 instances as the nodes of a promotable clone
 * of `ocf:promigrate:pgsql`, played by the executor with Pacemaker's own scheduler. It offers what the
 * model's events stand for — faults made for real (kill -9, a cut replication link, a lost node), writes,
 * the operator's intent — the cluster operations that steer the scheduler (a promoted-role preference,
 * bans, holding the clone unpromoted), and what a check needs to see (who is writable, who streams).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parsePromotionScore } from '../../agent/cluster/promotionScores.ts';
import { observeSql, parseServerRow, type ServerRow } from '../../agent/pgsql/postgres.ts';
import { positionAttribute, recordAttribute } from '../../agent/promotable/clusterAccess.ts';
import { parseLsn } from '../../models/position.ts';
import { parseClusterStatus } from '../../src/adapter/clusterStatus.ts';
import type { GraphAction } from '../../src/adapter/transitionGraph.ts';
import { attribute, child, children, parseXmlDocument } from '../../src/adapter/xmlDocument.ts';
import { formatIntent, intentAttribute } from '../../src/policy/intent.ts';
import type { ExecutedAction } from '../executor/controller.ts';
import { type LocalCluster, localCluster } from '../executor/localCluster.ts';
import type { SchedulerInterface } from '../executor/schedulerInterface.ts';
import { LocalPostgres } from '../local/localPostgres.ts';
import { pgsqlCloneResources } from '../local/pgsqlClone.ts';
import { followWhicheverIsPrimary, saveInstances } from '../local/postgresInstances.ts';

const clone = 'pgsql-ha';
const primitive = 'pgsql';
/** migrate_from's catch-up bound: long enough for a fault to be made while the target waits. */
const catchUpSeconds = '2';

/** The bootstrapped instances' data directories, per node set and ports, saved once per process. */
const templates = new Map<string, string>();

/**
 * The model's bootstrap: every node a standby with the same end of WAL. The first one is created as a
 * primary, shut down cleanly (its standbys receive the shutdown checkpoint) and restarted as a standby.
 * That takes initdb and base backups; it is done once per node set, the stopped data directories saved,
 * and every path starts from copies of them (the first too: it restarts from the saved files' state).
 */
async function bootstrapped(nodes: readonly string[], basePort: number): Promise<LocalPostgres> {
  const key = `${nodes.join(',')}@${basePort}`;
  const saved = templates.get(key);
  if (saved !== undefined) return LocalPostgres.copied(nodes, basePort, saved);
  const postgres = await LocalPostgres.create(nodes, basePort);
  try {
    const first = postgres.instance(nodes[0] as string);
    for (const node of nodes.slice(1))
      await postgres.waitFor(`${node} streaming`, () => postgres.caughtUp(first.name, node));
    await first.stop('fast');
    await first.followOnStart(postgres.instance(nodes[1] as string));
    await first.start();
    await followWhicheverIsPrimary([first], postgres.set.instances);
    for (const instance of postgres.set.instances) await instance.stop('fast');
    const template = await mkdtemp(join(tmpdir(), 'promigrate-template-'));
    // Removed by the suite when it ends (disposeTemplates); at the latest when the process exits.
    process.once('exit', () => rmSync(template, { recursive: true, force: true }));
    await saveInstances(postgres.set.instances, template);
    templates.set(key, template);
    await Promise.all(postgres.set.instances.map((instance) => instance.start()));
    return postgres;
  } catch (error) {
    await postgres.dispose();
    throw error;
  }
}

/** Removes the saved bootstraps (the suite's end: a test runner's worker may be ended without an exit event). */
export async function disposeTemplates(): Promise<void> {
  for (const template of templates.values()) await rm(template, { recursive: true, force: true });
  templates.clear();
}

export interface RealSystemHooks {
  onAction(executed: ExecutedAction): Promise<void>;
  onAgentLine(action: GraphAction, line: string): void;
}

export class RealSystem {
  private nextId = 1;
  readonly acknowledged: number[] = [];

  private constructor(
    readonly nodes: readonly string[],
    readonly postgres: LocalPostgres,
    readonly cluster: LocalCluster,
    /** Whose scheduler plans the transitions: the operations a promoted-role move is carried out by. */
    readonly scheduler: SchedulerInterface,
  ) {}

  /**
   * Fresh instances that are all standbys with the same end of WAL (the model's bootstrap), see
   * `bootstrapped`. The clone starts held unpromoted; the probes find the running standbys.
   */
  static async create(
    nodes: readonly string[],
    basePort: number,
    scheduler: SchedulerInterface,
    hooks: RealSystemHooks,
  ): Promise<RealSystem> {
    const postgres = await bootstrapped(nodes, basePort);
    let cluster: LocalCluster | null = null;
    try {
      cluster = await localCluster({
        nodes,
        scheduler,
        resources: pgsqlCloneResources(
          postgres.set.instances,
          { catch_up_timeout: catchUpSeconds },
          scheduler.cloneMeta,
        ),
        promigrateOcfRoot: resolve('dist/ocf'),
        onAction: (executed) => hooks.onAction(executed),
        onAgentLine: (action, line) => hooks.onAgentLine(action, line),
        // Fencing on, as production runs: a lost node is fenced (its instance is already dead).
        powerOff: (node) => postgres.killIfRunning(node),
      });
      const system = new RealSystem(nodes, postgres, cluster, scheduler);
      await system.hold(true);
      return system;
    } catch (error) {
      await cluster?.dispose();
      await postgres.dispose();
      throw error;
    }
  }

  get controller() {
    return this.cluster.controller;
  }

  private tool(command: string, args: readonly string[]): Promise<string> {
    return this.controller.tool(command, args);
  }

  // --- steering the scheduler ---

  /** Holding the clone unpromoted (target-role): no promotion is scheduled while no step asks for one. */
  async hold(on: boolean): Promise<void> {
    const base = ['--resource', clone, '--meta'];
    if (on)
      await this.tool('crm_resource', [...base, '--set-parameter', 'target-role', '--parameter-value', 'Unpromoted']);
    else await this.tool('crm_resource', [...base, '--delete-parameter', 'target-role']).catch(() => '');
  }

  /** The promoted role preferred on `node` (what `crm_resource --move --promoted` creates), or on no node. */
  async preferPromoted(node: string | null): Promise<void> {
    await this.tool('cibadmin', ['--delete', '--xml-text', '<rsc_location id="mbt-promoted"/>']).catch(() => '');
    if (node === null) return;
    await this.tool('cibadmin', [
      '--create',
      '--scope',
      'constraints',
      '--xml-text',
      `<rsc_location id="mbt-promoted" rsc="${clone}" role="Promoted" node="${node}" score="INFINITY"/>`,
    ]);
  }

  /** Keeps the clone off `node` (its instance stays down) or lets it run there again. */
  async ban(node: string, on: boolean): Promise<void> {
    const id = `mbt-ban-${node}`;
    await this.tool('cibadmin', ['--delete', '--xml-text', `<rsc_location id="${id}"/>`]).catch(() => '');
    if (!on) return;
    await this.tool('cibadmin', [
      '--create',
      '--scope',
      'constraints',
      '--xml-text',
      `<rsc_location id="${id}" rsc="${clone}" node="${node}" score="-INFINITY"/>`,
    ]);
  }

  /**
   * The source of a promoted-role migration Pacemaker's history shows half-done (proposal §5.2, as the patched
   * scheduler reads it): a successful migrate_to (recorded under its own id, as the controller keeps
   * migration history) newer than every other operation of the clone on its node, and on its target no
   * operation newer than it. Newer is by call-id, which this executor numbers across all nodes. Null when
   * there is none.
   */
  async halfDoneMigrationSource(): Promise<string | null> {
    const cib = parseXmlDocument(await readFile(this.cluster.cib, 'utf8'), this.cluster.cib).element;
    const entries = new Map<string, { id: string; call: number; rc: string; target: string | undefined }[]>();
    for (const state of children(child(cib, 'status'), 'node_state')) {
      const resources = child(child(state, 'lrm'), 'lrm_resources');
      const resource = children(resources, 'lrm_resource').find((each) => attribute(each, 'id') === primitive);
      const nonRecurring = children(resource, 'lrm_rsc_op').filter((op) => attribute(op, 'interval') === '0');
      entries.set(
        attribute(state, 'uname') ?? attribute(state, 'id') ?? '',
        nonRecurring.map((op) => ({
          id: attribute(op, 'id') ?? '',
          call: Number(attribute(op, 'call-id') ?? '-1'),
          rc: attribute(op, 'rc-code') ?? '',
          target: attribute(op, 'migrate_target'),
        })),
      );
    }
    const newest = (node: string) => Math.max(-1, ...(entries.get(node) ?? []).map((entry) => entry.call));
    for (const [node, ops] of entries) {
      const migrateTo = ops.find((op) => op.id === `${primitive}_migrate_to_0`);
      if (migrateTo === undefined || migrateTo.rc !== '0' || migrateTo.target === undefined) continue;
      if (migrateTo.call === newest(node) && newest(migrateTo.target) < migrateTo.call) return node;
    }
    return null;
  }

  /**
   * `crm_resource --refresh --resource pgsql --node NODE` as the controller carries it out: the resource's
   * history on the node erased (with it a migrate_to the scheduler would complete), its recurring operations
   * cancelled, and the next transition probes it again.
   */
  async refreshHistory(node: string): Promise<void> {
    await this.controller.erase(`//node_state[@id='${node}']//lrm_resource[@id='${primitive}']`);
    this.controller.forgetResource(node, primitive);
  }

  /** A transient attribute change: the controller aborts the running transition, as a score update does. */
  async splitTransition(node: string): Promise<void> {
    await this.tool('crm_attribute', [
      '--node',
      node,
      '--lifetime',
      'reboot',
      '--name',
      'mbt-split',
      '--update',
      String(this.nextId++),
    ]);
  }

  // --- the world's events ---

  /**
   * Acknowledged INSERTs through the primary. The standbys receive them as replication goes (natural lag);
   * `awaitReceived` waits where a step depends on what they hold.
   */
  async write(primary: string, rows = 20): Promise<void> {
    const instance = this.postgres.instance(primary);
    const first = this.nextId;
    this.nextId += rows;
    await instance.query(`INSERT INTO promigrate_writes (id) SELECT generate_series(${first}, ${first + rows - 1})`);
    for (let id = first; id < first + rows; id++) this.acknowledged.push(id);
  }

  /** Every one of `standbys` has received (flushed) all the primary has written so far. */
  async awaitReceived({ primary, standbys }: { primary: string | null; standbys: readonly string[] }): Promise<void> {
    if (primary === null || standbys.length === 0) return;
    const instance = this.postgres.instance(primary);
    const written = await instance.query('SELECT pg_current_wal_lsn()').catch(() => null);
    if (written === null) return;
    for (const node of standbys) {
      await this.postgres.waitFor(
        `${node} to receive ${primary}'s WAL up to ${written}`,
        async () =>
          (await instance.query(
            `SELECT count(*) FROM pg_stat_replication WHERE application_name = '${node}' AND flush_lsn >= '${written}'`,
          )) === '1',
        10_000,
      );
    }
  }
  /** Rows acknowledged by an INSERT stream of the test's own (the write loop during a switchover). */
  noteAcknowledged(ids: readonly number[]): void {
    this.acknowledged.push(...ids);
    this.nextId = Math.max(this.nextId, (ids.at(-1) ?? 0) + 1000);
  }

  takeIds(): number {
    const id = this.nextId;
    this.nextId += 100_000;
    return id;
  }

  cut(node: string): Promise<void> {
    return this.postgres.cut(node);
  }

  /**
   * The link is back. With a primary the standby follows it again; while none is promoted (a switchover in
   * progress) it streams from the hand-over's source, which cascades its WAL up to the shutdown checkpoint.
   */
  async restore(node: string, upstream: string | null): Promise<void> {
    if (upstream === null) {
      await this.postgres.restore(node);
      return;
    }
    const source = this.postgres.instance(upstream);
    await this.postgres.instance(node).query(`ALTER SYSTEM SET primary_conninfo = '${source.conninfoFor(node)}'`);
    await this.postgres.instance(node).query('SELECT pg_reload_conf()');
  }

  /** Standbys that were pointed at one upstream follow whichever node is primary again. */
  async followPrimary(nodes: readonly string[]): Promise<void> {
    const running = [];
    for (const node of nodes) if (await this.isRunning(node)) running.push(this.postgres.instance(node));
    await followWhicheverIsPrimary(running, this.postgres.set.instances);
  }

  /**
   * Stops the standbys' WAL receivers (SIGSTOP) until the returned function resumes them: a primary's clean
   * shutdown waits until its standbys confirm the shutdown checkpoint, so a fault can be made while the
   * source of a migrate_to is still shutting down — at that point, not whenever the race would put it.
   */
  async stallReceivers(nodes: readonly string[]): Promise<{ resume: () => void; receivers: Map<string, number> }> {
    const pids: number[] = [];
    const receivers = new Map<string, number>();
    for (const node of nodes) {
      if (!(await this.isRunning(node))) continue;
      const pid = Number(
        await this.postgres
          .instance(node)
          .query('SELECT pid FROM pg_stat_wal_receiver')
          .catch(() => ''),
      );
      if (Number.isInteger(pid) && pid > 0) {
        process.kill(pid, 'SIGSTOP');
        pids.push(pid);
        receivers.set(node, pid);
      }
    }
    const resume = () => {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {}
      }
    };
    return { resume, receivers };
  }

  /**
   * Cuts a standby whose WAL receiver is stalled: resumed, the receiver would first write what already sits
   * in its socket (the shutdown checkpoint); killed, that is lost with it, and the standby's postmaster
   * restarts its processes with the cut link. The instance keeps running as a standby.
   */
  async cutStalled(node: string, receiver: number): Promise<void> {
    await this.cut(node);
    try {
      process.kill(receiver, 'SIGKILL');
    } catch {}
  }

  async killInstance(node: string): Promise<void> {
    await this.postgres.killIfRunning(node);
  }

  async loseNode(node: string): Promise<void> {
    await this.killInstance(node);
    await this.cluster.failNode(node);
  }

  joinNode(node: string): Promise<void> {
    return this.cluster.joinNode(node);
  }

  async setIntent(target: string, expiresAtMs: number): Promise<void> {
    await this.tool('crm_attribute', [...intentAttribute(primitive), '--update', formatIntent(target, expiresAtMs)]);
  }

  // --- what the checks see ---

  async isRunning(node: string): Promise<boolean> {
    const pid = await this.postgres.instance(node).pid();
    return pid !== null && !(await this.postgres.isGone(pid));
  }

  async writable(): Promise<string[]> {
    const found: string[] = [];
    for (const node of this.nodes) {
      const answer = await this.postgres
        .instance(node)
        .query('SELECT pg_is_in_recovery()')
        .catch(() => null);
      if (answer === 'f') found.push(node);
    }
    return found;
  }

  async inRecovery(node: string): Promise<boolean> {
    return (
      (await this.postgres
        .instance(node)
        .query('SELECT pg_is_in_recovery()')
        .catch(() => null)) === 't'
    );
  }

  async timeline(node: string): Promise<number> {
    const text = await this.postgres.instance(node).query('SELECT timeline_id FROM pg_control_checkpoint()');
    return Number(text);
  }

  /**
   * Where Pacemaker sees the promoted role and does not know it failed (crm_mon's view of the status). An
   * instance on a node that is not online does not hold it: with fencing, a lost node stays listed as
   * "Promoted (UNCLEAN)" until the fencing that the next transition starts with, and Pacemaker knows it lost.
   */
  async promotedInCib(): Promise<string[]> {
    const xml = await this.tool('crm_mon', ['--one-shot', '--output-as=xml']).catch(() => '');
    try {
      const status = parseClusterStatus(xml, 'pgsql', '');
      return status.promoted.filter((node) => status.online.includes(node));
    } catch {
      return [];
    }
  }

  /** The postmaster's PID, to freeze it at the moment a fault must fall. */
  postmasterPid(node: string): Promise<number | null> {
    return this.postgres.instance(node).pid();
  }

  /** Acknowledged rows missing on `node`. */
  async missingRows(node: string): Promise<number[]> {
    if (this.acknowledged.length === 0) return [];
    const text = await this.postgres.instance(node).query(`SELECT string_agg(id::text, ',') FROM promigrate_writes`);
    const present = new Set(text.split(',').filter(Boolean).map(Number));
    return this.acknowledged.filter((id) => !present.has(id));
  }

  /** The node's true end of WAL as the agents read it (one observe query); null when it does not answer. */
  async position(node: string): Promise<ServerRow | null> {
    const line = await this.postgres
      .instance(node)
      .query(observeSql)
      .catch(() => null);
    if (line === null) return null;
    try {
      return parseServerRow(line);
    } catch {
      return null;
    }
  }

  /**
   * Where each timeline of `node`'s history ended (its newest .history file): timeline → the LSN where the
   * next one forked off it. Read from the data directory, as pg_rewind would.
   */
  async timelineEnds(node: string, timeline: number): Promise<Map<number, number>> {
    const name = `${timeline.toString(16).toUpperCase().padStart(8, '0')}.history`;
    const text = await readFile(join(this.postgres.instance(node).dataDir, 'pg_wal', name), 'utf8').catch(() => '');
    const ends = new Map<number, number>();
    for (const line of text.split('\n')) {
      const match = /^(\d+)\s+([0-9A-F]+\/[0-9A-F]+)/i.exec(line.trim());
      if (match !== null) ends.set(Number(match[1]), parseLsn(match[2] as string));
    }
    return ends;
  }

  /**
   * What the agents published through the attrd double: each node's record (`promigrate-pgsql`) and
   * election position (`promigrate-position-pgsql`), as the files pacemaker-attrd's stand-in keeps.
   */
  async published(): Promise<Map<string, { record: string | null; position: string | null }>> {
    const found = new Map<string, { record: string | null; position: string | null }>();
    for (const node of this.nodes) {
      const read = (name: string) => readFile(join(this.cluster.dir, 'attrd', node, name), 'utf8').catch(() => null);
      found.set(node, {
        record: await read(recordAttribute(primitive)),
        position: await read(positionAttribute(primitive)),
      });
    }
    return found;
  }

  /** Each node's promotion score in the CIB (`master-pgsql`), null where none is set. */
  async promotionScores(): Promise<Map<string, number | null>> {
    const scores = new Map<string, number | null>();
    for (const node of this.nodes) {
      const text = await this.tool('crm_attribute', [
        ...['--name', `master-${primitive}`, '--lifetime', 'reboot', '--node', node, '--query', '--quiet'],
      ]).catch((error) => {
        // No such attribute (105) is no score; any other failure is not an answer.
        if ((error as { exitCode?: number }).exitCode === 105) return null;
        throw error;
      });
      scores.set(node, text === null || text.trim() === '' ? null : parsePromotionScore(text));
    }
    return scores;
  }

  /** The operator's intent property as stored (null when there is none). */
  async intentText(): Promise<string | null> {
    return this.tool('crm_attribute', [...intentAttribute(primitive), '--query', '--quiet']).catch((error) => {
      if ((error as { exitCode?: number }).exitCode === 105) return null;
      throw error;
    });
  }

  async serverLogTail(node: string, lines = 15): Promise<string> {
    const text = await readFile(`${this.postgres.instance(node).home}/server.log`, 'utf8').catch(() => '');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  }

  async dispose(): Promise<void> {
    await this.cluster.dispose();
    await this.postgres.dispose();
  }
}
