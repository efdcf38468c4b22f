/**
 * A cluster history (pe-input files in the order the scheduler wrote them) → what happened to each clone's
 * promoted role. Outcomes come from the following inputs, never from a transition's plan; one logical
 * migration that Pacemaker split over several transitions (demote in N, promote in N+1) is reported once,
 * with every transition it spanned. The newest input's own transition has no following input: what the
 * scheduler planned for it is reported as planned, its outcome not yet recorded.
 */
import { type Cib, promotedNodes } from './cib.ts';
import { classifyChange, classifyTransition, type Migration } from './classify.ts';
import type { ClusterContext, TransitionFacts } from './facts.ts';
import { clusterContext } from './graphFacts.ts';

export interface HistoryInput {
  readonly sequence: number;
  readonly cib: Cib;
}

/**
 * The order the scheduler wrote the inputs in: pe-input numbers wrap at pe-input-series-max, so the files'
 * own record decides — when each was saved (execution-date), then the CIB's version; the number only
 * between inputs that carry neither.
 */
export function writtenOrder(a: HistoryInput, b: HistoryInput): number {
  const dateA = a.cib.executionDate;
  const dateB = b.cib.executionDate;
  if (dateA !== null && dateB !== null && dateA !== dateB) return dateA - dateB;
  for (let index = 0; index < 3; index++) {
    const difference = (a.cib.version[index] as number) - (b.cib.version[index] as number);
    if (difference !== 0 && dateA !== null && dateB !== null) return difference;
  }
  return a.sequence - b.sequence;
}

interface Holder {
  readonly node: string | null;
  readonly promotedBy: number | null;
}

function holderIn(cib: Cib, cloneId: string): Holder {
  const clone = cib.clones.find((candidate) => candidate.id === cloneId);
  if (clone === undefined) return { node: null, promotedBy: null };
  const node = promotedNodes(cib, clone)[0] ?? null;
  const promotedBy = node === null ? null : (cib.instances.get(clone.primitive)?.get(node)?.promotedBy ?? null);
  return { node, promotedBy };
}

/** Why the role left: the earlier input's configuration and failures, the later input's membership. */
function contextAcross(before: Cib, after: Cib, leaving: string): ClusterContext {
  const earlier = clusterContext(before);
  const later = clusterContext(after);
  const gone = after.nodes.get(leaving)?.online === false;
  const failures: Record<string, readonly string[]> = Object.assign(Object.create(null), earlier.failures);
  for (const [primitive, nodes] of Object.entries(later.failures)) {
    failures[primitive] = [...new Set([...(failures[primitive] ?? []), ...nodes])];
  }
  return { ...earlier, lostNodes: gone ? [leaving, ...later.lostNodes] : later.lostNodes, failures };
}

function migrationOf(
  cloneId: string,
  primitive: string,
  from: string | null,
  to: string | null,
  context: ClusterContext | null,
  transitions: number[],
): Migration | null {
  const [migration] = classifyChange(
    {
      resource: cloneId,
      primitive,
      promotedBefore: from === null ? [] : [from],
      promote: to === null ? [] : [to],
      demote: from === null ? [] : [from],
      stop: [],
      start: [],
    },
    { transition: null, clones: [], fenced: [], cluster: context },
  );
  return migration === undefined ? null : { ...migration, transitions };
}

/** The sequence numbers of the inputs at positions `start` to `end`, both included: the transitions spanned. */
function sequencesBetween(inputs: readonly HistoryInput[], start: number, end: number): number[] {
  return inputs.slice(start, end + 1).map((input) => input.sequence);
}

/**
 * `inputs` in the order the scheduler wrote them (writtenOrder); `planned`, when given, the transition the
 * scheduler computes for the newest input.
 */
export function explainHistory(inputs: readonly HistoryInput[], planned: TransitionFacts | null = null): Migration[] {
  const cloneIds = [...new Set(inputs.flatMap((input) => input.cib.clones.map((clone) => clone.id)))].sort();
  const migrations: Migration[] = [];
  for (const cloneId of cloneIds) {
    const primitive =
      inputs.flatMap((input) => input.cib.clones).find((clone) => clone.id === cloneId)?.primitive ?? cloneId;
    let previous = holderIn((inputs[0] as HistoryInput).cib, cloneId);
    let pending: { from: string; context: ClusterContext; start: number } | null = null;
    const newest = inputs.length - 1;
    for (let index = 1; index < inputs.length; index++) {
      const before = inputs[index - 1] as HistoryInput;
      const after = inputs[index] as HistoryInput;
      const current = holderIn(after.cib, cloneId);
      // An instance found promoted by a probe (promotedBy null: no promote in its history) was not promoted:
      // its history was erased (crm_resource --refresh or --cleanup) and re-probed, or it was running so.
      const foundByProbe = current.node !== null && current.promotedBy === null;
      if (
        previous.node !== null &&
        current.node === previous.node &&
        current.promotedBy !== previous.promotedBy &&
        !foundByProbe
      ) {
        const found = migrationOf(cloneId, primitive, previous.node, current.node, null, [before.sequence]);
        if (found !== null) migrations.push(found);
      } else if (previous.node !== null && current.node !== previous.node) {
        const context = contextAcross(before.cib, after.cib, previous.node);
        if (current.node === null) {
          // A demote happened in the earlier input's transition; a lost node in no transition at all.
          const gone = after.cib.nodes.get(previous.node)?.online === false;
          pending = { from: previous.node, context, start: gone ? index : index - 1 };
        } else {
          const found = migrationOf(cloneId, primitive, previous.node, current.node, context, [before.sequence]);
          if (found !== null) migrations.push(found);
        }
      } else if (
        previous.node === null &&
        current.node !== null &&
        foundByProbe &&
        (pending?.from ?? current.node) === current.node
      ) {
        pending = null;
      } else if (previous.node === null && current.node !== null) {
        const from = pending?.from ?? null;
        const found = migrationOf(
          cloneId,
          primitive,
          from,
          current.node,
          pending?.context ?? clusterContext(before.cib),
          sequencesBetween(inputs, pending?.start ?? index - 1, index - 1),
        );
        if (found !== null) migrations.push(found);
        pending = null;
      }
      previous = current;
    }
    const plan = planned === null ? [] : classifyTransition(planned).filter((each) => each.resource === cloneId);
    const newestSequence = (inputs[newest] as HistoryInput).sequence;
    const promotion = plan.find((each) => each.from === null && each.to !== null);
    let merged = false;
    if (pending !== null && promotion !== undefined) {
      // Demoted in an earlier transition, promoted in the newest one's plan: one migration, not yet done.
      const spanned = sequencesBetween(inputs, pending.start, newest);
      const found = migrationOf(cloneId, primitive, pending.from, promotion.to, pending.context, spanned);
      if (found !== null) migrations.push({ ...found, planned: true });
      merged = true;
    } else if (pending !== null) {
      const spanned = sequencesBetween(inputs, pending.start, Math.max(pending.start, newest - 1));
      const found = migrationOf(cloneId, primitive, pending.from, null, pending.context, spanned);
      if (found !== null) migrations.push(found);
    }
    for (const each of plan) {
      if (merged && each === promotion) continue;
      migrations.push({ ...each, transitions: [newestSequence], planned: true });
    }
  }
  return migrations;
}
