/**
 * Pure updates of the model's context, one per fact or decision. The statechart's `assign` actions call
 * these; they compute, they never perform I/O.
 */
import { freshHandover, newestTimeline, primaryOf } from './cluster.ts';
import { comparePositions, type Position } from './position.ts';
import type { NodeFacts, NodeName, RoleMigrationContext } from './types.ts';

type Context = RoleMigrationContext;

function withNodes(context: Context, change: (node: NodeName, facts: NodeFacts) => NodeFacts): Context {
  const nodes: Record<NodeName, NodeFacts> = {};
  for (const [node, facts] of Object.entries(context.nodes)) nodes[node] = change(node, facts);
  return { ...context, nodes };
}

function withNode(context: Context, node: NodeName, change: (facts: NodeFacts) => NodeFacts): Context {
  return withNodes(context, (name, facts) => (name === node ? change(facts) : facts));
}

function later(a: Position, b: Position): Position {
  return comparePositions(a, b) >= 0 ? a : b;
}

/** A standby that streams from the primary and can follow it receives everything it writes. */
function follows(facts: NodeFacts): boolean {
  return facts.online && facts.instance === 'unpromoted' && facts.streaming && !facts.diverged;
}

export function initialContext(nodes: readonly NodeName[]): Context {
  if (nodes.length < 2) throw new Error(`a promotable clone needs at least 2 nodes, got ${nodes.length}`);
  const start: Position = { timeline: 1, lsn: 0 };
  const facts: Record<NodeName, NodeFacts> = {};
  for (const node of nodes) {
    facts[node] = {
      online: true,
      instance: 'unpromoted',
      position: start,
      positionKnown: true,
      streaming: true,
      diverged: false,
    };
  }
  return { nodes: facts, handover: null, demotedAt: null, intent: null, lastPromoted: null };
}

/** The primary acknowledges one write; streaming standbys receive it (asynchronous replication, no lag modelled). */
export function acknowledgeWrite(context: Context): Context {
  const primary = primaryOf(context);
  if (primary === null) return context;
  const old = (context.nodes[primary] as NodeFacts).position;
  const written: Position = { timeline: old.timeline, lsn: old.lsn + 1 };
  return withNodes(context, (node, facts) => {
    if (node === primary) return { ...facts, position: written };
    return follows(facts) ? { ...facts, position: written } : facts;
  });
}

export function cutReplication(context: Context, node: NodeName): Context {
  return withNode(context, node, (facts) => ({ ...facts, streaming: false }));
}

/**
 * The standby reconnects and receives what its upstream has: the primary's WAL, or while no node is
 * promoted, a cleanly demoted source's WAL up to its shutdown checkpoint (cascading from the restarted source).
 */
export function restoreReplication(context: Context, node: NodeName): Context {
  const primary = primaryOf(context);
  const upstream = primary ?? freshHandover(context)?.source ?? null;
  const upstreamFacts = upstream === null ? undefined : context.nodes[upstream];
  return withNode(context, node, (facts) => {
    const reachable = upstreamFacts?.online && upstreamFacts.instance !== 'failed';
    const position = reachable ? later(facts.position, upstreamFacts.position) : facts.position;
    return { ...facts, streaming: true, position };
  });
}

export function failInstance(context: Context, node: NodeName): Context {
  return withNode(context, node, (facts) => ({ ...facts, instance: 'failed', streaming: false }));
}

/** The node leaves the membership; its instance is gone with it, its data directory stays. */
export function loseNode(context: Context, node: NodeName): Context {
  return withNode(context, node, (facts) => ({ ...facts, online: false, instance: 'stopped', streaming: false }));
}

export function joinNode(context: Context, node: NodeName): Context {
  return withNode(context, node, (facts) => ({ ...facts, online: true, instance: 'stopped', streaming: false }));
}

/** Started as a standby: it follows the primary, if there is one, and catches up with it. */
export function startInstance(context: Context, node: NodeName): Context {
  const primary = primaryOf(context);
  const primaryFacts = primary === null ? undefined : context.nodes[primary];
  return withNode(context, node, (facts) => ({
    ...facts,
    instance: 'unpromoted',
    streaming: true,
    position: primaryFacts === undefined ? facts.position : primaryFacts.position,
  }));
}

/**
 * Promotion forks a new timeline at the node's position. Every node whose WAL goes past that fork point has
 * diverged; streaming standbys that have not follow the new primary.
 */
export function promoteNode(context: Context, node: NodeName): Context {
  const fork = (context.nodes[node] as NodeFacts).position;
  const promoted: Position = { timeline: newestTimeline(context) + 1, lsn: fork.lsn };
  const next = withNodes(context, (name, facts) => {
    if (name === node) return { ...facts, instance: 'promoted', position: promoted, streaming: false };
    const diverged = facts.diverged || comparePositions(facts.position, fork) > 0;
    if (!diverged && follows(facts)) return { ...facts, position: promoted };
    return { ...facts, diverged };
  });
  return { ...next, lastPromoted: node, intent: null, demotedAt: null };
}

/**
 * A plain demote: clean shutdown, restart as a standby; its final position binds the next promotion. The
 * restarted standby follows whichever node is promoted next, as the other standbys do.
 */
export function demoteToStandby(context: Context, node: NodeName): Context {
  const position = (context.nodes[node] as NodeFacts).position;
  const next = withNode(context, node, (facts) => ({ ...facts, instance: 'unpromoted', streaming: true }));
  return { ...next, demotedAt: position, intent: null };
}

export function beginMigration(context: Context, source: NodeName, target: NodeName): Context {
  return { ...context, handover: { source, target, final: null }, intent: null };
}

/**
 * The source shut down cleanly at its shutdown checkpoint and restarted as a standby. PostgreSQL's walsender
 * sends everything up to that checkpoint to every CONNECTED standby before it exits; a cut one misses it.
 */
export function recordShutdownCheckpoint(context: Context, position: Position): Context {
  const record = context.handover;
  if (record === null) return context;
  const next = withNodes(context, (node, facts) => {
    if (node === record.source) return { ...facts, instance: 'unpromoted', position, streaming: false };
    return follows(facts) ? { ...facts, position: later(facts.position, position) } : facts;
  });
  return { ...next, handover: { ...record, final: position } };
}

/** migrate_from observed the target's received position while waiting for the shutdown checkpoint. */
export function recordReceived(context: Context, received: Position): Context {
  const target = context.handover?.target;
  if (target === undefined) return context;
  return withNode(context, target, (facts) => ({ ...facts, position: later(facts.position, received) }));
}

/** A migration that never reached its shutdown checkpoint leaves no record behind. */
export function dropUnfinishedHandover(context: Context): Context {
  return context.handover?.final === null ? { ...context, handover: null } : context;
}

/** The old primary streams from the new one on its timeline. */
export function rejoin(context: Context, node: NodeName): Context {
  const primary = primaryOf(context);
  const primaryFacts = primary === null ? undefined : context.nodes[primary];
  return withNode(context, node, (facts) => ({
    ...facts,
    streaming: true,
    position: primaryFacts === undefined ? facts.position : primaryFacts.position,
  }));
}

export function setIntent(context: Context, target: NodeName): Context {
  return { ...context, intent: { target } };
}

export function clearIntent(context: Context): Context {
  return { ...context, intent: null };
}
