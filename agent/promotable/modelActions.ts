/**
 * The actions whose meaning the model decides — start, promote, demote and the native migrate_to /
 * migrate_from — for both agents: each gathers facts, asks the model (decide), acts on its instructions and
 * reports. Nothing here decides on its own what a demote or a promote means; an event the model has no
 * transition for fails loudly. Loaded only by these actions, so that monitor and notify, which run far more
 * often, start without the statechart.
 *
 * Emulation on today's Pacemaker: a demote whose transition also promotes another node is migrate_to; the
 * promote of the hand-over's target is migrate_from (also when the move was split over two transitions).
 * Natively, Pacemaker calls migrate_to / migrate_from with CRM_meta_migrate_source/target.
 */

import { unknownStandbys } from '../../models/cluster.ts';
import { formatLsn, formatPosition, type Position } from '../../models/position.ts';
import type { HandOver, NodeName, RoleMigrationEvent } from '../../models/types.ts';
import {
  factsFromEnvironment,
  hasNotifyLists,
  migrationInEnvironment,
  onlineNodes,
} from '../../src/adapter/environmentFacts.ts';
import type { ModelSnapshot } from '../../src/paths/pathEvents.ts';
import {
  agentFacts,
  forkPosition,
  newestPromotedNode,
  newestRecordedTimeline,
  type OwnInstance,
} from '../../src/policy/agentFacts.ts';
import { type Decision, decide, type Instruction } from '../../src/policy/decide.ts';
import { intentInForce } from '../../src/policy/intent.ts';
import {
  formatNodeRecord,
  type NodeRecord,
  type PublishedHandover,
  parseNodeRecords,
} from '../../src/policy/nodeRecord.ts';
import { InconsistentFacts, reconstructSnapshot } from '../../src/policy/reconstructSnapshot.ts';
import type { DatabaseState } from '../database/replicatedDatabase.ts';
import { failure, OcfExit, type OcfResult, success } from '../ocf/exitCodes.ts';
import type { ActionContext } from '../ocf/runAgent.ts';
import { catchUp } from './catchUp.ts';
import { followPrimary } from './followPrimary.ts';
import type { PromotableDependencies } from './promotableAgent.ts';
import { changedScores, newPrimaryScores, refusalScores } from './scores.ts';

/** How far apart the publications of one pre-promote round may be stamped (see isCurrentPublication). */
const electionRoundMs = 5_000;
/** How long a demote waits for its record to read back. */
const recordReadBackMs = 10_000;
/** How long an election waits for peers' positions of this round (attrd's updates are asynchronous). */
const positionWaitMs = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ownInstance(state: DatabaseState): OwnInstance {
  switch (state.kind) {
    case 'primary':
      return { instance: 'promoted', position: state.position, streaming: true };
    case 'standby':
      return { instance: 'unpromoted', position: state.position, streaming: state.streaming };
    case 'stopped':
      return { instance: 'stopped', position: state.position, streaming: false };
    case 'failed':
      return { instance: 'failed', position: state.position, streaming: false };
  }
}

interface Gathered {
  readonly snapshot: ModelSnapshot;
  readonly records: Map<NodeName, NodeRecord>;
  /** The newest timeline any node's record or publication names: a promotion numbers its own above it. */
  readonly newestTimeline: number;
}

interface GatherOptions {
  /** Election positions (promote). */
  readonly positions?: boolean;
  /** The operator's intent (a demote that names no successor: the intent may name one). */
  readonly intent?: boolean;
}

async function gather(
  deps: PromotableDependencies,
  context: ActionContext,
  state: DatabaseState,
  options: GatherOptions,
): Promise<Gathered> {
  const [recordValues, positionValues, intentValue] = await Promise.all([
    deps.cluster.readRecords(),
    options.positions ? deps.cluster.readPositions() : Promise.resolve(new Map<string, string>()),
    options.intent ? deps.cluster.readIntent() : Promise.resolve(null),
  ]);
  const complain = (node: string, error: Error) => context.log(`ignoring the record of ${node}: ${error.message}`);
  const records = parseNodeRecords(recordValues, complain);
  const positions = parseNodeRecords(positionValues, complain);
  const notified = hasNotifyLists(context.env);
  const change = notified ? (factsFromEnvironment(context.action, context.env).clones[0] ?? null) : null;
  const facts = agentFacts({
    node: deps.node,
    own: ownInstance(state),
    change,
    online: [...(notified ? onlineNodes(context.env) : [deps.node]), ...migrationNodes(context)],
    records,
    positions,
    now: deps.now(),
    electionRoundMs,
    intent: intentInForce(intentValue, deps.now()),
  });
  context.debug(`facts: ${JSON.stringify(facts)}`);
  return { snapshot: reconstructSnapshot(facts), records, newestTimeline: newestRecordedTimeline(records, positions) };
}

/** A native migrate_to / migrate_from names both nodes: both are online. */
function migrationNodes(context: ActionContext): string[] {
  const { OCF_RESKEY_CRM_meta_migrate_source: source, OCF_RESKEY_CRM_meta_migrate_target: target } = context.env;
  return [source, target].filter((node): node is string => node !== undefined && node !== '');
}

function logDecision(context: ActionContext, event: RoleMigrationEvent, decision: Decision): void {
  if (decision.kind === 'unhandled') {
    context.log(`${event.type}: ${decision.reason}`);
    return;
  }
  const move = decision.from === decision.to ? decision.to : `${decision.from} → ${decision.to}`;
  context.log(`${event.type} ${move}: ${decision.description}`);
}

function instruction<T extends Instruction['type']>(
  decision: Decision,
  type: T,
): Extract<Instruction, { type: T }> | undefined {
  if (decision.kind !== 'transition') return undefined;
  return decision.instructions.find((each) => each.type === type) as Extract<Instruction, { type: T }> | undefined;
}

/** The own record with the given fields replaced (the other fields are kept). */
function ownRecord(records: ReadonlyMap<NodeName, NodeRecord>, node: NodeName, fields: NodeRecord): string {
  return formatNodeRecord({ ...records.get(node), ...fields });
}

function withoutSwitchoverFields(record: NodeRecord | undefined): NodeRecord {
  const { handover: _handover, demoted: _demoted, ...rest } = record ?? {};
  return rest;
}

/** The migrate_to half: shut the primary down cleanly, publish its final position, restart it as a standby. */
async function migrateTo(
  deps: PromotableDependencies,
  context: ActionContext,
  gathered: Gathered,
  event: RoleMigrationEvent,
): Promise<OcfResult> {
  let decision = decide(gathered.snapshot, event);
  logDecision(context, event, decision);
  const refusal = instruction(decision, 'refuse');
  if (refusal !== undefined && context.action === 'migrate_to') {
    // The proposed interface's migrate_to may fail: the primary stays, and the scheduler decides again.
    return failure(OcfExit.ERR_GENERIC, refusal.reason);
  }
  if (refusal !== undefined && event.type === 'MIGRATE_TO') {
    // A demote must demote: not a migration after all (the target cannot take over), a demote that names no
    // successor is still safe.
    const demote: RoleMigrationEvent = { type: 'DEMOTE', node: deps.node };
    decision = decide(gathered.snapshot, demote);
    logDecision(context, demote, decision);
  }
  if (decision.kind !== 'transition' || instruction(decision, 'demote') === undefined) {
    return failure(OcfExit.ERR_GENERIC, refusalReason(decision, 'demote', deps.node));
  }
  const final = await deps.database.shutdownCheckpoint();
  const base = withoutSwitchoverFields(gathered.records.get(deps.node));
  let record: NodeRecord;
  if (instruction(decision, 'waitForShutdownCheckpoint') !== undefined) {
    const checkpoint: RoleMigrationEvent = { type: 'SHUTDOWN_CHECKPOINT', position: final };
    const handedOver = decide(decision.next, checkpoint);
    logDecision(context, checkpoint, handedOver);
    const handover = handedOver.kind === 'transition' ? handedOver.next.context.handover : null;
    if (handover === null || handover.final === null) {
      return failure(OcfExit.ERR_GENERIC, `the shutdown checkpoint ${formatPosition(final)} was not accepted`);
    }
    record = { ...base, handover: { handover: { ...handover, final: handover.final }, verdict: 'pending' } };
    context.log(
      `switchover ${handover.source}→${handover.target}: shut down at ${formatPosition(final)}, handing over`,
    );
  } else {
    record = { ...base, demoted: final };
    context.log(`demoted with no successor named: final position ${formatPosition(final)} recorded`);
  }
  // The old primary restarts as a standby of the target (when the agent manages primary_conninfo): it
  // streams from it as soon as it is promoted, never through an address that still points at itself.
  const restart = async () => {
    await followPrimary(deps, context, record.handover?.handover.target ?? null);
    await deps.database.startStandby();
  };
  const [published] = await Promise.all([publishFinalRecord(deps, gathered, record), restart()]);
  if (!published) {
    return failure(
      OcfExit.ERR_GENERIC,
      `the record of the final position ${formatPosition(final)} could not be read back`,
    );
  }
  return success();
}

/**
 * A demote's record: written on this node, its hand-over or final position copied onto every other node's
 * record, and read back here. False when it did not read back within the bound.
 */
async function publishFinalRecord(deps: PromotableDependencies, gathered: Gathered, record: NodeRecord) {
  const written = formatNodeRecord(record);
  await Promise.all([deps.cluster.writeRecord(deps.node, written), copyToOthers(deps, gathered, copiedFields(record))]);
  return readBack(deps, written);
}

/** `fields` written onto every other node's record (the rest of each record kept as it was). */
async function copyToOthers(deps: PromotableDependencies, gathered: Gathered, fields: NodeRecord): Promise<void> {
  await Promise.all(
    otherNodes(gathered, deps.node).map((node) =>
      deps.cluster.writeRecord(node, ownRecord(gathered.records, node, fields)),
    ),
  );
}

/** The nodes of the clone other than this one, as this action knows them (its lists, the records). */
function otherNodes(gathered: Gathered, self: NodeName): NodeName[] {
  return Object.keys(gathered.snapshot.context.nodes).filter((node) => node !== self);
}

/**
 * What a demote copies onto every other node's record: its hand-over or its final position. pacemaker-attrd
 * forgets every attribute of a node that leaves, so a record kept only on the source would be gone exactly
 * when the source's node is lost between migrate_to and migrate_from.
 */
function copiedFields(record: NodeRecord): NodeRecord {
  if (record.handover !== undefined) return { handover: record.handover };
  return record.demoted === undefined ? {} : { demoted: record.demoted };
}

/**
 * A demote that shut the primary down succeeds only once its record reads back as written: attrd_updater
 * returns before the value is applied (2.1.5 has no --wait), and the next action depends on it.
 */
async function readBack(deps: PromotableDependencies, written: string): Promise<boolean> {
  const bound = Math.min(deps.now() + recordReadBackMs, deps.deadline);
  for (;;) {
    if ((await deps.cluster.readRecords()).get(deps.node) === written) return true;
    if (deps.now() >= bound) return false;
    await sleep(20);
  }
}

/** Why an action is refused: the model's own sentence when it refused, else what the model lacked. */
function refusalReason(decision: Decision, action: string, node: NodeName): string {
  return instruction(decision, 'refuse')?.reason ?? `${action} of ${node} refused: ${unhandledReason(decision)}`;
}

function unhandledReason(decision: Decision): string {
  if (decision.kind === 'unhandled') return decision.reason;
  return instruction(decision, 'refuse')?.reason ?? `${decision.from} → ${decision.to}`;
}

/** The migrate_from half (and every promote): ask the model, wait for the catch-up it asks for, promote or refuse. */
async function migrateFrom(
  deps: PromotableDependencies,
  context: ActionContext,
  gathered: Gathered,
  event: RoleMigrationEvent,
  before: Position,
): Promise<OcfResult> {
  let snapshot = gathered.snapshot;
  let decision = decide(snapshot, event);
  logDecision(context, event, decision);
  let received = before;
  let caughtUp = true;
  const wait = instruction(decision, 'waitForCatchUp');
  if (decision.kind === 'transition' && wait !== undefined && wait.final !== null) {
    snapshot = decision.next;
    ({ received, caughtUp } = await catchUp(deps, wait.final));
    const verdict: RoleMigrationEvent = caughtUp ? { type: 'CAUGHT_UP', received } : { type: 'CATCH_UP_TIMEOUT' };
    decision = decide(snapshot, verdict);
    logDecision(context, verdict, decision);
  }
  const handover = snapshot.context.handover;
  if (handover?.final && handover.target === deps.node) {
    const [relation, outcome] = caughtUp ? ['≥', 'promoting'] : ['<', 'refusing'];
    context.log(
      `switchover ${handover.source}→${handover.target}: target received ${formatLsn(received.lsn)} ${relation} ` +
        `${formatLsn(handover.final.lsn)}, ${outcome}`,
    );
  }
  const refusal = instruction(decision, 'refuse');
  if (refusal !== undefined || decision.kind === 'unhandled') {
    return refuse(deps, context, gathered, snapshot, refusalReason(decision, 'promote', deps.node));
  }
  if (instruction(decision, 'promote') === undefined) {
    return failure(OcfExit.ERR_GENERIC, `the model gave no promote instruction (${unhandledReason(decision)})`);
  }
  // The scores this promotion wants, compared with what the CIB holds, read while PostgreSQL promotes.
  const previous = [gathered.snapshot.context.lastPromoted, handover?.source ?? null];
  const others = previous.filter((node): node is string => node !== null && node !== deps.node);
  const scoresNow = deps.cluster.readScores([deps.node, ...others]).catch((error: Error) => error);
  const { onto, reserved, switchPoint } = await deps.database.promote(gathered.newestTimeline);
  if (reserved.length > 0)
    context.log(`timeline ${reserved.join(', ')} taken by another node's promotion: promoted onto a newer one`);
  // The database's own record of where it was promoted: what `promigrate check-history` holds against the
  // final positions recorded before it.
  context.log(`promoted onto timeline ${onto}, forked at ${formatPosition(switchPoint)}`);
  // The new timeline forks where this node's WAL ended when it was promoted: after a catch-up wait, what it
  // received then — not what it had before the wait, or the old primary, sitting exactly at its final
  // position, would look past the fork (diverged) and be refused.
  const fork = forkPosition(before, received);
  const record: NodeRecord = { ...withoutSwitchoverFields(gathered.records.get(deps.node)), fork, onto };
  // A new primary ranks every standby afresh at its first monitor, whatever scores refusals left behind;
  // until then it must already outrank the primary before it. Only scores the CIB does not hold yet are
  // written (a refusal may have set them already): every write aborts the transition this promote is in, and
  // Pacemaker computes the rest of it (the primary address) again. Not written by migrate_to instead: tried,
  // and every switchover was split into two transitions.
  const rankSelf = async () => {
    await deps.cluster.forgetScores();
    const current = await scoresNow;
    if (current instanceof Error) throw current;
    const changed = await deps.cluster.setScores(
      changedScores(newPrimaryScores(deps.node, previous, current), current),
    );
    if (changed.length > 0) context.log(`promotion scores ${changed.join(', ')}`);
  };
  // The instance is promoted: that is the action's result. What follows only records it and steers the
  // next election; a cluster tool that fails now is logged, never reported as a failed promote (Pacemaker
  // would then recover a primary that took over).
  try {
    // A copy of this promotion on every other node's record: this node's own goes with its node.
    await Promise.all([
      deps.cluster.writeRecord(deps.node, formatNodeRecord(record)),
      copyToOthers(deps, gathered, { promoted: { node: deps.node, fork, onto } }),
      rankSelf(),
    ]);
  } catch (error) {
    context.log(`promoted, but its record or scores were not written: ${(error as Error).message}`);
  }
  return success();
}

/**
 * A refused promotion: record the verdict on the source's hand-over (so that no later election promotes a
 * node behind it) and point the scores at the node that may be promoted, then fail so that Pacemaker
 * promotes that one.
 */
async function refuse(
  deps: PromotableDependencies,
  context: ActionContext,
  gathered: Gathered,
  snapshot: ModelSnapshot,
  reason: string,
): Promise<OcfResult> {
  const handover = snapshot.context.handover;
  if (handover !== null && handover.target === deps.node) await recordAbort(deps, gathered, handover);
  const changed = await deps.cluster.setScores(refusalScores(snapshot.context, deps.node));
  if (changed.length > 0) context.log(`promotion scores ${changed.join(', ')}`);
  return failure(OcfExit.ERR_GENERIC, reason);
}

/**
 * This node's instance is down while it is the target of a pending hand-over (it failed, or its node was
 * lost, before migrate_from): to the model that is INSTANCE_FAILED of the target, and the switchover is
 * aborted. The verdict goes onto the source's record, as a refused promotion's does, so that no later
 * promotion of this node forgets it. Returns the snapshot to decide the action from.
 */
async function abortOwnHandover(
  deps: PromotableDependencies,
  context: ActionContext,
  gathered: Gathered,
): Promise<ModelSnapshot> {
  const handover = gathered.snapshot.context.handover;
  if (!gathered.snapshot.matches({ switchover: 'handedOver' }) || handover?.target !== deps.node) {
    return gathered.snapshot;
  }
  const event: RoleMigrationEvent = { type: 'INSTANCE_FAILED', node: deps.node };
  const decision = decide(gathered.snapshot, event);
  logDecision(context, event, decision);
  if (decision.kind !== 'transition') return gathered.snapshot;
  await recordAbort(deps, gathered, handover);
  return decision.next;
}

/**
 * The verdict of an aborted switchover, on the source's record and on every copy of the hand-over, so that
 * no later promotion forgets it — whichever node survives.
 */
async function recordAbort(deps: PromotableDependencies, gathered: Gathered, handover: HandOver): Promise<void> {
  if (handover.final === null) return;
  const aborted: PublishedHandover = { handover: { ...handover, final: handover.final }, verdict: 'aborted' };
  const holders = [...gathered.records.entries()]
    .filter(([node, record]) => node === handover.source || record.handover?.handover.source === handover.source)
    .map(([node]) => node);
  if (!holders.includes(handover.source)) holders.push(handover.source);
  await Promise.all(
    holders.map((node) => deps.cluster.writeRecord(node, ownRecord(gathered.records, node, { handover: aborted }))),
  );
}

/** start: the instance starts as a standby and follows the primary, unless the model refuses (diverged). */
export async function start(deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> {
  const state = await deps.database.observe();
  if (state.kind === 'standby') return success();
  if (state.kind === 'primary') {
    return failure(OcfExit.ERR_GENERIC, 'the instance already runs as a primary, outside of Pacemaker');
  }
  const gathered = await gather(deps, context, state, {});
  const snapshot = await abortOwnHandover(deps, context, gathered);
  const event: RoleMigrationEvent = { type: 'START', node: deps.node };
  const decision = decide(snapshot, event);
  logDecision(context, event, decision);
  if (instruction(decision, 'follow') === undefined) {
    return failure(OcfExit.ERR_GENERIC, refusalReason(decision, 'start', deps.node));
  }
  // A standby follows the node promoted onto the newest timeline the records know of (when the agent manages
  // primary_conninfo); the next pre-promote notify points it at any newer primary.
  await followPrimary(deps, context, newestPromotedNode(gathered.records));
  await deps.database.startStandby();
  return success();
}

/**
 * A promote the model would refuse only because a live standby's position is unknown waits, bounded, for
 * it: the peers published in the pre-promote round, but attrd delivers updates asynchronously (2.1.5's
 * attrd_updater has no --wait). Past the bound the refusal stands: unknown is never taken as behind.
 */
async function awaitPositions(
  deps: PromotableDependencies,
  context: ActionContext,
  state: DatabaseState,
  first: Gathered,
  given: RoleMigrationEvent | null,
): Promise<Gathered> {
  const bound = Math.min(deps.now() + positionWaitMs, deps.deadline);
  let gathered = first;
  for (;;) {
    const unknown = unknownStandbys(gathered.snapshot.context);
    if (unknown.length === 0 || deps.now() >= bound) return gathered;
    const decision = decide(gathered.snapshot, given ?? promoteEvent(deps, context, gathered));
    if (decision.kind === 'transition' && instruction(decision, 'refuse') === undefined) return gathered;
    if (gathered === first) context.log(`waiting for the position of ${unknown.join(', ')} (not yet published)`);
    await sleep(100);
    gathered = await gather(deps, context, state, { positions: true });
  }
}

/** promote, and the native migrate_from (its event given): the migrate_from half, or an election. */
export async function promote(
  deps: PromotableDependencies,
  context: ActionContext,
  given: RoleMigrationEvent | null,
): Promise<OcfResult> {
  const state = await deps.database.observe();
  if (state.kind === 'primary') return success();
  try {
    const gathered = await gather(deps, context, state, { positions: true });
    if (state.kind !== 'standby') {
      // The target died before its migrate_from: the model aborts the switchover; record it, then refuse.
      const snapshot = await abortOwnHandover(deps, context, gathered);
      const event = given ?? promoteEvent(deps, context, { ...gathered, snapshot });
      const decision = decide(snapshot, event);
      logDecision(context, event, decision);
      const reason = `cannot promote: the instance is ${state.kind}, not a running standby`;
      return refuse(deps, context, gathered, snapshot, instruction(decision, 'refuse')?.reason ?? reason);
    }
    const ready = await awaitPositions(deps, context, state, gathered, given);
    return await migrateFrom(deps, context, ready, given ?? promoteEvent(deps, context, ready), state.position);
  } catch (error) {
    if (error instanceof InconsistentFacts) return failure(OcfExit.ERR_GENERIC, error.message);
    throw error;
  }
}

/** demote, and the native migrate_to (its event given): the migrate_to half, or a plain demote. */
export async function demote(
  deps: PromotableDependencies,
  context: ActionContext,
  given: RoleMigrationEvent | null,
): Promise<OcfResult> {
  const state = await deps.database.observe();
  if (state.kind === 'standby' || state.kind === 'stopped') return demoteAgain(deps, context, state);
  if (state.kind === 'failed') {
    context.log(`demote of a failed instance: ${state.reason}; stopping what is left of it`);
    await deps.database.stop();
    return success();
  }
  try {
    const event = given ?? demoteEvent(deps, context);
    const gathered = await gather(deps, context, state, { intent: event.type === 'DEMOTE' });
    return await migrateTo(deps, context, gathered, event);
  } catch (error) {
    if (error instanceof InconsistentFacts) return failure(OcfExit.ERR_GENERIC, error.message);
    throw error;
  }
}

/**
 * A demote that finds the instance already shut down or running as a standby: an earlier attempt got past
 * the clean shutdown and was cut short (the agent killed, a timeout, a record write that failed). If this node
 * was the primary of its timeline, the demote still succeeds only with a record: its final position as a
 * floor for the next promotion (the instance's position now, never below the shutdown checkpoint it
 * restarted from), written, copied and read back — unless its record already holds its hand-over or its
 * final position on this timeline. A standby that was never promoted onto its timeline has nothing to record.
 */
async function demoteAgain(
  deps: PromotableDependencies,
  context: ActionContext,
  state: DatabaseState & { kind: 'standby' | 'stopped' },
): Promise<OcfResult> {
  const position = state.position;
  if (position === null) return failure(OcfExit.ERR_GENERIC, 'demote: the final position cannot be read');
  const gathered = await gather(deps, context, state, {});
  const own = gathered.records.get(deps.node);
  // Only the primary of this timeline has a final position to record: the node promoted onto it (its fork
  // record). A demote of a standby that was never promoted (Pacemaker recovering a refused promote) has none.
  const wasPrimary = own?.fork !== undefined && own.fork.timeline + 1 === position.timeline;
  if (!wasPrimary) return success();
  const recorded = own?.handover?.handover.source === deps.node ? own.handover.handover.final : own?.demoted;
  if (recorded !== undefined && recorded.timeline === position.timeline) return success();
  const record: NodeRecord = { ...withoutSwitchoverFields(own), demoted: position };
  if (!(await publishFinalRecord(deps, gathered, record))) {
    return failure(
      OcfExit.ERR_GENERIC,
      `the record of the final position ${formatPosition(position)} could not be read back`,
    );
  }
  context.log(
    `demote found the instance ${state.kind} with no record: final position ${formatPosition(position)} recorded`,
  );
  return success();
}

/** A demote is migrate_to when its own transition moves the promoted role from here to another node. */
function demoteEvent(deps: PromotableDependencies, context: ActionContext): RoleMigrationEvent {
  const migration = migrationInEnvironment('demote', context.env);
  if (migration?.kind === 'switchover' && migration.from === deps.node && migration.to !== null) {
    return { type: 'MIGRATE_TO', source: deps.node, target: migration.to };
  }
  return { type: 'DEMOTE', node: deps.node };
}

/**
 * A promote is migrate_from when its own transition moves the promoted role here from another node; a
 * promote in a later transition (a split move) is a plain PROMOTE, which the model resolves from the record.
 */
function promoteEvent(deps: PromotableDependencies, context: ActionContext, gathered: Gathered): RoleMigrationEvent {
  const migration = migrationInEnvironment('promote', context.env);
  const promote: RoleMigrationEvent = { type: 'PROMOTE', node: deps.node };
  if (migration?.kind !== 'switchover' || migration.to !== deps.node) return promote;
  const migrateFrom: RoleMigrationEvent = { type: 'MIGRATE_FROM', target: deps.node };
  // The lists of a failover (a failed primary demoted, another promoted) read like a switchover's; with no
  // hand-over to take, the model has no migrate_from, and this promote is an election.
  return decide(gathered.snapshot, migrateFrom).kind === 'unhandled' ? promote : migrateFrom;
}
