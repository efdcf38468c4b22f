/**
 * The chaos campaign on the real three-node cluster with fencing: one write load through the primary
 * address for the whole run (every acknowledged row recorded, every node's writability sampled), and the
 * planned events one after the other — controlled switchovers, and faults made by the nemesis (with a
 * switchover in flight or not). After each event the campaign waits for a primary, checks that no
 * acknowledged write is missing on it (a loss is inevitable only if no surviving node had the rows, and
 * only with asynchronous replication), brings fenced nodes back (booted; re-cloned when their agent refuses
 * them as diverged) and waits for the cluster to be whole again: one primary, every other node streaming
 * from it. Bounded in time; a progress line per event.
 */
import type { LoadRun } from '../netcluster/loadRun.ts';
import type { ReplicationMode } from '../netcluster/nodePostgres.ts';
import { clusterNodes, type PostgresCluster } from '../netcluster/postgresCluster.ts';
import type { PlannedEvent, PlannedFault } from './chaosPlan.ts';
import type { EventRecord } from './chaosRecord.ts';
import {
  type FaultEnvironment,
  type Injection,
  injectFault,
  type Roles,
  type SwitchoverInFlight,
  startSwitchover,
} from './nemesis.ts';
import type { SeededRandom } from './seededRandom.ts';

/** How long the cluster may take to have a primary again, and to be whole again, after an event. */
const primaryBoundMs = 90_000;
const wholeBoundMs = 150_000;

export interface CampaignOptions {
  readonly cluster: PostgresCluster;
  readonly random: SeededRandom;
  readonly cli: string;
  readonly events: readonly PlannedEvent[];
  /** The campaign stops starting events after this (ms since the epoch). */
  readonly deadline: number;
  readonly onEvent?: (record: EventRecord, total: number, load: LoadRun) => void;
}

export interface CampaignRun {
  readonly records: EventRecord[];
  readonly load: LoadRun;
  /** Why the campaign stopped early (the time bound, a cluster that did not come back), or null. */
  readonly stoppedEarly: string | null;
}

async function roles(cluster: PostgresCluster): Promise<Roles> {
  const primary = await cluster.waitSettled('a whole cluster before the event', { ms: wholeBoundMs });
  return { primary, standbys: clusterNodes.filter((node) => node !== primary) };
}

/** The acknowledged rows missing on `primary` that no earlier check counted, split by who else has them. */
class WriteLedger {
  private readonly counted = new Set<number>();

  constructor(
    private readonly cluster: PostgresCluster,
    private readonly load: LoadRun,
  ) {}

  async check(primary: string): Promise<{ lost: number; inevitable: number }> {
    const acknowledged = this.load.soFar.map((ack) => ack.id);
    const missing = (await this.cluster.lostWrites(primary, acknowledged)).filter((id) => !this.counted.has(id));
    for (const id of missing) this.counted.add(id);
    const held = await this.cluster.heldBySurvivors(primary, missing);
    const lost = missing.filter((id) => held.has(id)).length;
    return { lost, inevitable: missing.length - lost };
  }
}

/**
 * The primary after an event, and the rows it lacks. Pacemaker may still list a primary whose postgres just
 * died (no monitor has run since): the rows are read from a primary that answers, retried until one does.
 */
async function checkedPrimary(
  cluster: PostgresCluster,
  ledger: WriteLedger,
): Promise<{ primary: string; losses: { lost: number; inevitable: number } }> {
  const deadline = Date.now() + primaryBoundMs;
  for (;;) {
    try {
      const status = await cluster.waitStatus(
        'a primary after the event',
        (each) => each.promoted.length === 1 && each.vip[0] === each.promoted[0],
        Math.max(1000, deadline - Date.now()),
      );
      const primary = status.promoted[0] as string;
      return { primary, losses: await ledger.check(primary) };
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** A partition ends: healed when the node was not fenced meanwhile; a fenced node is left for the recovery. */
async function endPartition(cluster: PostgresCluster, node: string): Promise<string> {
  if (!(await cluster.isPoweredOn(node))) return `${node} fenced`;
  await cluster.healPartition(node);
  // The others may have decided to fence it just before the heal: give the fencing its moment.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  return (await cluster.isPoweredOn(node)) ? `${node}'s partition healed before fencing` : `${node} fenced`;
}

/** Fenced nodes booted and rejoined (or re-cloned), the move constraint gone, failures cleaned up. */
async function makeWhole(cluster: PostgresCluster, notes: string[]): Promise<void> {
  for (const node of clusterNodes) {
    if (await cluster.isPoweredOn(node)) continue;
    await cluster.waitFenced(node, 5_000).catch(() => undefined);
    await cluster.bootNode(node);
    const refused = await cluster.rejoin(node);
    notes.push(refused === null ? `${node} booted and rejoined` : `${node} booted, refused (${refused}), re-cloned`);
  }
  await cluster.clear().catch(() => undefined);
  await cluster.cleanup().catch(() => undefined);
}

/** A node whose instance stays stopped or failed after the cleanup: re-cloned from the primary (the operator's fix). */
async function repair(cluster: PostgresCluster, notes: string[]): Promise<void> {
  const status = await cluster.status();
  const primary = status.promoted[0];
  if (primary === undefined) return;
  const streaming = await cluster.streamingFrom(primary).catch(() => [] as string[]);
  for (const node of clusterNodes.filter((each) => each !== primary && !streaming.includes(each))) {
    const refused = await cluster.rejoin(node).catch((error: Error) => error.message);
    notes.push(`${node} repaired (${refused ?? 'rejoined after cleanup'})`);
  }
}

async function runEvent(
  options: CampaignOptions,
  ledger: WriteLedger,
  event: PlannedEvent,
  index: number,
  mode: ReplicationMode,
): Promise<EventRecord> {
  const { cluster, random } = options;
  const env: FaultEnvironment = { cluster, random, cli: options.cli };
  const before = await roles(cluster);
  const startedAt = Date.now();
  const notes: string[] = [];
  const fault = event.type === 'fault' ? (event as PlannedFault) : null;
  const command = event.type === 'switchover' ? event.command : (fault?.switchover ?? null);
  const target = command === null ? null : random.pick(before.standbys);
  const inFlight: SwitchoverInFlight | null =
    command === null || target === null ? null : startSwitchover(env, target, command);
  let injection: Injection = { victim: null, where: 'switchover only', partitioned: null };
  let faultAt: number | null = null;
  let reason: string | null = null;
  if (fault !== null) {
    faultAt = Date.now();
    injection = await injectFault(env, fault, before, inFlight).catch((error: Error) => {
      reason = `the fault could not be made: ${error.message}`;
      return { victim: null, where: reason, partitioned: null };
    });
    if (injection.partitioned !== null) notes.push(await endPartition(cluster, injection.partitioned));
  }
  const finished = inFlight === null ? null : await inFlight.finished;
  // Whatever the event set going (a move, a recovery, fencing) runs to its end before anything is judged.
  if (!(await cluster.transitionsDone(primaryBoundMs))) notes.push('the cluster was still busy after 90 s');
  let primaryAfter: string | null = null;
  let losses = { lost: 0, inevitable: 0 };
  try {
    ({ primary: primaryAfter, losses } = await checkedPrimary(cluster, ledger));
  } catch (error) {
    reason ??= `no primary within ${primaryBoundMs / 1000} s: ${(error as Error).message.slice(0, 300)}`;
  }
  let recovered = false;
  try {
    await makeWhole(cluster, notes);
    primaryAfter = await cluster.waitSettled('the cluster whole again', { ms: wholeBoundMs });
    recovered = reason === null;
  } catch (error) {
    reason ??= `not whole within ${wholeBoundMs / 1000} s: ${(error as Error).message.slice(0, 300)}`;
    await repair(cluster, notes).catch((repairError: Error) => notes.push(`repair failed: ${repairError.message}`));
  }
  const recoveredAt = Date.now();
  if (primaryAfter !== null) {
    const later = await ledger.check(primaryAfter).catch(() => ({ lost: 0, inevitable: 0 }));
    losses = { lost: losses.lost + later.lost, inevitable: losses.inevitable + later.inevitable };
  }
  const outcome = inFlight === null ? null : primaryAfter === inFlight.target ? 'switched' : ('refused' as const);
  if (finished !== null && outcome === 'refused') notes.push(`refused: ${finished.output.slice(0, 300)}`);
  if (finished !== null && finished.exitCode !== 0 && outcome === 'switched')
    notes.push(`the ${command} command failed, yet the role moved: ${finished.output.slice(0, 200)}`);
  return {
    index,
    plan: event,
    mode,
    primaryBefore: before.primary,
    victim: injection.victim,
    target,
    startedAt,
    faultAt,
    where: injection.where,
    primaryAfter,
    recovered,
    recoveredAt,
    reason,
    switchoverOutcome: outcome,
    lostWrites: losses.lost,
    inevitableLosses: losses.inevitable,
    fenced: await cluster.fenceEventsSince(startedAt).catch(() => 0),
    notes,
  };
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignRun> {
  const { cluster } = options;
  let mode: ReplicationMode | null = null;
  const load = cluster.startLoad(10);
  await load.warmUp();
  const ledger = new WriteLedger(cluster, load);
  const records: EventRecord[] = [];
  let stoppedEarly: string | null = null;
  for (const [index, event] of options.events.entries()) {
    if (Date.now() > options.deadline) {
      stoppedEarly = `time bound reached after ${records.length} of ${options.events.length} events`;
      break;
    }
    if (event.mode !== mode) {
      mode = event.mode;
      await cluster.setReplicationMode(mode);
    }
    if (!(await load.running())) {
      stoppedEarly = `the write load ended: ${load.errorText()}`;
      break;
    }
    const record = await runEvent(options, ledger, event, index, mode);
    records.push(record);
    options.onEvent?.(record, options.events.length, load);
    if (!record.recovered) {
      const whole = await cluster
        .waitSettled('the cluster whole after a repair', { ms: 60_000 })
        .then(() => true)
        .catch(() => false);
      if (!whole) {
        stoppedEarly = `the cluster did not come back after event ${index + 1}: ${record.reason}`;
        break;
      }
    }
  }
  return { records, load, stoppedEarly };
}
