/**
 * What one agent action knows, turned into the model's PersistedFacts: this node's own instance (observed
 * now), the other nodes as this transition's notify lists describe them, and what the nodes published
 * between actions (their records and election positions). Pure; the agent gathers, this derives.
 *
 * Other nodes' positions count only when published in this election's pre-promote round (see
 * `isCurrentPublication`); any other node's position is unknown, and the model's information rule decides
 * what an unknown position means (it blocks the election; it is never taken as behind). Records on a
 * timeline older than the newest one known are stale and never used.
 */
import { comparePositions, type Position } from '../../models/position.ts';
import type { HandOver, Instance, Intent, NodeName } from '../../models/types.ts';
import type { CloneChange } from '../adapter/facts.ts';
import { knownPromotions, type NodeRecord, type PublishedHandover } from './nodeRecord.ts';
import type { ObservedNode, PersistedFacts } from './reconstructSnapshot.ts';

export interface OwnInstance {
  readonly instance: Instance;
  /** Null when the instance cannot tell (a server that does not answer). */
  readonly position: Position | null;
  readonly streaming: boolean;
}

export interface AgentObservation {
  readonly node: NodeName;
  readonly own: OwnInstance;
  /** This transition's lists (null with notify=false: the action is all that is known). */
  readonly change: CloneChange | null;
  /** Nodes this transition lists as online (available), own node included. */
  readonly online: readonly NodeName[];
  readonly records: ReadonlyMap<NodeName, NodeRecord>;
  /** Positions published for an election, per node. */
  readonly positions: ReadonlyMap<NodeName, NodeRecord>;
  readonly now: number;
  /** How far before this node's own publication (or now) a peer's may be and still be of this round. */
  readonly electionRoundMs: number;
  /** The operator's intent in force (read only by a demote that names no successor). */
  readonly intent?: Intent | null;
}

/** Stands in for a position nobody knows; never compared, since `positionKnown` is false beside it. */
const unknownPosition: Position = { timeline: 1, lsn: 0 };

/**
 * Whether a peer's published position belongs to this election: every node publishes in the same
 * pre-promote round, so a publication counts when it is no older than this node's own (or, without one,
 * than now) by more than `electionRoundMs`. An earlier election's publication may be behind what the peer
 * has received since, so it is not used. The stamps come from different nodes' clocks: the margin absorbs
 * what NTP leaves between them and the round's own spread; between two rounds closer than the margin no
 * primary runs long enough to write (a new primary must first be lost, which takes corosync's token timeout
 * and fencing), so a position from the previous round is still the node's true one.
 */
export function isCurrentPublication(observation: AgentObservation, at: number): boolean {
  const anchor = observation.positions.get(observation.node)?.position?.at ?? observation.now;
  return at >= Math.min(anchor, observation.now) - observation.electionRoundMs;
}

function latest(positions: readonly Position[]): Position | null {
  return positions.reduce<Position | null>(
    (best, position) => (best === null || comparePositions(position, best) > 0 ? position : best),
    null,
  );
}

/** The newest timeline anyone is known to be on: own, published positions, and promotions (fork + 1). */
export function newestKnownTimeline(observation: AgentObservation): number {
  return Math.max(
    observation.own.position?.timeline ?? 1,
    newestRecordedTimeline(observation.records, observation.positions),
  );
}

/**
 * The newest timeline the nodes' records and publications name: a promotion's fork + 1, a published
 * position's timeline. A promotion must number its timeline above it (`ReplicatedDatabase.promote`).
 */
export function newestRecordedTimeline(
  records: ReadonlyMap<NodeName, NodeRecord>,
  positions: ReadonlyMap<NodeName, NodeRecord>,
): number {
  const timelines = [1];
  for (const promotion of knownPromotions(records)) timelines.push(promotion.onto);
  for (const record of records.values()) {
    if (record.handover !== undefined) timelines.push(record.handover.handover.final.timeline);
  }
  for (const record of positions.values()) {
    if (record.position !== undefined) timelines.push(record.position.position.timeline);
  }
  return Math.max(...timelines);
}

/** The node promoted onto the newest timeline any record knows of (null: none recorded). */
export function newestPromotedNode(records: ReadonlyMap<NodeName, NodeRecord>): NodeName | null {
  const promotions = knownPromotions(records);
  promotions.sort((a, b) => b.onto - a.onto);
  return promotions[0]?.node ?? null;
}

function instanceOf(change: CloneChange | null, node: NodeName): Instance {
  if (change === null) return 'unpromoted';
  const leaving = change.demote.includes(node) || change.stop.includes(node);
  if (change.promotedBefore.includes(node) && !leaving) return 'promoted';
  if (change.stop.includes(node) && !change.start.includes(node)) return 'stopped';
  return 'unpromoted';
}

function isSameHandover(a: PublishedHandover, b: PublishedHandover): boolean {
  const [x, y] = [a.handover, b.handover];
  return x.source === y.source && x.target === y.target && comparePositions(x.final, y.final) === 0;
}

/**
 * The newest fresh hand-over, from any node's record: migrate_to writes it on the source and copies it onto
 * every other node's record, because pacemaker-attrd forgets the source's attributes with its node. An
 * abort is kept: when any copy says aborted, the hand-over is aborted (only the source may be promoted).
 */
function freshHandover(observation: AgentObservation, newest: number): PublishedHandover | null {
  const candidates = [...observation.records.values()]
    .map((record) => record.handover)
    .filter((record): record is PublishedHandover => record !== undefined && record.handover.final.timeline >= newest);
  candidates.sort((a, b) => comparePositions(b.handover.final, a.handover.final));
  const newestRecord = candidates[0];
  if (newestRecord === undefined) return null;
  const copies = candidates.filter((record) => isSameHandover(record, newestRecord));
  return copies.some((record) => record.verdict === 'aborted') ? { ...newestRecord, verdict: 'aborted' } : newestRecord;
}

/**
 * Whether this node went past the point where the newest timeline forked off its own: it cannot follow
 * without pg_rewind. Two definite cases: it is on the timeline another node was promoted from, past that
 * fork point; or it was itself promoted onto its timeline, and another node was promoted from the same
 * parent timeline — two histories with one timeline ID (the other never saw this one's), and this node's
 * is not the one being followed. Only a definite divergence is reported; PostgreSQL refuses the rest itself.
 */
export function hasDiverged(
  own: Position | null,
  records: ReadonlyMap<NodeName, NodeRecord>,
  self: NodeName | null = null,
): boolean {
  if (own === null) return false;
  const promotions = knownPromotions(records);
  // This node is still on the timeline it was itself promoted onto (its own record, or a copy on another's).
  const ownPromotion = promotions.find((each) => each.node === self && each.onto === own.timeline);
  return promotions.some((promotion) => {
    if (promotion.node === self) return false;
    if (promotion.fork.timeline === own.timeline && own.lsn > promotion.fork.lsn) return true;
    // Another promotion from the same parent timeline as this node's own: two branches, and this one's is
    // not the one followed (with the same ID when either was promoted before IDs were reserved).
    return ownPromotion !== undefined && promotion.fork.timeline === ownPromotion.fork.timeline;
  });
}

/**
 * Where a promotion forks the timeline: the end of the node's WAL when it was promoted — after a catch-up
 * wait, what it had received by then, which is the later of the two positions.
 */
export function forkPosition(before: Position, received: Position): Position {
  return comparePositions(received, before) > 0 ? received : before;
}

export function agentFacts(observation: AgentObservation): PersistedFacts {
  const { node: self, own, change, records } = observation;
  const newest = newestKnownTimeline(observation);
  const handover = freshHandover(observation, newest);
  const published = (node: NodeName): Position | null => {
    const entry = observation.positions.get(node)?.position;
    return entry !== undefined && isCurrentPublication(observation, entry.at) ? entry.position : null;
  };
  const names = new Set<NodeName>([self, ...observation.online, ...records.keys()]);
  if (handover !== null) for (const node of [handover.handover.source, handover.handover.target]) names.add(node);
  const nodes: Record<NodeName, ObservedNode> = {};
  for (const node of [...names].sort()) {
    if (node === self) {
      nodes[node] = {
        online: true,
        instance: own.instance,
        position: own.position ?? unknownPosition,
        positionKnown: own.position !== null,
        streaming: own.streaming,
        diverged: own.instance !== 'promoted' && hasDiverged(own.position, records, self),
      };
      continue;
    }
    const isSource = handover?.handover.source === node;
    const known = published(node) ?? (isSource && handover !== null ? handover.handover.final : null);
    nodes[node] = {
      online: observation.online.includes(node) || (change === null && isSource),
      instance: instanceOf(change, node),
      position: known ?? unknownPosition,
      positionKnown: known !== null,
      streaming: true,
      diverged: false,
    };
  }
  const demoted = [...records.values()]
    .map((record) => record.demoted)
    .filter((position): position is Position => position !== undefined && position.timeline >= newest);
  const forks = [...records.entries()].filter(([, record]) => record.fork !== undefined);
  forks.sort(([, a], [, b]) => comparePositions(b.fork as Position, a.fork as Position));
  const handoverFacts: HandOver | null = handover === null ? null : handover.handover;
  return {
    nodes,
    handover: handoverFacts,
    handoverAborted: handover?.verdict === 'aborted',
    demotedAt: latest(demoted),
    intent: observation.intent ?? null,
    lastPromoted: change?.promotedBefore[0] ?? forks[0]?.[0] ?? null,
  };
}
