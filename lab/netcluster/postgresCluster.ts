import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
/**
 * A real three-node PostgreSQL cluster under Pacemaker + Corosync on this machine: namespace nodes
 * (NamespaceCluster), one PostgreSQL instance each (nodePostgres), the promotable clone of promigrate's
 * agent or PAF's and the primary address (clusterResources), and a write load through that address
 * (clusterProbe, in the hub). What the scenarios do to it and read from it is here; every command runs
 * inside a node, through the cluster's own tools.
 */

import { parsePromotionScore } from '../../agent/cluster/promotionScores.ts';
import { type ClusterStatus, parseClusterStatus } from '../../src/adapter/clusterStatus.ts';
import { children, parseXmlDocument } from '../../src/adapter/xmlDocument.ts';
import { intentAttribute } from '../../src/policy/intent.ts';
import {
  type ClusterAgent,
  cloneId,
  clusterConstraints,
  clusterResources,
  primitiveId,
  vipId,
} from './clusterResources.ts';
import { cutReplicationLink, healReplicationLink } from './linkFaults.ts';
import { LoadRun } from './loadRun.ts';
import { type ControllerEvent, parseControllerLog } from './moveTrace.ts';
import { NamespaceCluster } from './namespaceCluster.ts';
import {
  pgBin,
  pgData,
  pgSocketDir,
  psql,
  type ReplicationMode,
  recloneStandby,
  setReplicationMode,
  setUpPostgres,
} from './nodePostgres.ts';

export interface PostgresClusterSpec {
  readonly agent: ClusterAgent;
  readonly tag: string;
  readonly subnet: string;
  /** The OCF root with promigrate's agents (dist/ocf). */
  readonly ocfRoot: string;
  /** The bundled client (dist/cluster-probe.js) the write load runs. */
  readonly probe: string;
  readonly catchUpTimeout?: number;
  /**
   * promigrate's standbys follow the VIP (the operator's primary_conninfo) instead of the agent-managed
   * primary_conninfo of the guide's configuration: an extra, for comparison. PAF's always follow the VIP.
   */
  readonly followVip?: boolean;
  /**
   * A stonith device (the namespace nodes' fence agent) and stonith-enabled=true, as production clusters
   * run; false only for an extra scenario without fencing. Default true.
   */
  readonly fencing?: boolean;
  /**
   * The proposed interface: a patched Pacemaker build tree (upstream/pacemaker/build.sh) in every node, and
   * the clone opted in (allow-migrate=promoted), so that a move of the promoted role is migrate_to /
   * migrate_from. Debian's Pacemaker and the emulation without it.
   */
  readonly pacemaker?: string;
}

export interface SettledExpectation {
  readonly primary?: string;
  readonly not?: readonly string[];
  readonly standbys?: number;
  readonly lagging?: readonly string[];
  readonly ms?: number;
}

const refusedStart = (failure: { node: string; task: string; exitReason: string }, node: string) =>
  failure.node === node && failure.task === 'start' && failure.exitReason !== '';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** cibadmin's exit status when the XPath matches nothing (ENXIO). */
const noSuchEntry = 105;
export const clusterNodes = ['node1', 'node2', 'node3'] as const;

/**
 * pacemaker-fenced's line for a fencing action that completed, as every node's fencer logs it (the same id
 * on each): `finalize_op … Operation 'reboot' targeting node1 by node3 for …: OK (complete) | id=df0be60c`.
 * Read from the logs because `stonith_admin --history` did not show the fencing of a partitioned primary
 * late in a long run (it did on a fresh cluster); every fencer logs each completed action.
 */
const fencingDone =
  /^(\w{3} \d{2} \d{2}:\d{2}:\d{2})\.\d+ .*\(finalize_op\).* targeting \S+ .*: OK \(complete\) \| id=(\w+)/;

/** A pacemaker.log time stamp (`Dec 03 11:11:30`, the current year, UTC as the nodes log it). */
function logTime(stamp: string): number {
  return Date.parse(`${stamp} ${new Date().getUTCFullYear()} UTC`);
}

export class PostgresCluster {
  private nextId = 1;

  private constructor(
    readonly spec: PostgresClusterSpec,
    readonly net: NamespaceCluster,
  ) {}

  get vip(): string {
    return `${this.spec.subnet}.100`;
  }

  static async create(spec: PostgresClusterSpec): Promise<PostgresCluster> {
    const net = await NamespaceCluster.create({
      nodes: clusterNodes,
      tag: spec.tag,
      subnet: spec.subnet,
      promigrateOcfRoot: spec.ocfRoot,
      ...(spec.pacemaker === undefined ? {} : { pacemaker: spec.pacemaker }),
    });
    const cluster = new PostgresCluster(spec, net);
    try {
      for (const node of clusterNodes) net.startNode(node);
      await net.waitOnline('node1', clusterNodes);
      await setUpPostgres(net, cluster.vip);
      await cluster.configure();
      await cluster.waitSettled('the first promotion', { ms: 90_000 });
      return cluster;
    } catch (error) {
      // PROMIGRATE_KEEP_CLUSTER=1 leaves a cluster that did not come up running, to look at.
      if (process.env.PROMIGRATE_KEEP_CLUSTER !== '1') await net.dispose();
      throw error;
    }
  }

  private async configure(): Promise<void> {
    const resources = clusterResources({
      agent: this.spec.agent,
      vip: this.vip,
      pgdata: pgData,
      bindir: pgBin,
      socketDir: pgSocketDir,
      logfile: `${pgData}/../server.log`,
      ...(this.spec.catchUpTimeout === undefined ? {} : { catchUpTimeout: this.spec.catchUpTimeout }),
      ...(this.managesConninfo
        ? { nodeHosts: Object.fromEntries(clusterNodes.map((node) => [node, this.net.node(node).address])) }
        : {}),
      fencing: this.fencing ? { map: this.net.fenceMap, nodes: clusterNodes } : null,
      nativeMigration: this.spec.pacemaker !== undefined,
    });
    await this.tool('cibadmin', ['--replace', '--scope', 'resources', '--xml-text', resources]);
    await this.tool('cibadmin', ['--replace', '--scope', 'constraints', '--xml-text', clusterConstraints()]);
    await this.tool('crm_attribute', [
      '--type',
      'crm_config',
      '--name',
      'stonith-enabled',
      '--update',
      String(this.fencing),
    ]);
  }

  /** Whether promigrate's agents manage primary_conninfo (the guide's configuration). */
  get managesConninfo(): boolean {
    return this.spec.agent === 'promigrate' && this.spec.followVip !== true;
  }

  get fencing(): boolean {
    return this.spec.fencing ?? true;
  }

  /** A command-line tool of the cluster's, run on the first online node; a failure is one line. */
  async tool(program: string, args: readonly string[], on?: string): Promise<string> {
    const node = on ?? this.consoleNode();
    const result = await this.net.exec(node, [program, ...args]);
    if (result.exitCode !== 0) {
      const message = String(result.stderr || result.stdout)
        .trim()
        .split('\n')[0];
      throw new Error(`${program} ${args.join(' ')} on ${node}: ${message}`);
    }
    return String(result.stdout);
  }

  private down = new Set<string>();

  private consoleNode(): string {
    return clusterNodes.find((node) => !this.down.has(node)) as string;
  }

  async status(from?: string): Promise<ClusterStatus> {
    const xml = await this.tool('crm_mon', ['--one-shot', '--output-as=xml', '--inactive'], from);
    return parseClusterStatus(xml, primitiveId, vipId);
  }

  /** Polls `check` on the cluster status until it holds. */
  async waitStatus(what: string, check: (status: ClusterStatus) => boolean, ms = 30_000): Promise<ClusterStatus> {
    const deadline = Date.now() + ms;
    let last: ClusterStatus | null = null;
    for (;;) {
      last = await this.status().catch(() => last);
      if (last !== null && check(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last status ${JSON.stringify(last)}`);
      await sleep(100);
    }
  }

  /**
   * One promoted instance (`primary`, when given; never one of `not`) with the address beside it, `standbys`
   * unpromoted instances (every other online node by default), each streaming from it except `lagging`.
   */
  async waitSettled(what: string, expect: SettledExpectation = {}): Promise<string> {
    const { primary, not = [], lagging = [], ms = 30_000 } = expect;
    const status = await this.waitStatus(
      what,
      (each) =>
        each.promoted.length === 1 &&
        (primary === undefined || each.promoted[0] === primary) &&
        !not.includes(each.promoted[0] as string) &&
        each.vip[0] === each.promoted[0] &&
        each.unpromoted.length === (expect.standbys ?? each.online.length - 1),
      ms,
    );
    const promoted = status.promoted[0] as string;
    const followers = status.unpromoted.filter((node) => !lagging.includes(node));
    await this.waitFor(
      `${followers.join(' and ')} to stream from ${promoted}`,
      async () => {
        const streaming = await this.streamingFrom(promoted);
        return followers.every((node) => streaming.includes(node));
      },
      ms,
    );
    return promoted;
  }

  async streamingFrom(primary: string): Promise<string[]> {
    const rows = await psql(
      this.net,
      primary,
      "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'",
    );
    return rows.split('\n').filter(Boolean);
  }

  async waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  // --- the operator's moves ---

  async move(target: string): Promise<void> {
    await this.tool('crm_resource', ['--resource', cloneId, '--move', '--promoted', '--node', target]);
  }

  /** An operator's command line, run by the shell on a node (the guide's pcs and crm lines, as written). */
  async shell(line: string): Promise<void> {
    const result = await this.net.exec(this.consoleNode(), ['sh', '-c', line]);
    if (result.exitCode !== 0) {
      throw new Error(`${line} on ${this.consoleNode()}: exit ${result.exitCode}: ${String(result.stderr).trim()}`);
    }
  }

  async ban(node: string): Promise<void> {
    await this.tool('crm_resource', ['--resource', cloneId, '--ban', '--promoted', '--node', node]);
  }

  async clear(): Promise<void> {
    await this.tool('crm_resource', ['--resource', cloneId, '--clear']);
  }

  async cleanup(): Promise<void> {
    await this.tool('crm_resource', ['--resource', cloneId, '--cleanup']);
  }

  async standby(node: string, on: boolean): Promise<void> {
    await this.tool('crm_attribute', [
      '--node',
      node,
      '--name',
      'standby',
      on ? '--update' : '--delete',
      ...(on ? ['on'] : []),
    ]);
  }

  /** A node's promotion score changed: the cluster aborts its running transition and computes a new one. */
  async changePromotionScore(node: string): Promise<void> {
    const score = (await this.promotionScore(node)) || 1;
    await this.tool('crm_attribute', [
      '--promotion',
      primitiveId,
      '--node',
      node,
      '--update',
      String(score > 1 ? score - 1 : score + 1),
    ]);
  }

  /** The node's promotion score (master-<primitive>), null when it has none. */
  async promotionScore(node: string): Promise<number | null> {
    const text = await this.tool('crm_attribute', [
      '--promotion',
      primitiveId,
      '--node',
      node,
      '--query',
      '--quiet',
    ]).catch(() => '');
    if (text.trim() === '') return null;
    try {
      return parsePromotionScore(text);
    } catch {
      return null;
    }
  }

  /** The transition (from its transition key) of the last non-recurring operation of the clone on `node`. */
  async lastOperation(node: string): Promise<{ operation: string; transition: number; done: boolean }> {
    const id = this.net.node(node).id;
    const query = await this.net.exec(this.consoleNode(), [
      'cibadmin',
      '--query',
      '--xpath',
      `//node_state[@id='${id}']//lrm_resource[@id='${primitiveId}']/lrm_rsc_op[@id='${primitiveId}_last_0']`,
    ]);
    // No such entry (105): the node has no history of the clone yet (just booted, or cleaned up).
    if (query.exitCode === noSuchEntry) return { operation: '', transition: Number.NaN, done: false };
    if (query.exitCode !== 0)
      throw new Error(`cibadmin --query on ${this.consoleNode()}: ${String(query.stderr).trim()}`);
    const { element } = parseXmlDocument(String(query.stdout), 'cibadmin --query --xpath');
    const operation = element.attribute('operation') ?? '';
    // transition-key: action:transition:target-rc:uuid
    const transition = Number((element.attribute('transition-key') ?? '').split(':')[1] ?? Number.NaN);
    // A pending operation is recorded too (op-status -1): done once its result is in (op-status 0).
    const done = element.attribute('op-status') === '0';
    return { operation, transition, done };
  }

  /** The CIB's configuration version, `admin_epoch.epoch`: any change to the configuration raises it. */
  async cibEpoch(): Promise<string> {
    const { element } = parseXmlDocument(await this.tool('cibadmin', ['--query']), 'cibadmin --query');
    return `${element.attribute('admin_epoch') ?? '?'}.${element.attribute('epoch') ?? '?'}`;
  }

  /** The move constraint and the operator's intent, when either is still in the CIB (must be neither). */
  async leftovers(): Promise<string[]> {
    const found: string[] = [];
    const constraints = parseXmlDocument(
      await this.tool('cibadmin', ['--query', '--scope', 'constraints']),
      'cibadmin --query --scope constraints',
    ).element;
    const ids = children(constraints, 'rsc_location').map((location) => location.attribute('id') ?? '');
    if (ids.some((id) => id.startsWith('cli-prefer-') || id.startsWith('cli-ban-')))
      found.push('a cli-prefer/cli-ban constraint');
    const intent = await this.net.exec(this.consoleNode(), [
      'crm_attribute',
      ...intentAttribute(primitiveId),
      '--query',
      '--quiet',
    ]);
    if (intent.exitCode === 0) found.push(`the intent ${String(intent.stdout).trim()}`);
    return found;
  }

  /** promigrate's command (a bundle's path or the installed command), run on a node as an operator would. */
  async promigrate(
    args: readonly string[],
    cli: string,
    on?: string,
  ): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    // A bundle of the checkout is run with this Node; an installed command (/usr/bin/promigrate) as itself.
    const command = cli.endsWith('.js') ? [process.execPath, cli] : [cli];
    const result = await this.net.exec(on ?? this.consoleNode(), [...command, ...args]);
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  // --- faults ---

  /**
   * The standby's replication cut: its node drops every packet it sends to a PostgreSQL port (a firewall
   * rule, as a network fault would; its primary_conninfo, which the agent may rewrite, is left alone), and
   * its WAL receiver is restarted so that the cut holds at once.
   */
  async cutReplication(node: string): Promise<void> {
    await cutReplicationLink(this.net, node);
    const receiver = (await psql(this.net, node, 'SELECT pid FROM pg_stat_wal_receiver')).trim();
    if (/^\d+$/.test(receiver)) await this.tool('kill', [receiver], node);
  }

  /** The cut gone: the standby reconnects on its own (within wal_retrieve_retry_interval). */
  async restoreReplication(node: string): Promise<void> {
    await healReplicationLink(this.net, node);
  }

  /** kill -9 of the node's postmaster (its children exit on their own). */
  async killPostgres(node: string): Promise<void> {
    const pid = (await this.tool('head', ['-1', `${pgData}/postmaster.pid`], node)).trim();
    if (!/^\d+$/.test(pid)) throw new Error(`${node}: no postmaster PID`);
    await this.tool('kill', ['-9', pid], node);
  }

  async killNode(node: string): Promise<void> {
    this.down.add(node);
    await this.net.killNode(node);
  }

  /** The node cut from the others at the hub (a partition): it keeps running until it is fenced. */
  async partition(node: string): Promise<void> {
    this.down.add(node);
    await this.net.cutLink(node, true);
  }

  /**
   * Waits until the cluster has nothing left to do (`crm_resource --wait`: no transition in progress, none
   * pending), bounded; false when it did not settle in time.
   */
  async transitionsDone(ms: number): Promise<boolean> {
    return this.tool('crm_resource', ['--wait', `--timeout=${Math.ceil(ms / 1000)}s`]).then(
      () => true,
      () => false,
    );
  }

  /** The partition is over before anyone fenced the node: its link is up again. */
  async healPartition(node: string): Promise<void> {
    await this.net.cutLink(node, false);
    this.down.delete(node);
  }

  /** Whether the node runs anything (a fenced or killed node runs nothing until booted). */
  isPoweredOn(node: string): Promise<boolean> {
    return this.net.isPoweredOn(node);
  }

  /** kill -9 of one of the node's cluster daemons (pacemakerd starts it again). */
  async killDaemon(node: string, comm: string): Promise<number> {
    const pids = await this.net.pidsOf(node, comm);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    return pids.length;
  }

  /** The node's Pacemaker stack stopped cleanly (its resources first) and started again, without a reboot. */
  async restartPacemaker(node: string): Promise<void> {
    this.down.add(node);
    await this.net.stopPacemaker(node);
    this.net.startNode(node);
    this.down.delete(node);
    await this.net.waitOnline(
      node,
      clusterNodes.filter((each) => !this.down.has(each)),
    );
  }

  /** The fence device powered the node off (nothing of it runs); its link at the hub is mended for the boot. */
  async waitFenced(node: string, ms = 60_000): Promise<void> {
    await this.waitFor(`${node} powered off by fencing`, async () => !(await this.net.isPoweredOn(node)), ms);
    await this.net.cutLink(node, false);
  }

  /**
   * Successful fencing actions completed since `since` (ms since the epoch), from the cluster's fencing
   * history (stonith_admin --history). By time, not by count: the history a node holds changes as fenced
   * nodes come back and the nodes exchange it.
   */
  async fenceEventsSince(since: number): Promise<number> {
    const ids = new Set<string>();
    for (const log of await this.pacemakerLogs()) {
      for (const line of log.split('\n')) {
        const done = fencingDone.exec(line);
        if (done !== null && logTime(done[1] as string) >= Math.floor(since / 1000) * 1000) ids.add(done[2] as string);
      }
    }
    return ids.size;
  }

  /** What every node's controller logged of its actions (moveTrace.ts), in time order. */
  async controllerEvents(): Promise<ControllerEvent[]> {
    const year = new Date().getUTCFullYear();
    const logs = await this.pacemakerLogs();
    return logs.flatMap((log) => parseControllerLog(log, year)).sort((a, b) => a.at - b.at);
  }

  /** Every node's pacemaker.log as it is now (empty for a node whose log cannot be read). */
  private pacemakerLogs(): Promise<string[]> {
    return Promise.all(
      clusterNodes.map((node) =>
        readFile(join(this.net.node(node).dir, '/var/log/pacemaker/pacemaker.log'), 'utf8').catch(() => ''),
      ),
    );
  }

  /** Every node's replication mode (nodePostgres.setReplicationMode); kept for nodes recloned later. */
  async setReplicationMode(mode: ReplicationMode): Promise<void> {
    this.mode = mode;
    await setReplicationMode(this.net, mode);
  }

  replicationMode: () => ReplicationMode = () => this.mode;
  private mode: ReplicationMode = 'sync';

  /** Promotion scores as they could be left by the last monitors: hints that may be stale. */
  async setPromotionScores(scores: Readonly<Record<string, number>>): Promise<void> {
    for (const [node, score] of Object.entries(scores)) {
      await this.tool('crm_attribute', ['--promotion', primitiveId, '--node', node, '--update', String(score)]);
    }
  }

  /** The clone's migration-threshold meta-attribute, or the default again (null). */
  async migrationThreshold(value: number | null): Promise<void> {
    const name = 'migration-threshold';
    const change =
      value === null ? ['--delete-parameter', name] : ['--set-parameter', name, '--parameter-value', String(value)];
    await this.tool('crm_resource', ['--resource', cloneId, '--meta', ...change]);
  }

  /**
   * Pacemaker stopped on every node at once (SIGTERM to pacemakerd: resources stopped cleanly, the primary
   * demoted first), then started again on every node, without a reboot: /run stays as it was.
   */
  async restartAll(): Promise<void> {
    await Promise.all(clusterNodes.map((node) => this.net.stopPacemaker(node)));
    for (const node of clusterNodes) this.net.startNode(node);
    await this.net.waitOnline('node1', clusterNodes);
  }

  async bootNode(node: string): Promise<void> {
    await this.net.bootNode(node);
    this.down.delete(node);
    await this.net.waitOnline(
      node,
      clusterNodes.filter((each) => !this.down.has(each)),
    );
  }

  // --- the write load and what it proves ---

  /** The write load (and the sampler) through the primary address, from the hub; one INSERT every `writeIntervalMs`. */
  startLoad(writeIntervalMs = 2): LoadRun {
    const probe = this.spec.probe;
    const nodes = Object.fromEntries(this.net.nodes.map((node) => [node.name, node.address]));
    const run = new LoadRun(
      this.net.spawnInHub([
        process.execPath,
        probe,
        JSON.stringify({ vip: this.vip, nodes, firstId: this.nextId, writeIntervalMs, sampleIntervalMs: 10 }),
      ]),
    );
    this.nextId += 1_000_000;
    return run;
  }

  /** The acknowledged ids missing on `primary` (must be none). */
  async lostWrites(primary: string, acknowledged: readonly number[]): Promise<number[]> {
    const rows = await psql(this.net, primary, 'SELECT id FROM promigrate_writes');
    const present = new Set(rows.split('\n').filter(Boolean).map(Number));
    return acknowledged.filter((id) => !present.has(id));
  }

  /**
   * Which of `ids` some node other than `primary` holds, among the nodes still running (a hot standby
   * answers reads; a node that is down holds nothing anyone can promote).
   */
  async heldBySurvivors(primary: string | null, ids: readonly number[]): Promise<Set<number>> {
    const held = new Set<number>();
    if (ids.length === 0) return held;
    const wanted = new Set(ids);
    for (const node of clusterNodes) {
      if (node === primary || this.down.has(node)) continue;
      const rows = await psql(this.net, node, 'SELECT id FROM promigrate_writes').catch(() => '');
      for (const id of rows.split('\n').filter(Boolean).map(Number)) if (wanted.has(id)) held.add(id);
    }
    return held;
  }

  /**
   * A node that came back after a kill: it rejoins as a standby, or its agent refuses it cleanly (it wrote
   * what nobody received: diverged). Then the operator re-clones it from the primary and cleans it up.
   * Returns the refusal, or null when it rejoined by itself.
   */
  async rejoin(node: string): Promise<string | null> {
    const status = await this.waitStatus(
      `${node} rejoined or refused`,
      (each) =>
        each.promoted.length === 1 &&
        each.promoted[0] !== node &&
        (each.unpromoted.includes(node) || each.failures.some((failure) => refusedStart(failure, node))),
      60_000,
    );
    // The probe after the boot reports the crashed instance it finds: that is no refusal, the start decides.
    const refusal = status.unpromoted.includes(node)
      ? undefined
      : status.failures.find((failure) => refusedStart(failure, node));
    if (refusal !== undefined) {
      await recloneStandby(this.net, node, status.promoted[0] as string, this.vip);
      await this.cleanup();
    }
    await this.waitSettled(`${node} streaming again`, { ms: 60_000 });
    return refusal?.exitReason ?? null;
  }

  async dispose(): Promise<void> {
    await this.net.dispose();
  }
}
