/**
 * The model's safety and liveness properties, checked on every reachable state and edge of the model graph
 * (exhaustive traversal, see modelGraph.ts). Each check reports its violations and how many states or edges
 * it actually examined, so that a check that examined nothing is visible as such.
 */
import { transition } from 'xstate';
import { availableStandbys, factsOf, freshHandover, isElectable, promotedNodes } from '../../models/cluster.ts';
import { comparePositions, formatPosition } from '../../models/position.ts';
import type { RoleMigrationContext, RoleMigrationEventType } from '../../models/types.ts';
import type { ModelEdge, ModelGraph } from '../paths/modelGraph.ts';
import type { ModelSnapshot } from '../paths/pathEvents.ts';
import { stateName } from '../paths/statechartParts.ts';

export interface Violation {
  readonly state: string;
  readonly message: string;
}

export interface InvariantResult {
  readonly name: string;
  readonly description: string;
  readonly examined: number;
  readonly violations: readonly Violation[];
}

interface Promotion {
  readonly edge: ModelEdge;
  readonly before: ModelSnapshot;
  readonly node: string;
}

/** The edges that promote an instance, with the node they promote. */
function promotions(graph: ModelGraph): Promotion[] {
  const found: Promotion[] = [];
  for (const [key, edges] of graph.edges) {
    const before = graph.states.get(key) as ModelSnapshot;
    const wasPromoted = new Set(promotedNodes(before.context));
    for (const edge of edges) {
      const [after] = transition(graph.machine, before, edge.event);
      for (const node of promotedNodes(after.context)) {
        if (!wasPromoted.has(node)) found.push({ edge, before, node });
      }
    }
  }
  return found;
}

function where(snapshot: ModelSnapshot, edge?: ModelEdge): string {
  const event = edge === undefined ? '' : ` on ${JSON.stringify(edge.event)}`;
  return `${stateName(snapshot.value)}${event}`;
}

function positionOf(context: RoleMigrationContext, node: string) {
  return (factsOf(context, node) as NonNullable<ReturnType<typeof factsOf>>).position;
}

export function atMostOnePromoted(graph: ModelGraph): InvariantResult {
  const violations: Violation[] = [];
  for (const snapshot of graph.states.values()) {
    const promoted = promotedNodes(snapshot.context);
    if (promoted.length > 1) violations.push({ state: where(snapshot), message: `promoted: ${promoted.join(', ')}` });
  }
  return {
    name: 'at most one promoted',
    description: 'No reachable state has two promoted instances.',
    examined: graph.states.size,
    violations,
  };
}

export function switchoverPromotesOnlyCaughtUpTarget(graph: ModelGraph): InvariantResult {
  const violations: Violation[] = [];
  let examined = 0;
  for (const { edge, before, node } of promotions(graph)) {
    if (!before.matches('switchover') || before.matches({ switchover: 'aborted' })) continue;
    if (node !== before.context.handover?.target) continue;
    examined++;
    const final = before.context.handover.final;
    const received = positionOf(before.context, node);
    if (final === null || comparePositions(received, final) < 0) {
      violations.push({
        state: where(before, edge),
        message: `${node} promoted at ${formatPosition(received)} below final ${final ? formatPosition(final) : '(none)'}`,
      });
    }
  }
  return {
    name: 'switchover promotes only a caught-up target',
    description: "A controlled switchover promotes the target only once it received the source's final position.",
    examined,
    violations,
  };
}

export function abortedSwitchoverPromotesSourceAgain(graph: ModelGraph): InvariantResult {
  const violations: Violation[] = [];
  let examined = 0;
  for (const { edge, before, node } of promotions(graph)) {
    if (!before.matches({ switchover: 'aborted' })) continue;
    examined++;
    const record = before.context.handover;
    if (record === null) continue;
    const sourceAvailable = availableStandbys(before.context).includes(record.source);
    if (node === record.source) continue;
    const final = record.final;
    const holdsFinal = final !== null && comparePositions(positionOf(before.context, node), final) >= 0;
    if (sourceAvailable || !holdsFinal) {
      violations.push({
        state: where(before, edge),
        message: `aborted switchover promoted ${node}, not ${record.source}`,
      });
    }
  }
  return {
    name: 'aborted switchover promotes the source again',
    description:
      'After an aborted switchover only the source is promoted again (or, if its node is lost, a node holding its final position).',
    examined,
    violations,
  };
}

export function electionNeverPromotesLaggingStandby(graph: ModelGraph): InvariantResult {
  const violations: Violation[] = [];
  let examined = 0;
  for (const { edge, before, node } of promotions(graph)) {
    if (before.matches('switchover') && !before.matches({ switchover: 'aborted' })) continue;
    examined++;
    const own = positionOf(before.context, node);
    for (const other of availableStandbys(before.context)) {
      if (other === node) continue;
      const theirs = positionOf(before.context, other);
      if (comparePositions(own, theirs) < 0) {
        violations.push({
          state: where(before, edge),
          message: `${node} at ${formatPosition(own)} promoted while ${other} at ${formatPosition(theirs)} is ahead`,
        });
      }
    }
  }
  return {
    name: 'an election never promotes a lagging standby',
    description: 'A failover, recovery or first promotion never promotes a standby behind another available standby.',
    examined,
    violations,
  };
}

export function neverBehindRecordedFinalPosition(graph: ModelGraph): InvariantResult {
  const violations: Violation[] = [];
  let examined = 0;
  for (const { edge, before, node } of promotions(graph)) {
    const record = freshHandover(before.context);
    const floors = [record?.final ?? null, before.context.demotedAt].filter((floor) => floor !== null);
    if (floors.length === 0) continue;
    examined++;
    const own = positionOf(before.context, node);
    for (const floor of floors) {
      if (comparePositions(own, floor) < 0) {
        violations.push({
          state: where(before, edge),
          message: `${node} at ${formatPosition(own)} promoted behind final position ${formatPosition(floor)}`,
        });
      }
    }
  }
  return {
    name: 'never behind a recorded final position',
    description:
      "While a fresh hand-over record or a demoted primary's final position exists, no node behind it is promoted (PAF#225).",
    examined,
    violations,
  };
}

export function intentNeverOutlivesPromotedRole(graph: ModelGraph): InvariantResult {
  const violations: Violation[] = [];
  let examined = 0;
  for (const snapshot of graph.states.values()) {
    if (snapshot.matches('promoted')) continue;
    examined++;
    if (snapshot.context.intent !== null) {
      violations.push({ state: where(snapshot), message: `intent for ${snapshot.context.intent.target} left behind` });
    }
  }
  return {
    name: "the operator's intent never outlives its switchover",
    description: 'An intent exists only while a node is promoted and no switchover or failover has started.',
    examined,
    violations,
  };
}

/** What the cluster does on its own: Pacemaker's reactions and PostgreSQL's outcomes, no fault, no operator. */
const reactions: ReadonlySet<RoleMigrationEventType> = new Set([
  'PROMOTE',
  'START',
  'MIGRATE_FROM',
  'CAUGHT_UP',
  'CATCH_UP_TIMEOUT',
  'SHUTDOWN_CHECKPOINT',
  'REJOIN',
]);

/**
 * Every path ends in a stable state: the reactions alone never cycle (no ping-pong of the promoted role),
 * and a state where no reaction applies has a promoted node, or no node that could safely be promoted.
 */
export function reactionsSettle(graph: ModelGraph): InvariantResult {
  const violations: Violation[] = [];
  const next = (key: string) =>
    (graph.edges.get(key) ?? []).filter((edge) => reactions.has(edge.event.type) && edge.to !== key);
  const colour = new Map<string, 'open' | 'done'>();
  const visit = (start: string) => {
    const stack: Array<{ key: string; index: number }> = [{ key: start, index: 0 }];
    colour.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { key: string; index: number };
      const edges = next(top.key);
      if (top.index >= edges.length) {
        colour.set(top.key, 'done');
        stack.pop();
        continue;
      }
      const edge = edges[top.index++] as ModelEdge;
      const seen = colour.get(edge.to);
      if (seen === 'open') {
        const snapshot = graph.states.get(edge.to) as ModelSnapshot;
        violations.push({ state: where(snapshot, edge), message: 'reactions cycle back to this state (ping-pong)' });
      } else if (seen === undefined) {
        colour.set(edge.to, 'open');
        stack.push({ key: edge.to, index: 0 });
      }
    }
  };
  for (const key of graph.states.keys()) if (!colour.has(key)) visit(key);
  for (const [key, snapshot] of graph.states) {
    if (next(key).length > 0) continue;
    const context = snapshot.context;
    const settled = snapshot.matches('promoted') || promotedNodes(context).length === 1;
    const nobodySafe = Object.keys(context.nodes).every((node) => !isElectable(context, node));
    if (!settled && !nobodySafe) {
      violations.push({ state: where(snapshot), message: 'stuck: no reaction applies, yet a node could be promoted' });
    }
  }
  return {
    name: 'reactions settle',
    description: 'Without new faults, every path ends in a stable state and the promoted role never ping-pongs.',
    examined: graph.states.size,
    violations,
  };
}

export const invariants = [
  atMostOnePromoted,
  switchoverPromotesOnlyCaughtUpTarget,
  abortedSwitchoverPromotesSourceAgain,
  electionNeverPromotesLaggingStandby,
  neverBehindRecordedFinalPosition,
  intentNeverOutlivesPromotedRole,
  reactionsSettle,
];

export function checkInvariants(graph: ModelGraph): InvariantResult[] {
  return invariants.map((check) => check(graph));
}
