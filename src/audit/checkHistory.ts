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

/**
 * A role change in the model's events (models/types.ts). `handover`, when the log holds one from the
 * change's source in its transitions, names the switchover a pe-input history alone shows as a demotion
 * (a move whose target refused), and its final position.
 */
export function modelEvents(
  change: Migration,
  handover: Extract<AgentFact, { kind: 'handover' }> | null = null,
  refused = false,
): string[] {
  const { from, to } = change;
  const checkpoint =
    handover === null ? 'SHUTDOWN_CHECKPOINT' : `SHUTDOWN_CHECKPOINT ${formatPosition(handover.final)}`;
  if (change.kind === 'demotion' && handover !== null) {
    const migrateTo = `MIGRATE_TO ${handover.source}→${handover.target}`;
    return refused
      ? [migrateTo, checkpoint, `MIGRATE_FROM ${handover.target}`, 'CATCH_UP_TIMEOUT']
      : [migrateTo, checkpoint];
  }
  switch (change.kind) {
    case 'switchover':
      return [`MIGRATE_TO ${from}→${to}`, checkpoint, `MIGRATE_FROM ${to}`];
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

/** When an input was written, in ms (execution-date has whole seconds); null without one. */
function writtenAt(inputs: readonly HistoryInput[], sequence: number): number | null {
  const written = inputs.find((input) => input.sequence === sequence)?.cib.executionDate ?? null;
  return written === null ? null : written * 1000;
}

/**
 * The log facts of a change's transitions: from its first transition's input until the input after its last
 * one (or the log's end). execution-date has whole seconds: a second's slack on both sides.
 */
function factsOf(change: Migration, inputs: readonly HistoryInput[], facts: readonly AgentFact[]): AgentFact[] {
  const first = change.transitions[0];
  const last = change.transitions.at(-1);
  if (first === undefined || last === undefined) return [];
  const start = writtenAt(inputs, first);
  const lastIndex = inputs.findIndex((input) => input.sequence === last);
  const after = lastIndex >= 0 && lastIndex + 1 < inputs.length ? (inputs[lastIndex + 1] as HistoryInput) : null;
  const endSeconds = after?.cib.executionDate ?? null;
  if (start === null) return [];
  return facts.filter((fact) => fact.at >= start - 1000 && (endSeconds === null || fact.at < endSeconds * 1000 + 1000));
}

function withEvents(change: Migration, inputs: readonly HistoryInput[], facts: readonly AgentFact[]): RoleChange {
  const during = factsOf(change, inputs, facts);
  const handover =
    during.find(
      (fact): fact is Extract<AgentFact, { kind: 'handover' }> =>
        fact.kind === 'handover' && fact.source === change.from,
    ) ?? null;
  const refused = during.some(
    (fact) => fact.kind === 'refused' && fact.source === handover?.source && fact.target === handover.target,
  );
  return { ...change, events: modelEvents(change, handover, refused) };
}

/**
 * The transition a promotion the log records happened in: the history's promotion of that node whose first
 * transition was written at or before it (the line is logged when the action ends, after a score write may
 * already have started the next transition); else the newest input written before it.
 */
function promotionTransition(
  changes: readonly RoleChange[],
  inputs: readonly HistoryInput[],
  promotion: PromotionFact,
): number | null {
  let found: number | null = null;
  for (const change of changes) {
    const first = change.transitions[0];
    const start = first === undefined ? null : writtenAt(inputs, first);
    if (change.to === promotion.node && start !== null && start <= promotion.at + 1000) {
      found = change.transitions.at(-1) ?? found;
    }
  }
  return found ?? transitionAt(inputs, promotion.at)?.sequence ?? null;
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
  changes: readonly RoleChange[],
  promotion: PromotionFact,
  record: FinalRecord,
  refused: boolean,
): Violation | null {
  const input = transitionAt(inputs, promotion.at);
  const online = (node: string) => input?.cib.nodes.get(node)?.online ?? true;
  const verdict = promotionVerdict(promotion, record, refused, online);
  if (verdict.allowed) return null;
  const transition = promotionTransition(changes, inputs, promotion);
  const where = transition === null ? 'before the first input' : `transition ${transition}`;
  const promoted = `${promotion.node} promoted onto timeline ${promotion.onto} at ${formatPosition(promotion.fork)}`;
  if (record.kind === 'handover') {
    return {
      rule: 'would-abort',
      transition,
      message: `${where}: ${promoted}, in the switchover ${record.source}→${record.target} whose final position is ${formatPosition(record.final)}; the model would have aborted it (${verdict.reason})`,
    };
  }
  return {
    rule: 'behind-final',
    transition,
    message: `${where}: ${promoted}, behind ${record.node}'s final position ${formatPosition(record.final)}; the model refuses it (${verdict.reason})`,
  };
}

/** `inputs` in the order the scheduler wrote them (writtenOrder); `facts` from every node's log, any order. */
export function checkHistory(inputs: readonly HistoryInput[], facts: readonly AgentFact[]): HistoryCheck {
  const ordered = [...facts].sort((a, b) => a.at - b.at);
  const changes = explainHistory(inputs).map((change) => withEvents(change, inputs, ordered));
  const violations = twoPromoted(inputs);
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
    const violation = promotionViolation(inputs, changes, fact, before.record, before.refused);
    if (violation !== null) violations.push(violation);
  });
  return { changes, violations, promotionsChecked, promotionsUnchecked };
}
