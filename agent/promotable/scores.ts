/**
 * Promotion scores (`crm_attribute --promotion`): the scheduler promotes the instance with the highest one.
 * They steer Pacemaker; safety never depends on them (every promote asks the model). Pacemaker treats
 * ±1,000,000 as ±INFINITY, and -INFINITY + INFINITY = -INFINITY: a refused node is set to -INFINITY so
 * that even a move constraint towards it cannot have it promoted again before it caught up.
 */
import { electableNodes, isAvailableStandby, unknownStandbys } from '../../models/cluster.ts';
import type { NodeName, RoleMigrationContext } from '../../models/types.ts';

export const primaryScore = 1001;
const bestStandbyScore = 1000;
const rankStep = 10;
export const forbidden = -1_000_000;
/**
 * A standby that finds no promotion score at all (a new cluster, or one whose primary is gone without
 * having ranked the standbys) sets this on itself, so that the scheduler promotes someone: that promote is
 * an election, which refuses any node that is not the most advanced and points the scores at the best.
 */
export const candidateScore = 1;

/** The primary's monitor: itself first, then its streaming standbys ranked by the position they wrote. */
export function promotedScores(self: NodeName, standbys: ReadonlyMap<string, number>): Record<NodeName, number> {
  const scores: Record<NodeName, number> = { [self]: primaryScore };
  const distinct = [...new Set(standbys.values())].sort((a, b) => b - a);
  for (const [node, written] of standbys) {
    if (node !== self) scores[node] = bestStandbyScore - rankStep * distinct.indexOf(written);
  }
  return scores;
}

/**
 * A promote that succeeded: this node first at once, and the primary before it lowered to a standby's
 * score. Its first monitor ranks the standbys, but until then the old primary's score would still be the
 * highest, and a move constraint cleared in that moment would send the promoted role straight back.
 * Lowered only: a node the notify lists call promoted before may be one whose promote failed or was
 * refused (it holds -INFINITY, or no score); raising it would let a move constraint towards it demote this
 * primary again and again for a promote that is refused each time (found by the chaos campaign).
 */
export function newPrimaryScores(
  self: NodeName,
  previous: readonly (NodeName | null)[],
  current: ReadonlyMap<NodeName, number | null>,
): Record<NodeName, number> {
  const scores: Record<NodeName, number> = { [self]: primaryScore };
  for (const node of previous) {
    const score = node === null ? null : (current.get(node) ?? null);
    if (node !== null && node !== self && score !== null && score > bestStandbyScore) scores[node] = bestStandbyScore;
  }
  return scores;
}

/** Only the scores that differ from what the CIB holds (a write that changes nothing still aborts a transition). */
export function changedScores(
  wanted: Readonly<Record<NodeName, number>>,
  current: ReadonlyMap<NodeName, number | null>,
): Record<NodeName, number> {
  return Object.fromEntries(Object.entries(wanted).filter(([node, score]) => current.get(node) !== score));
}

/**
 * A refused promotion: never this node for now; the hand-over's source, or else the best electable node, or
 * else a standby whose position this node could not learn — its own promote knows its position, and it
 * refuses in turn if this node is ahead.
 */
export function refusalScores(context: RoleMigrationContext, self: NodeName): Record<NodeName, number> {
  const scores: Record<NodeName, number> = { [self]: forbidden };
  const source = context.handover?.source;
  const favoured =
    source !== undefined && source !== self && isAvailableStandby(context, source)
      ? source
      : (electableNodes(context).find((node) => node !== self) ??
        unknownStandbys(context).find((node) => node !== self));
  if (favoured !== undefined) scores[favoured] = primaryScore;
  return scores;
}
