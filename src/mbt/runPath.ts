/**
 * One model path on the real system. Each step's event is made to happen for real, by its kind:
 * - the world's events (writes, faults, membership, the operator's intent) are performed by the runner;
 * - Pacemaker's operations (start, promote, demote, migrate_to) are asked of Pacemaker's scheduler by
 *   cluster operations only — a promoted-role preference, bans of nodes the model has down, holding the
 *   clone unpromoted — and the real agents carry them out;
 * - what happens inside an operation (the shutdown checkpoint, migrate_from, the catch-up verdict) is
 *   what the agents report while they run;
 * - REJOIN is observed: the old primary streams from the new one.
 * Every agent decision must be the path's next step, taken to the model's state; a world event that falls
 * between two agent steps is made at that very point (between two actions, or while the agent waits).
 * At every rest the real state is compared with the model's: who is writable (pg_is_in_recovery), which
 * instances run, who streams from the primary, where Pacemaker sees the promoted role. At the end, no
 * acknowledged write may be missing.
 */
import { initialTransition, transition } from 'xstate';
import { factsOf, freshHandover, primaryOf } from '../../models/cluster.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { NodeFacts, RoleMigrationEvent } from '../../models/types.ts';
import type { GraphAction } from '../adapter/transitionGraph.ts';
import type { ExecutedAction } from '../executor/controller.ts';
import { formatEvent } from '../format/formatEvent.ts';
import { takenTransitions } from '../paths/modelGraph.ts';
import type { ModelSnapshot } from '../paths/pathEvents.ts';
import { activeStates, stateName } from '../paths/statechartParts.ts';
import type { TestPath } from '../paths/testPaths.ts';
import { type AgentDecision, agentText, parseAgentDecision } from './agentDecision.ts';
import { RealSystem } from './realSystem.ts';

export interface PathOutcome {
  readonly name: string;
  readonly nodes: readonly string[];
  readonly passed: boolean;
  /** Statechart transitions and states the path took on the real system (only a passed path counts). */
  readonly transitions: readonly string[];
  readonly states: readonly string[];
  readonly lostWrites: number;
  readonly maxWritable: number;
  readonly ms: number;
  /** Why it failed: the step, the real state, the transition graphs' actions and the agents' logs. */
  readonly report: string;
}

type StepKind = 'world' | 'scheduled' | 'inAction' | 'observed';

const kinds: Record<RoleMigrationEvent['type'], StepKind> = {
  WRITE: 'world',
  REPLICATION_CUT: 'world',
  REPLICATION_RESTORED: 'world',
  INSTANCE_FAILED: 'world',
  NODE_LOST: 'world',
  NODE_JOINED: 'world',
  INTENT: 'world',
  INTENT_EXPIRED: 'world',
  START: 'scheduled',
  PROMOTE: 'scheduled',
  DEMOTE: 'scheduled',
  MIGRATE_TO: 'scheduled',
  MIGRATE_FROM: 'inAction',
  SHUTDOWN_CHECKPOINT: 'inAction',
  CAUGHT_UP: 'inAction',
  CATCH_UP_TIMEOUT: 'inAction',
  REJOIN: 'observed',
};

/** States that exist only while one agent action runs: a world event there is made while it runs. */
const inActionStates = new Set(['switchover.demotingSource', 'switchover.catchingUp']);

class PathFailure extends Error {}

/**
 * A switchover target that died (or whose node was lost) without running an action records nothing, so
 * a third node's promote still reads the hand-over as pending where the model has it aborted. Both refuse
 * and stay; the difference is what the agent cannot know. Known gap: the suite accepts exactly this.
 */
function unknowableAbort(expected: string, decided: string | null): boolean {
  return expected === 'switchover.aborted' && decided === 'switchover.handedOver';
}

function isDown(facts: NodeFacts): boolean {
  return !facts.online || facts.instance === 'failed' || facts.instance === 'stopped';
}

function follows(facts: NodeFacts): boolean {
  return facts.online && facts.instance === 'unpromoted' && facts.streaming && !facts.diverged;
}

/** The node an agent action must run on for the step to be its decision. */
function actingNode(event: RoleMigrationEvent, before: ModelSnapshot): string | null {
  switch (event.type) {
    case 'MIGRATE_TO':
      return event.source;
    case 'MIGRATE_FROM':
      return event.target;
    case 'SHUTDOWN_CHECKPOINT':
      return before.context.handover?.source ?? null;
    case 'CAUGHT_UP':
    case 'CATCH_UP_TIMEOUT':
      return before.context.handover?.target ?? null;
    default:
      return 'node' in event ? event.node : null;
  }
}

export async function runPath(nodes: readonly string[], path: TestPath, basePort: number): Promise<PathOutcome> {
  const begun = Date.now();
  const steps = path.steps;
  const snapshots: ModelSnapshot[] = [];
  const taken: string[][] = [];
  let [snapshot] = initialTransition(roleMigrationMachine, { nodes });
  const initial = snapshot;
  for (const step of steps) {
    taken.push(takenTransitions(snapshot, step.event));
    [snapshot] = transition(roleMigrationMachine, snapshot, step.event);
    snapshots.push(snapshot);
  }
  const before = (index: number) => (index === 0 ? initial : (snapshots[index - 1] as ModelSnapshot));

  const transcript: string[] = [];
  let next = 0;
  let failure: string | null = null;
  let maxWritable = 0;
  let lostWrites = 0;
  /** Work started by an agent's line, awaited when its action ends. */
  const pending = new Map<number, Promise<void>>();
  /** Steps to perform when an action ends (between two actions), and whether the transition must stop there. */
  const afterAction = new Map<number, { steps: number[]; abort: boolean }>();
  const restoredToSource = new Set<string>();
  /** Standbys whose link the test cut and has not restored. */
  const cut = new Set<string>();
  /** Resumes WAL receivers stalled so that a fault falls inside the source's shutdown. */
  let resumeReceivers: (() => void) | null = null;
  /** The stalled WAL receivers, by node. */
  let stalled = new Map<string, number>();
  /** A switchover source kept from rejoining until a fault in `rejoining` is made. */
  let heldSource: string | null = null;
  /** The source's postmaster, to freeze when the agent decides migrate_to. */
  let freezeSource: number | null = null;
  let system: RealSystem | null = null;

  const noteMonitorFailures = (failed: readonly ExecutedAction[]) => {
    for (const { action, result } of failed) {
      const reason = /^ocf-exit-reason:(.*)$/m.exec(result?.stderr ?? '')?.[1] ?? '';
      transcript.push(
        `  ${action.node} ${action.key} (timer) → ${result?.code ?? '?'} (failed)${reason ? `: ${reason}` : ''}`,
      );
    }
  };

  const fail = (message: string) => {
    failure ??= message;
    system?.controller.abort();
  };

  const performWorld = async (index: number): Promise<void> => {
    const real = system as RealSystem;
    const event = (steps[index] as (typeof steps)[number]).event;
    const context = before(index).context;
    transcript.push(`  step ${index + 1}: ${formatEvent(event)} (made by the test)`);
    switch (event.type) {
      case 'WRITE': {
        const primary = primaryOf(context) as string;
        const streaming = nodes.filter((node) => follows(factsOf(context, node) as NodeFacts));
        await real.write(primary, streaming);
        return;
      }
      case 'REPLICATION_CUT': {
        cut.add(event.node);
        const receiver = stalled.get(event.node);
        stalled.delete(event.node);
        return receiver === undefined ? real.cut(event.node) : real.cutStalled(event.node, receiver);
      }
      case 'REPLICATION_RESTORED': {
        cut.delete(event.node);
        const upstream = primaryOf(context) === null ? (freshHandover(context)?.source ?? null) : null;
        if (upstream !== null) restoredToSource.add(event.node);
        return real.restore(event.node, upstream);
      }
      case 'INSTANCE_FAILED':
        return real.killInstance(event.node);
      case 'NODE_LOST':
        real.controller.abort();
        return real.loseNode(event.node);
      case 'NODE_JOINED':
        return real.joinNode(event.node);
      case 'INTENT':
        return real.setIntent(event.target, Date.now() + 600_000);
      case 'INTENT_EXPIRED': {
        const target = context.intent?.target as string;
        return real.setIntent(target, Date.now() - 1000);
      }
      default:
        throw new PathFailure(`${event.type} is not made by the test`);
    }
  };

  const observeRejoin = async (index: number): Promise<void> => {
    const real = system as RealSystem;
    const event = (steps[index] as (typeof steps)[number]).event;
    if (event.type !== 'REJOIN') return;
    const primary = primaryOf((snapshots[index] as ModelSnapshot).context);
    if (primary === null) throw new PathFailure('REJOIN without a primary in the model');
    await real.postgres.waitFor(`${event.node} streaming from ${primary}`, () =>
      real.postgres.streamsFrom(primary, event.node),
    );
    transcript.push(`  step ${index + 1}: ${formatEvent(event)} (observed: ${event.node} streams from ${primary})`);
  };

  /** Real state against the model's at a rest. */
  const check = async (model: ModelSnapshot, where: string): Promise<void> => {
    const real = system as RealSystem;
    const context = model.context;
    const problems: string[] = [];
    const promoted = nodes.filter((node) => {
      const facts = factsOf(context, node) as NodeFacts;
      return facts.online && facts.instance === 'promoted';
    });
    const primary = promoted[0] ?? null;
    if (primary !== null && restoredToSource.size > 0) {
      await real.followPrimary([...restoredToSource].filter((node) => node !== primary));
      restoredToSource.clear();
    }
    const writable = await real.writable();
    maxWritable = Math.max(maxWritable, writable.length);
    if (writable.join(',') !== promoted.join(',')) {
      problems.push(
        `writable: ${writable.join(',') || 'none'}, the model has ${promoted.join(',') || 'none'} promoted`,
      );
    }
    for (const node of nodes) {
      const facts = factsOf(context, node) as NodeFacts;
      const running = await real.isRunning(node);
      if (isDown(facts) && running)
        problems.push(`${node} runs, the model has it ${facts.online ? facts.instance : 'offline'}`);
      if (!isDown(facts) && !running) problems.push(`${node} does not run, the model has it ${facts.instance}`);
      if (primary === null || node === primary || isDown(facts)) continue;
      if (follows(facts)) {
        const ok = await real.postgres
          .waitFor(`${node} streaming`, () => real.postgres.streamsFrom(primary, node), 10_000)
          .then(() => true)
          .catch(() => false);
        if (!ok) problems.push(`${node} does not stream from ${primary}, the model has it streaming`);
      } else if (cut.has(node) && (await real.postgres.streamsFrom(primary, node).catch(() => false))) {
        problems.push(`${node} streams from ${primary}, the model has its replication cut`);
      }
    }
    // Time passes as it would in a cluster: the recurring monitors fire, and Pacemaker learns of faults.
    await real.controller.startPlannedMonitors();
    noteMonitorFailures(await real.controller.fireRecurringMonitors());
    const inCib = await real.promotedInCib();
    if (inCib.join(',') !== promoted.join(',')) {
      problems.push(
        `Pacemaker sees ${inCib.join(',') || 'no node'} promoted, the model ${promoted.join(',') || 'none'}`,
      );
    }
    if (problems.length > 0) throw new PathFailure(`${where}: ${problems.join('; ')}`);
  };

  /** The cluster operations that make the scheduler take step `index`. */
  const steer = async (index: number): Promise<void> => {
    const real = system as RealSystem;
    const event = (steps[index] as (typeof steps)[number]).event;
    const context = before(index).context;
    const hasPrimary = primaryOf(context) !== null;
    await real.hold(event.type === 'DEMOTE' || (!hasPrimary && event.type !== 'PROMOTE'));
    if (event.type === 'PROMOTE') await real.preferPromoted(event.node);
    if (event.type === 'MIGRATE_TO') await real.preferPromoted(event.target);
    for (const node of nodes) {
      const facts = factsOf(context, node) as NodeFacts;
      const starting = event.type === 'START' && event.node === node;
      // The model's started standby follows the primary: whatever cut its link is over.
      if (starting && cut.delete(node)) await real.restore(node, null);
      await real.ban(node, isDown(facts) && !starting);
    }
  };

  /** After an agent step: the world steps that follow are made now (in an action) or when it ends. */
  const afterAgentStep = (action: GraphAction, state: string) => {
    const live = inActionStates.has(state);
    const later: number[] = [];
    while (next < steps.length) {
      const kind = kinds[(steps[next] as (typeof steps)[number]).event.type];
      if (kind !== 'world' && kind !== 'observed') break;
      if (live && kind === 'world') {
        const index = next;
        const previous = pending.get(action.id) ?? Promise.resolve();
        pending.set(
          action.id,
          previous.then(() => performWorld(index)),
        );
      } else later.push(next);
      next++;
    }
    if (live && resumeReceivers !== null) {
      const resume = resumeReceivers;
      resumeReceivers = null;
      pending.set(action.id, (pending.get(action.id) ?? Promise.resolve()).finally(resume));
    }
    const following = steps[next];
    // Another operation (or the end of the path) next: the transition stops after this action.
    const abort = following === undefined || kinds[following.event.type] === 'scheduled';
    const entry = afterAction.get(action.id) ?? { steps: [], abort: false };
    afterAction.set(action.id, { steps: [...entry.steps, ...later], abort: entry.abort || abort });
  };

  /** Nodes whose instance the scheduler stopped in the running transition. */
  const stoppedNow = new Set<string>();

  /**
   * Pacemaker's scheduler sometimes renumbers anonymous clone instances (node3 starting as pgsql:1 makes the
   * pgsql:1 running on node2 stop and start again as pgsql:2). A standby the model has running that is
   * stopped and started within one transition changes nothing in the model's terms: its START must keep
   * the model's state, and the checks at the next rest see it running and streaming.
   */
  const isRestart = (action: GraphAction, decision: AgentDecision): boolean => {
    const model = before(next);
    const facts = factsOf(model.context, action.node ?? '');
    return (
      action.operation === 'start' &&
      decision.event === 'START' &&
      stoppedNow.has(action.node ?? '') &&
      facts !== undefined &&
      facts.online &&
      facts.instance === 'unpromoted' &&
      decision.to === stateName(model.value)
    );
  };

  const onAgentLine = (action: GraphAction, line: string) => {
    const text = agentText(line);
    if (text === null) return;
    transcript.push(`    ${action.node} ${action.operation}: ${text}`);
    const decision: AgentDecision | null = parseAgentDecision(line);
    if (decision === null || failure !== null) return;
    // The agents' own account of a fault the test made (a target that finds itself down) is not a step.
    if (kinds[decision.event as RoleMigrationEvent['type']] === 'world') return;
    const step = steps[next];
    if (step === undefined) return; // past the path's end: no longer compared
    const expectedNode = actingNode(step.event, before(next));
    const matches =
      kinds[step.event.type] !== 'world' &&
      decision.event === step.event.type &&
      action.node === expectedNode &&
      (decision.to === step.state || unknowableAbort(step.state, decision.to));
    if (!matches && isRestart(action, decision)) {
      transcript.push(`    (a restart the scheduler made of ${action.node}'s running standby: not a model event)`);
      return;
    }
    if (!matches) {
      fail(
        `step ${next + 1} expected ${formatEvent(step.event)} → ${step.state} by ${expectedNode}, ` +
          `but ${action.node} ${action.operation} decided: ${decision.text}`,
      );
      return;
    }
    next++;
    if (freezeSource !== null && step.event.type === 'MIGRATE_TO') {
      process.kill(freezeSource, 'SIGSTOP');
      freezeSource = null;
    }
    afterAgentStep(action, step.state);
  };

  const onAction = async (executed: ExecutedAction): Promise<void> => {
    const { action, result, ok } = executed;
    if (action.kind === 'rsc_op' && action.operation === 'stop' && ok) stoppedNow.add(action.node ?? '');
    if (action.kind === 'rsc_op') {
      const reason = /^ocf-exit-reason:(.*)$/m.exec(result?.stderr ?? '')?.[1];
      transcript.push(
        `  ${action.node} ${action.key} → ${result?.code ?? '?'}${ok ? '' : ' (failed)'}${reason ? `: ${reason}` : ''}`,
      );
    }
    await actionEnded(action.id);
  };

  /** What waited for an action's end: its live work, then the world steps between it and the next action. */
  const actionEnded = async (id: number): Promise<void> => {
    await pending.get(id);
    pending.delete(id);
    const entry = afterAction.get(id);
    afterAction.delete(id);
    if (entry === undefined || failure !== null) return;
    try {
      for (const index of entry.steps) {
        if (kinds[(steps[index] as (typeof steps)[number]).event.type] === 'observed') await observeRejoin(index);
        else await performWorld(index);
      }
      if (entry.steps.length > 0) await releaseRejoin();
      if (entry.abort) system?.controller.abort();
    } catch (error) {
      fail((error as Error).message);
    }
  };

  /**
   * A migrate_to whose target cannot take over (itself, a node that is down) is never planned by today's
   * scheduler, which only moves the role to a running instance: the proposed interface's migrate_to is
   * invoked directly on the source, as execd would run it. The model refuses it and the primary stays.
   */
  const runNativeMigrateTo = async (index: number): Promise<boolean> => {
    const real = system as RealSystem;
    const event = (steps[index] as (typeof steps)[number]).event;
    if (event.type !== 'MIGRATE_TO') return false;
    const target = factsOf(before(index).context, event.target) as NodeFacts;
    if (event.source !== event.target && !isDown(target)) return false;
    transcript.push(`  migrate_to ${event.source} → ${event.target} invoked directly (the proposed interface)`);
    const result = await real.controller.invokeDirectly(event.source, 'pgsql', 'migrate_to', {
      CRM_meta_migrate_source: event.source,
      CRM_meta_migrate_target: event.target,
    });
    transcript.push(`  ${event.source} migrate_to → ${result.code}`);
    const direct = [...afterAction.keys(), ...pending.keys()];
    for (const id of new Set(direct)) await actionEnded(id);
    if (failure !== null) throw new PathFailure(failure);
    if (next <= index)
      throw new PathFailure(`step ${index + 1}: the agent's migrate_to did not decide ${formatEvent(event)}`);
    if (result.code === 0) throw new PathFailure(`step ${index + 1}: the refused migrate_to succeeded`);
    return true;
  };

  /**
   * The source of a switchover rejoins (streams from the new primary) as soon as that one is promoted; a
   * path that makes a fault in `rejoining` before REJOIN needs the source held back until the fault is made:
   * its link is held cut meanwhile (the model has it not streaming there), then given back.
   */
  const holdRejoin = async (index: number): Promise<void> => {
    for (let k = index; k < steps.length; k++) {
      const step = steps[k] as (typeof steps)[number];
      if (k > index && kinds[step.event.type] === 'scheduled') return;
      const after = steps[k + 1];
      if (step.state !== 'switchover.rejoining' || after === undefined || after.event.type === 'REJOIN') continue;
      const source = (snapshots[k] as ModelSnapshot).context.handover?.source ?? null;
      if (source === null) return;
      await (system as RealSystem).cut(source);
      heldSource = source;
      return;
    }
  };

  const releaseRejoin = async (): Promise<void> => {
    if (heldSource === null) return;
    const source = heldSource;
    heldSource = null;
    if (await (system as RealSystem).isRunning(source)) await (system as RealSystem).restore(source, null);
  };

  const runScheduled = async (index: number): Promise<void> => {
    const real = system as RealSystem;
    if (await runNativeMigrateTo(index)) return;
    await steer(index);
    await holdRejoin(index);
    noteMonitorFailures(await real.controller.fireRecurringMonitors());
    const event = (steps[index] as (typeof steps)[number]).event;
    const following = steps[index + 1];
    const sourceFault =
      event.type === 'MIGRATE_TO' &&
      (following?.event.type === 'INSTANCE_FAILED' || following?.event.type === 'NODE_LOST') &&
      following.event.node === event.source;
    if (sourceFault) {
      // The source must fail before its shutdown checkpoint: its postmaster is frozen the moment the agent
      // decides migrate_to (before pg_ctl's stop can get it to the checkpoint), and then killed.
      freezeSource = await real.postmasterPid(event.source);
    } else if (event.type === 'MIGRATE_TO' && following !== undefined && kinds[following.event.type] === 'world') {
      const stall = await real.stallReceivers(nodes.filter((node) => node !== event.source));
      resumeReceivers = stall.resume;
      stalled = stall.receivers;
    }
    for (let round = 0; round < 8 && failure === null; round++) {
      const graph = await real.controller.nextGraph();
      if (graph.actions.length === 0) break;
      stoppedNow.clear();
      transcript.push(
        `  transition: ${graph.actions
          .filter((a) => a.kind === 'rsc_op')
          .map((a) => `${a.node}:${a.key}`)
          .join(' ')}`,
      );
      await real.controller.run(graph);
      if (next > index) break;
    }
    await releaseRejoin();
    if (failure !== null) throw new PathFailure(failure);
    if (next <= index) {
      const step = steps[index] as (typeof steps)[number];
      throw new PathFailure(`step ${index + 1}: the scheduler never had the agents do ${formatEvent(step.event)}`);
    }
    const kind = next < steps.length ? kinds[(steps[next] as (typeof steps)[number]).event.type] : null;
    if (kind === 'inAction') {
      const step = steps[next] as (typeof steps)[number];
      throw new PathFailure(`step ${next + 1}: ${formatEvent(step.event)} did not happen in the operation before it`);
    }
  };

  try {
    system = await RealSystem.create(nodes, basePort, { onAction, onAgentLine });
    await system.controller.settle();
    await check(initial, 'before the first step');
    while (next < steps.length) {
      const index = next;
      const step = steps[index] as (typeof steps)[number];
      switch (kinds[step.event.type]) {
        case 'world':
          await performWorld(index);
          next++;
          break;
        case 'observed':
          await observeRejoin(index);
          next++;
          break;
        case 'scheduled':
          transcript.push(`  step ${index + 1}: ${formatEvent(step.event)} (asked of the scheduler)`);
          await runScheduled(index);
          break;
        case 'inAction':
          throw new PathFailure(`step ${index + 1}: ${formatEvent(step.event)} cannot happen outside an operation`);
      }
      const rest = snapshots[next - 1] as ModelSnapshot;
      // A path may end inside an operation (demotingSource, catchingUp): the agent's decision was the check.
      if (!inActionStates.has((steps[next - 1] as (typeof steps)[number]).state))
        await check(rest, `after step ${next}`);
    }
    const context = (snapshots.at(-1) as ModelSnapshot).context;
    const holder =
      primaryOf(context) ??
      nodes
        .filter(
          (node) => follows(factsOf(context, node) as NodeFacts) || factsOf(context, node)?.instance === 'unpromoted',
        )
        .filter((node) => factsOf(context, node)?.online)[0] ??
      null;
    if (holder !== null && (await system.isRunning(holder))) {
      const missing = await system.missingRows(holder);
      lostWrites = missing.length;
      if (missing.length > 0) throw new PathFailure(`${missing.length} acknowledged writes missing on ${holder}`);
    }
  } catch (error) {
    failure ??= (error as Error).message;
  }
  (resumeReceivers as (() => void) | null)?.();
  let report = '';
  if (failure !== null && system !== null) {
    const real = system;
    const state = await Promise.all(
      nodes.map(async (node) => {
        const running = await real.isRunning(node);
        const recovery = running ? await real.inRecovery(node) : false;
        return `${node}: ${running ? (recovery ? 'standby' : 'primary') : 'down'}`;
      }),
    );
    const logs = await Promise.all(
      nodes.map(async (node) => `--- ${node} server log\n${await real.serverLogTail(node)}`),
    );
    report = [
      `path ${path.name} (${nodes.length} nodes)`,
      `failure: ${failure}`,
      'model path:',
      ...steps.map((step, index) => `  ${index + 1}. ${formatEvent(step.event)} → ${step.state}`),
      `real state: ${state.join(', ')}; Pacemaker sees promoted: ${(await real.promotedInCib()).join(',') || 'none'}`,
      'what happened (transitions, agent actions and their logs):',
      ...transcript,
      ...logs,
    ].join('\n');
  }
  await system?.dispose().catch(() => undefined);
  const passed = failure === null;
  const states = new Set<string>(activeStates(initial.value));
  for (const each of snapshots) for (const name of activeStates(each.value)) states.add(name);
  return {
    name: path.name,
    nodes,
    passed,
    transitions: passed ? [...new Set(taken.flat())] : [],
    states: passed ? [...states] : [],
    lostWrites,
    maxWritable,
    ms: Date.now() - begun,
    report,
  };
}
