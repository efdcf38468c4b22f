/**
 * The actions of a promotable agent, shared by `pgsql` and `stateful`: each one gathers facts, asks the
 * model (decide), acts on its instructions, and reports. Nothing here decides on its own what a demote or
 * a promote means; the statechart does, and an event the model has no transition for fails loudly.
 *
 * Emulation on today's Pacemaker: a demote whose transition also promotes another node is migrate_to; the
 * promote of the hand-over's target is migrate_from (also when the move was split over two transitions).
 * Natively, Pacemaker calls migrate_to / migrate_from with CRM_meta_migrate_source/target.
 */
import { comparePositions, formatLsn, formatPosition, type Position } from '../../models/position.ts';
import type { NodeName, RoleMigrationEvent } from '../../models/types.ts';
import { classifyChange } from '../../src/adapter/classify.ts';
import { factsFromEnvironment, hasNotifyLists, onlineNodes } from '../../src/adapter/environmentFacts.ts';
import type { ModelSnapshot } from '../../src/paths/pathEvents.ts';
import { agentFacts, type OwnInstance } from '../../src/policy/agentFacts.ts';
import { type Decision, decide, type Instruction } from '../../src/policy/decide.ts';
import {
  formatNodeRecord,
  type NodeRecord,
  type PublishedHandover,
  parseNodeRecords,
} from '../../src/policy/nodeRecord.ts';
import { InconsistentFacts, reconstructSnapshot } from '../../src/policy/reconstructSnapshot.ts';
import type { DatabaseState, ReplicatedDatabase } from '../database/replicatedDatabase.ts';
import { failure, OcfExit, type OcfResult, success } from '../ocf/exitCodes.ts';
import type { ActionContext, ActionHandler } from '../ocf/runAgent.ts';
import type { ClusterAccess } from './clusterAccess.ts';
import { promotedScores, refusalScores } from './scores.ts';

export interface PromotableDependencies {
  readonly node: NodeName;
  readonly database: ReplicatedDatabase;
  readonly cluster: ClusterAccess;
  /** The longest catch-up wait of migrate_from, in ms (further bounded by the action's timeout). */
  readonly catchUpMs: number;
  /** When the running action must be done, in ms since the epoch (its timeout, less a margin). */
  readonly deadline: number;
  readonly now: () => number;
}

export type DependencyFactory = (context: ActionContext) => Promise<PromotableDependencies>;

const positionTtlMs = 120_000;
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
}

async function gather(
  deps: PromotableDependencies,
  context: ActionContext,
  state: DatabaseState,
  withPositions: boolean,
): Promise<Gathered> {
  const [recordValues, positionValues] = await Promise.all([
    deps.cluster.readRecords(),
    withPositions ? deps.cluster.readPositions() : Promise.resolve(new Map<string, string>()),
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
    positionTtlMs,
  });
  context.debug(`facts: ${JSON.stringify(facts)}`);
  return { snapshot: reconstructSnapshot(facts), records };
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
  if (instruction(decision, 'refuse') !== undefined && event.type === 'MIGRATE_TO') {
    // Not a migration after all (the target cannot take over): a demote that names no successor is still safe.
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
  await Promise.all([deps.cluster.writeRecord(deps.node, formatNodeRecord(record)), deps.database.startStandby()]);
  return success();
}

/** Why an action is refused: the model's own sentence when it refused, else what the model lacked. */
function refusalReason(decision: Decision, action: string, node: NodeName): string {
  return instruction(decision, 'refuse')?.reason ?? `${action} of ${node} refused: ${unhandledReason(decision)}`;
}

function unhandledReason(decision: Decision): string {
  if (decision.kind === 'unhandled') return decision.reason;
  return instruction(decision, 'refuse')?.reason ?? `${decision.from} → ${decision.to}`;
}

/** Waits, bounded, until this standby has received `final`; returns what it has received. */
async function catchUp(
  deps: PromotableDependencies,
  final: Position,
): Promise<{ received: Position; caughtUp: boolean }> {
  const bound = Math.min(deps.now() + deps.catchUpMs, deps.deadline);
  for (;;) {
    const received = await deps.database.received();
    if (comparePositions(received, final) >= 0) return { received, caughtUp: true };
    if (deps.now() >= bound) return { received, caughtUp: false };
    await sleep(10);
  }
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
  await deps.database.promote();
  const record = { ...withoutSwitchoverFields(gathered.records.get(deps.node)), fork: before };
  await deps.cluster.writeRecord(deps.node, formatNodeRecord(record));
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
  const published = handover === null ? undefined : gathered.records.get(handover.source)?.handover;
  if (handover !== null && published !== undefined && published.handover.target === deps.node) {
    const aborted: PublishedHandover = { ...published, verdict: 'aborted' };
    await deps.cluster.writeRecord(
      handover.source,
      ownRecord(gathered.records, handover.source, { handover: aborted }),
    );
  }
  const changed = await deps.cluster.setScores(refusalScores(snapshot.context, deps.node));
  if (changed.length > 0) context.log(`promotion scores ${changed.join(', ')}`);
  return failure(OcfExit.ERR_GENERIC, reason);
}

export function promotableHandlers(makeDependencies: DependencyFactory): Record<string, ActionHandler> {
  const withDeps =
    (action: (deps: PromotableDependencies, context: ActionContext) => Promise<OcfResult>): ActionHandler =>
    async (context) => {
      const deps = await makeDependencies(context);
      const problem = await deps.database.validate();
      if (problem !== null) {
        const code = { installed: OcfExit.ERR_INSTALLED, local: OcfExit.ERR_ARGS, configured: OcfExit.ERR_CONFIGURED }[
          problem.kind
        ];
        // A probe where the instance cannot exist is "not running": Pacemaker then knows it is not active there.
        const probe = context.action === 'monitor' && (context.env.OCF_RESKEY_CRM_meta_interval ?? '0') === '0';
        if (probe && problem.kind !== 'configured') return { code: OcfExit.NOT_RUNNING };
        return failure(code, problem.reason);
      }
      return action(deps, context);
    };

  const monitor = async (deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> => {
    const state = await deps.database.observe();
    switch (state.kind) {
      case 'primary': {
        const changed = await deps.cluster.setScores(promotedScores(deps.node, state.standbys));
        if (changed.length > 0) context.log(`promotion scores ${changed.join(', ')}`);
        return { code: OcfExit.RUNNING_PROMOTED };
      }
      case 'standby':
        return success();
      case 'stopped':
        return { code: OcfExit.NOT_RUNNING };
      case 'failed':
        return failure(state.wasPrimary ? OcfExit.FAILED_PROMOTED : OcfExit.ERR_GENERIC, state.reason);
    }
  };

  const start = async (deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> => {
    const state = await deps.database.observe();
    if (state.kind === 'standby') return success();
    if (state.kind === 'primary') {
      return failure(OcfExit.ERR_GENERIC, 'the instance already runs as a primary, outside of Pacemaker');
    }
    const gathered = await gather(deps, context, state, false);
    const event: RoleMigrationEvent = { type: 'START', node: deps.node };
    const decision = decide(gathered.snapshot, event);
    logDecision(context, event, decision);
    if (instruction(decision, 'follow') === undefined) {
      return failure(OcfExit.ERR_GENERIC, refusalReason(decision, 'start', deps.node));
    }
    await deps.database.startStandby();
    return success();
  };

  const stop = async (deps: PromotableDependencies): Promise<OcfResult> => {
    await deps.database.stop();
    return success();
  };

  const promoteAs =
    (eventOf: (deps: PromotableDependencies, context: ActionContext) => RoleMigrationEvent) =>
    async (deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> => {
      const state = await deps.database.observe();
      if (state.kind === 'primary') return success();
      if (state.kind !== 'standby') {
        return failure(OcfExit.ERR_GENERIC, `cannot promote: the instance is ${state.kind}, not a running standby`);
      }
      try {
        const gathered = await gather(deps, context, state, true);
        return await migrateFrom(deps, context, gathered, eventOf(deps, context), state.position);
      } catch (error) {
        if (error instanceof InconsistentFacts) return failure(OcfExit.ERR_GENERIC, error.message);
        throw error;
      }
    };

  const demoteAs =
    (eventOf: (deps: PromotableDependencies, context: ActionContext) => RoleMigrationEvent) =>
    async (deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> => {
      const state = await deps.database.observe();
      if (state.kind === 'standby' || state.kind === 'stopped') return success();
      if (state.kind === 'failed') {
        context.log(`demote of a failed instance: ${state.reason}; stopping what is left of it`);
        await deps.database.stop();
        return success();
      }
      try {
        return await migrateTo(deps, context, await gather(deps, context, state, false), eventOf(deps, context));
      } catch (error) {
        if (error instanceof InconsistentFacts) return failure(OcfExit.ERR_GENERIC, error.message);
        throw error;
      }
    };

  /** A demote is migrate_to when its own transition moves the promoted role from here to another node. */
  const demoteEvent = (deps: PromotableDependencies, context: ActionContext): RoleMigrationEvent => {
    if (hasNotifyLists(context.env)) {
      const facts = factsFromEnvironment('demote', context.env);
      const change = facts.clones[0];
      const migration = change === undefined ? null : classifyChange(change, facts);
      if (migration?.kind === 'switchover' && migration.from === deps.node && migration.to !== null) {
        return { type: 'MIGRATE_TO', source: deps.node, target: migration.to };
      }
    }
    return { type: 'DEMOTE', node: deps.node };
  };

  /**
   * A promote is migrate_from when its own transition moves the promoted role here from another node; a
   * promote in a later transition (a split move) is a plain PROMOTE, which the model resolves from the record.
   */
  const promoteEvent = (deps: PromotableDependencies, context: ActionContext): RoleMigrationEvent => {
    if (hasNotifyLists(context.env)) {
      const facts = factsFromEnvironment('promote', context.env);
      const change = facts.clones[0];
      const migration = change === undefined ? null : classifyChange(change, facts);
      if (migration?.kind === 'switchover' && migration.to === deps.node)
        return { type: 'MIGRATE_FROM', target: deps.node };
    }
    return { type: 'PROMOTE', node: deps.node };
  };

  const migrateSource = (context: ActionContext) => context.env.OCF_RESKEY_CRM_meta_migrate_source ?? '';
  const migrateTarget = (context: ActionContext) => context.env.OCF_RESKEY_CRM_meta_migrate_target ?? '';

  const notify = async (deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> => {
    const type = context.env.OCF_RESKEY_CRM_meta_notify_type;
    const operation = context.env.OCF_RESKEY_CRM_meta_notify_operation;
    if (type !== 'pre' || operation !== 'promote') return success();
    // An election may follow: publish this node's true end of WAL for the promoting node to compare.
    const facts = factsFromEnvironment('notify', context.env);
    const change = facts.clones[0];
    if (change !== undefined && classifyChange(change, facts)?.kind === 'switchover') return success();
    const state = await deps.database.observe();
    const position = state.position;
    if (position === null) return success();
    await deps.cluster.writePosition(formatNodeRecord({ position: { position, at: deps.now() } }));
    context.log(`published ${formatPosition(position)} for the election`);
    return success();
  };

  return {
    start: withDeps(start),
    stop: withDeps(stop),
    monitor: withDeps(monitor),
    promote: withDeps(promoteAs(promoteEvent)),
    demote: withDeps(demoteAs(demoteEvent)),
    notify: withDeps(notify),
    migrate_to: withDeps(async (deps, context) => {
      if (migrateSource(context) !== deps.node || migrateTarget(context) === '') {
        return failure(OcfExit.ERR_ARGS, 'migrate_to needs CRM_meta_migrate_source (this node) and _target');
      }
      return demoteAs(() => ({ type: 'MIGRATE_TO', source: deps.node, target: migrateTarget(context) }))(deps, context);
    }),
    migrate_from: withDeps(async (deps, context) => {
      if (migrateTarget(context) !== deps.node) {
        return failure(OcfExit.ERR_ARGS, 'migrate_from needs CRM_meta_migrate_target (this node)');
      }
      return promoteAs(() => ({ type: 'MIGRATE_FROM', target: deps.node }))(deps, context);
    }),
    'validate-all': withDeps(async () => success()),
  };
}
