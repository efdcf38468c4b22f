/**
 * The identity of a model state for path generation: two snapshots with the same key behave the same for
 * every future event, so the traversal visits one of them. Three reductions, each sound for this model:
 * - positions are replaced by their rank (timeline rank, then LSN rank within the timeline), because every
 *   guard compares positions and no guard reads their values; a write moves the primary above every
 *   position on its timeline, which the ranks preserve;
 * - facts no guard reads in that state are dropped: a stale hand-over record (it stays stale: timelines
 *   only grow), the last promoted node outside `failover`;
 * - nodes are interchangeable: the key lists the nodes' signatures in sorted order.
 */
import { freshHandover } from '../../models/cluster.ts';
import type { Position } from '../../models/position.ts';
import type { NodeFacts, RoleMigrationContext } from '../../models/types.ts';
import type { ModelSnapshot } from './pathEvents.ts';

function rankPositions(context: RoleMigrationContext): (position: Position) => string {
  const all: Position[] = [];
  for (const facts of Object.values(context.nodes)) all.push(facts.position);
  if (context.handover?.final) all.push(context.handover.final);
  if (context.demotedAt) all.push(context.demotedAt);
  const timelines = [...new Set(all.map((position) => position.timeline))].sort((a, b) => a - b);
  const lsnsByTimeline = new Map<number, number[]>();
  for (const timeline of timelines) {
    const lsns = all.filter((position) => position.timeline === timeline).map((position) => position.lsn);
    lsnsByTimeline.set(
      timeline,
      [...new Set(lsns)].sort((a, b) => a - b),
    );
  }
  return (position) =>
    `${timelines.indexOf(position.timeline)}.${lsnsByTimeline.get(position.timeline)?.indexOf(position.lsn) ?? -1}`;
}

function describeNode(facts: NodeFacts, rank: (position: Position) => string): string {
  return [
    facts.online ? 'on' : 'off',
    facts.instance,
    rank(facts.position),
    facts.streaming ? 's' : '-',
    facts.diverged ? 'd' : '-',
  ].join(',');
}

export function canonicalStateKey(snapshot: ModelSnapshot): string {
  const context = snapshot.context;
  const rank = rankPositions(context);
  const record = snapshot.matches('switchover') ? context.handover : freshHandover(context);
  const lastPromoted = snapshot.matches({ unpromoted: 'failover' }) ? context.lastPromoted : null;
  // A node's signature includes every reference to it, so nodes with equal signatures are interchangeable
  // and sorting the signatures is a canonical renaming.
  const signatures = Object.entries(context.nodes).map(([node, facts]) => {
    const roles = [
      record?.source === node ? 'S' : '',
      record?.target === node ? 'T' : '',
      context.intent?.target === node ? 'I' : '',
      lastPromoted === node ? 'L' : '',
    ].join('');
    return `${describeNode(facts, rank)}:${roles}`;
  });
  return [
    JSON.stringify(snapshot.value),
    signatures.sort().join('|'),
    record?.final ? rank(record.final) : '-',
    context.demotedAt ? rank(context.demotedAt) : '-',
  ].join(' ');
}
