/**
 * Pure queries over the model's context: who is promoted, who may be elected, whether a hand-over record
 * can be trusted. Guards of the statechart are built from these and nothing else.
 */
import { comparePositions, isAtLeast, type Position } from './position.ts';
import type { HandOver, NodeFacts, NodeName, RoleMigrationContext } from './types.ts';

export function nodeNames(context: RoleMigrationContext): NodeName[] {
  return Object.keys(context.nodes).sort();
}

export function factsOf(context: RoleMigrationContext, node: NodeName): NodeFacts | undefined {
  return Object.hasOwn(context.nodes, node) ? context.nodes[node] : undefined;
}

export function promotedNodes(context: RoleMigrationContext): NodeName[] {
  return nodeNames(context).filter((node) => context.nodes[node]?.instance === 'promoted');
}

export function primaryOf(context: RoleMigrationContext): NodeName | null {
  return promotedNodes(context)[0] ?? null;
}

export function isPrimary(context: RoleMigrationContext, node: NodeName): boolean {
  const facts = factsOf(context, node);
  return facts?.online === true && facts.instance === 'promoted';
}

/** A running, unpromoted instance on an online node that can still follow the current timeline. */
export function isAvailableStandby(context: RoleMigrationContext, node: NodeName): boolean {
  const facts = factsOf(context, node);
  return facts?.online === true && facts.instance === 'unpromoted' && !facts.diverged;
}

export function availableStandbys(context: RoleMigrationContext): NodeName[] {
  return nodeNames(context).filter((node) => isAvailableStandby(context, node));
}

export function newestTimeline(context: RoleMigrationContext): number {
  return Math.max(...Object.values(context.nodes).map((facts) => facts.position.timeline));
}

/** A hand-over record is stale once any node is on a newer timeline: the source was promoted again or another node was. */
export function freshHandover(context: RoleMigrationContext): HandOver | null {
  const record = context.handover;
  if (record === null || record.final === null) return null;
  return record.final.timeline >= newestTimeline(context) ? record : null;
}

/** The positions no promotion may fall behind: the final position of a fresh hand-over, of a plain demote. */
function recordedFloors(context: RoleMigrationContext): Position[] {
  const floors: Position[] = [];
  const record = freshHandover(context);
  if (record?.final) floors.push(record.final);
  if (context.demotedAt !== null) floors.push(context.demotedAt);
  return floors;
}

/**
 * The information rule: an election decides on known positions only. A position nobody could read or
 * publish (the node did not publish for this election, its record is stale or unreadable) is never taken as
 * behind — that guess promoted a lagging standby over one holding acknowledged writes. Such a standby blocks
 * the election until its position is known, unless the candidate holds a recorded final position: a primary
 * that shut down cleanly wrote nothing past it, so no node can hold more. An offline node (lost, or fenced)
 * blocks nothing: its instance cannot be promoted and Pacemaker has given up on it; what it recorded before
 * (a hand-over, a demote's final position) still binds, as a floor.
 */
export function unknownStandbys(context: RoleMigrationContext): NodeName[] {
  return availableStandbys(context).filter((node) => !(context.nodes[node] as NodeFacts).positionKnown);
}

/** Whether `position` holds a recorded final position (and every other one): nothing can be ahead of it. */
function holdsFinalPosition(context: RoleMigrationContext, position: Position): boolean {
  const floors = recordedFloors(context);
  return floors.length > 0 && floors.every((floor) => isAtLeast(position, floor));
}

/**
 * May `node` be promoted by an election? Only an available standby whose position is known, at least as
 * advanced as every other available standby whose position is known and as every recorded final position;
 * and with a standby of unknown position, only if it holds a recorded final position (see above). The
 * operator's intent plays no part.
 */
export function isElectable(context: RoleMigrationContext, node: NodeName): boolean {
  if (!isAvailableStandby(context, node)) return false;
  const facts = context.nodes[node] as NodeFacts;
  if (!facts.positionKnown) return false;
  if (unknownStandbys(context).length > 0 && !holdsFinalPosition(context, facts.position)) return false;
  const others = availableStandbys(context)
    .filter((other) => (context.nodes[other] as NodeFacts).positionKnown)
    .map((other) => (context.nodes[other] as NodeFacts).position);
  return [...others, ...recordedFloors(context)].every((position) => isAtLeast(facts.position, position));
}

export function electableNodes(context: RoleMigrationContext): NodeName[] {
  return nodeNames(context).filter((node) => isElectable(context, node));
}

/** The most advanced available standby, for explanations ("node3 is ahead"). */
export function mostAdvancedStandby(context: RoleMigrationContext): NodeName | null {
  let best: NodeName | null = null;
  for (const node of availableStandbys(context)) {
    if (!(context.nodes[node] as NodeFacts).positionKnown) continue;
    const position = (context.nodes[node] as NodeFacts).position;
    if (best === null || comparePositions(position, (context.nodes[best] as NodeFacts).position) > 0) best = node;
  }
  return best;
}

export function isHandoverTarget(context: RoleMigrationContext, node: NodeName): boolean {
  return context.handover?.target === node;
}

export function isHandoverSource(context: RoleMigrationContext, node: NodeName): boolean {
  return context.handover?.source === node;
}

/** A standby that may become the target of a switchover. */
export function isMigrationTarget(context: RoleMigrationContext, source: NodeName, target: NodeName): boolean {
  return source !== target && isPrimary(context, source) && isAvailableStandby(context, target);
}
