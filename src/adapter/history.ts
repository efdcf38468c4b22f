/**
 * A cluster history (pe-input files in order) → what happened to each clone's promoted role. Outcomes come
 * from the following inputs, never from a transition's plan; one logical migration that Pacemaker split
 * over several transitions (demote in N, promote in N+1) is reported once, with every transition it spanned.
 */
import { type Cib, promotedNodes } from './cib.ts';
import { classifyChange, type Migration } from './classify.ts';
import type { ClusterContext } from './facts.ts';
import { clusterContext } from './graphFacts.ts';

export interface HistoryInput {
  readonly sequence: number;
  readonly cib: Cib;
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
  const migration = classifyChange(
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
  return migration === null ? null : { ...migration, transitions };
}

/** The inputs' sequence numbers from `start` to `end`, both included: the transitions a migration spanned. */
function sequencesBetween(inputs: readonly HistoryInput[], start: number, end: number): number[] {
  return inputs.filter((input) => input.sequence >= start && input.sequence <= end).map((input) => input.sequence);
}

export function explainHistory(inputs: readonly HistoryInput[]): Migration[] {
  const cloneIds = [...new Set(inputs.flatMap((input) => input.cib.clones.map((clone) => clone.id)))].sort();
  const migrations: Migration[] = [];
  for (const cloneId of cloneIds) {
    const primitive =
      inputs.flatMap((input) => input.cib.clones).find((clone) => clone.id === cloneId)?.primitive ?? cloneId;
    let previous = holderIn((inputs[0] as HistoryInput).cib, cloneId);
    let pending: { from: string; context: ClusterContext; start: number } | null = null;
    for (let index = 1; index < inputs.length; index++) {
      const before = inputs[index - 1] as HistoryInput;
      const after = inputs[index] as HistoryInput;
      const current = holderIn(after.cib, cloneId);
      if (previous.node !== null && current.node === previous.node && current.promotedBy !== previous.promotedBy) {
        const found = migrationOf(cloneId, primitive, previous.node, current.node, null, [before.sequence]);
        if (found !== null) migrations.push(found);
      } else if (previous.node !== null && current.node !== previous.node) {
        const context = contextAcross(before.cib, after.cib, previous.node);
        if (current.node === null) {
          // A demote happened in the earlier input's transition; a lost node in no transition at all.
          const gone = after.cib.nodes.get(previous.node)?.online === false;
          pending = { from: previous.node, context, start: gone ? after.sequence : before.sequence };
        } else {
          const found = migrationOf(cloneId, primitive, previous.node, current.node, context, [before.sequence]);
          if (found !== null) migrations.push(found);
        }
      } else if (previous.node === null && current.node !== null) {
        const from = pending?.from ?? null;
        const found = migrationOf(
          cloneId,
          primitive,
          from,
          current.node,
          pending?.context ?? null,
          sequencesBetween(inputs, pending?.start ?? before.sequence, before.sequence),
        );
        if (found !== null) migrations.push(found);
        pending = null;
      }
      previous = current;
    }
    if (pending !== null) {
      // No following input shows an outcome for the last one: it is not counted.
      const lastCounted = (inputs[inputs.length - 2] as HistoryInput).sequence;
      const spanned = sequencesBetween(inputs, pending.start, lastCounted);
      const found = migrationOf(cloneId, primitive, pending.from, null, pending.context, spanned);
      if (found !== null) migrations.push(found);
    }
  }
  return migrations;
}
