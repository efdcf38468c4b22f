/**
 * What the model would have decided for one promotion a history records (pure): the facts the promoted node
 * had — the final position recorded before it (a hand-over to a named target, or a plain demote), whether
 * the target had refused it, where the node was when it was promoted (its timeline's switch point) — put
 * into a model snapshot as an agent's action would (reconstructSnapshot), then PROMOTE asked of the model,
 * and its catch-up wait answered with what the node really had.
 */
import { comparePositions, formatPosition, type Position } from '../../models/position.ts';
import type { NodeFacts, NodeName, RoleMigrationEvent } from '../../models/types.ts';
import { decide } from '../policy/decide.ts';
import { type PersistedFacts, reconstructSnapshot } from '../policy/reconstructSnapshot.ts';
import type { AgentFact } from './agentLog.ts';

export type FinalRecord = Extract<AgentFact, { kind: 'handover' | 'demoted' }>;
export type PromotionFact = Extract<AgentFact, { kind: 'promoted' }>;

export interface PromotionVerdict {
  readonly allowed: boolean;
  /** The model's own words: the transition it took, or why it refused. */
  readonly reason: string;
}

function known(position: Position, online: boolean): NodeFacts {
  return { online, instance: 'unpromoted', position, positionKnown: true, streaming: true, diverged: false };
}

const unknown: NodeFacts = {
  online: true,
  instance: 'unpromoted',
  position: { timeline: 1, lsn: 0 },
  positionKnown: false,
  streaming: true,
  diverged: false,
};

/** The model's facts just before `promotion`, with `record` the newest final position recorded before it. */
function factsBefore(
  promotion: PromotionFact,
  record: FinalRecord,
  refused: boolean,
  online: (node: NodeName) => boolean,
): PersistedFacts {
  const holder = record.kind === 'handover' ? record.source : record.node;
  const nodes: Record<NodeName, NodeFacts> = { [holder]: known(record.final, online(holder)) };
  if (record.kind === 'handover' && record.target !== holder) nodes[record.target] = unknown;
  nodes[promotion.node] = known(promotion.fork, true);
  return {
    nodes,
    handover: record.kind === 'handover' ? { source: record.source, target: record.target, final: record.final } : null,
    handoverAborted: refused,
    demotedAt: record.kind === 'demoted' ? record.final : null,
    intent: null,
    lastPromoted: holder,
  };
}

/** The model's verdict on `promotion`, given the final record before it and whether its target had refused. */
export function promotionVerdict(
  promotion: PromotionFact,
  record: FinalRecord,
  refused: boolean,
  online: (node: NodeName) => boolean,
): PromotionVerdict {
  const promote: RoleMigrationEvent = { type: 'PROMOTE', node: promotion.node };
  let decision = decide(reconstructSnapshot(factsBefore(promotion, record, refused, online)), promote);
  const wait =
    decision.kind === 'transition' ? decision.instructions.find((each) => each.type === 'waitForCatchUp') : undefined;
  if (decision.kind === 'transition' && wait?.type === 'waitForCatchUp' && wait.final !== null) {
    // What the node really had when it was promoted answers the wait: the agent's catch-up check, replayed.
    const caughtUp = comparePositions(promotion.fork, wait.final) >= 0;
    const verdict: RoleMigrationEvent = caughtUp
      ? { type: 'CAUGHT_UP', received: promotion.fork }
      : { type: 'CATCH_UP_TIMEOUT' };
    decision = decide(decision.next, verdict);
    if (!caughtUp) {
      const reason = `${promotion.node} had ${formatPosition(promotion.fork)} < ${formatPosition(wait.final)}: catch-up timeout, ${decision.kind === 'transition' ? decision.description || decision.to : decision.reason}`;
      return { allowed: false, reason };
    }
  }
  if (decision.kind === 'unhandled') return { allowed: false, reason: decision.reason };
  const refusal = decision.instructions.find((each) => each.type === 'refuse');
  if (refusal?.type === 'refuse') return { allowed: false, reason: refusal.reason };
  const promotes = decision.instructions.some((each) => each.type === 'promote' && each.node === promotion.node);
  return promotes
    ? { allowed: true, reason: decision.description || `${decision.from} → ${decision.to}` }
    : {
        allowed: false,
        reason: `the model took ${decision.from} → ${decision.to} without promoting ${promotion.node}`,
      };
}
