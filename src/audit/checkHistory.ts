/**
 * `promigrate check-history` (pure): a cluster's pe-input history, and the agents' decision lines where a
 * log is given, held against the model and its invariants.
 *
 * - Every promoted-role change the history shows (explainHistory: switchover, failover, recovery,
 *   promotion, demotion, with the transitions it spanned) is mapped to the model's events.
 * - At most one promoted instance (promoted-max 1): checked in every input, the cluster as each transition
 *   found it.
 * - Every promotion the log records is replayed through the model with the facts it had (promotionVerdict):
 *   the newest final position recorded before it and not yet overtaken by another promotion, whether the
 *   target had refused, and where the promoted node really was (its timeline's switch point). A promotion the
 *   model would not have made is reported: a switchover it would have aborted (the target behind the
 *   source's final position), or a promotion behind a plain demote's final position. A promotion with no
 *   final position before it (a first promotion, a failover) has nothing recorded to be behind of: it is
 *   counted as not checked.
 */
import { formatPosition } from '../../models/position.ts';
import { promotedNodes } from '../adapter/cib.ts';
import type { Migration } from '../adapter/classify.ts';
import { explainHistory, type HistoryInput } from '../adapter/history.ts';
import type { AgentFact } from './agentLog.ts';
import { type FinalRecord, type PromotionFact, promotionVerdict } from './promotionVerdict.ts';

export type Rule = 'two-promoted' | 'would-abort' | 'behind-final';

export interface Violation {
  readonly rule: Rule;
  /** The transition (pe-input number) it happened in, null when the log line precedes every input. */
  readonly transition: number | null;
  readonly message: string;
}

export interface RoleChange extends Migration {
  /** The change in the model's events. */
  readonly events: readonly string[];
}

export interface HistoryCheck {
  readonly changes: readonly RoleChange[];
  readonly violations: readonly Violation[];
  /** Promotions in the log replayed through the model, and those with no final position before them. */
  readonly promotionsChecked: number;
  readonly promotionsUnchecked: number;
}

/** A role change in the model's events (models/types.ts). */
export function modelEvents(change: Migration): string[] {
  const { from, to } = change;
  switch (change.kind) {
    case 'switchover':
      return [`MIGRATE_TO ${from}→${to}`, 'SHUTDOWN_CHECKPOINT', `MIGRATE_FROM ${to}`];
    case 'failover':
      return [change.cause === 'node-lost' ? `NODE_LOST ${from}` : `INSTANCE_FAILED ${from}`, `PROMOTE ${to}`];
    case 'recovery':
      return [`INSTANCE_FAILED ${from}`, `START ${from}`, `PROMOTE ${to}`];
    case 'promotion':
      return [`PROMOTE ${to}`];
    case 'demotion':
      return [`DEMOTE ${from}`];
  }
}

/** The transition a log time falls in: the newest input written (execution-date) at or before it. */
function transitionAt(inputs: readonly HistoryInput[], at: number): HistoryInput | null {
  let found: HistoryInput | null = null;
  for (const input of inputs) {
    const written = input.cib.executionDate;
    if (written !== null && written * 1000 <= at) found = input;
  }
  return found;
}

function twoPromoted(inputs: readonly HistoryInput[]): Violation[] {
  return inputs.flatMap((input) =>
    input.cib.clones
      .filter((clone) => clone.promotedMax <= 1)
      .map((clone) => ({ clone, promoted: promotedNodes(input.cib, clone) }))
      .filter(({ promoted }) => promoted.length > 1)
      .map(({ clone, promoted }) => ({
        rule: 'two-promoted' as const,
        transition: input.sequence,
        message: `${clone.id} promoted on ${promoted.join(' and ')} at once (pe-input ${input.sequence}), promoted-max ${clone.promotedMax}`,
      })),
  );
}

/** The newest final record before `index` that no promotion has overtaken since, and whether it was refused. */
function recordBefore(facts: readonly AgentFact[], index: number): { record: FinalRecord; refused: boolean } | null {
  for (let each = index - 1; each >= 0; each--) {
    const fact = facts[each] as AgentFact;
    if (fact.kind === 'promoted') return null;
    if (fact.kind === 'demoted') return { record: fact, refused: false };
    if (fact.kind === 'handover') {
      const refused = facts
        .slice(each + 1, index)
        .some((later) => later.kind === 'refused' && later.source === fact.source && later.target === fact.target);
      return { record: fact, refused };
    }
  }
  return null;
}

function promotionViolation(
  inputs: readonly HistoryInput[],
  promotion: PromotionFact,
  record: FinalRecord,
  refused: boolean,
): Violation | null {
  const input = transitionAt(inputs, promotion.at);
  const online = (node: string) => input?.cib.nodes.get(node)?.online ?? true;
  const verdict = promotionVerdict(promotion, record, refused, online);
  if (verdict.allowed) return null;
  const where = input === null ? 'before the first input' : `transition ${input.sequence}`;
  const promoted = `${promotion.node} promoted onto timeline ${promotion.onto} at ${formatPosition(promotion.fork)}`;
  if (record.kind === 'handover') {
    return {
      rule: 'would-abort',
      transition: input?.sequence ?? null,
      message: `${where}: ${promoted}, in the switchover ${record.source}→${record.target} whose final position is ${formatPosition(record.final)}; the model would have aborted it (${verdict.reason})`,
    };
  }
  return {
    rule: 'behind-final',
    transition: input?.sequence ?? null,
    message: `${where}: ${promoted}, behind ${record.node}'s final position ${formatPosition(record.final)}; the model refuses it (${verdict.reason})`,
  };
}

/** `inputs` in the order the scheduler wrote them (writtenOrder); `facts` from every node's log, any order. */
export function checkHistory(inputs: readonly HistoryInput[], facts: readonly AgentFact[]): HistoryCheck {
  const changes = explainHistory(inputs).map((change) => ({ ...change, events: modelEvents(change) }));
  const violations = twoPromoted(inputs);
  const ordered = [...facts].sort((a, b) => a.at - b.at);
  let promotionsChecked = 0;
  let promotionsUnchecked = 0;
  ordered.forEach((fact, index) => {
    if (fact.kind !== 'promoted') return;
    const before = recordBefore(ordered, index);
    if (before === null) {
      promotionsUnchecked++;
      return;
    }
    promotionsChecked++;
    const violation = promotionViolation(inputs, fact, before.record, before.refused);
    if (violation !== null) violations.push(violation);
  });
  return { changes, violations, promotionsChecked, promotionsUnchecked };
}
