/** Transition graph (and optionally the CIB it was computed from) → TransitionFacts. */
import { type Cib, promotedNodes } from './cib.ts';
import type { CloneChange, ClusterContext, TransitionFacts } from './facts.ts';
import { notifyList } from './notifyList.ts';
import type { GraphAction, TransitionGraph } from './transitionGraph.ts';

const roleOperations = ['promote', 'demote', 'stop', 'start'] as const;

/** A space-separated notify list; Pacemaker writes an empty list as a single space. */
function isPromotable(action: GraphAction): boolean {
  return (
    action.attribute('CRM_meta_promoted_max') !== undefined || action.attribute('CRM_meta_master_max') !== undefined
  );
}

/**
 * The clone of a primitive's action: the pseudo-event `<clone>_<operation>_0` it waits for — the outermost
 * one, since a group in a clone puts its own (`<group>_<operation>_0`) between them.
 */
function cloneOf(action: GraphAction, byId: ReadonlyMap<number, GraphAction>): string | null {
  let found: string | null = null;
  let current: GraphAction = action;
  for (let depth = 0; depth < 4; depth++) {
    const next = current.inputs
      .map((input) => byId.get(input))
      .find(
        (pseudo) =>
          pseudo?.kind === 'pseudo_event' &&
          pseudo.operation === action.operation &&
          pseudo.key.endsWith(`_${action.operation}_0`),
      );
    if (next === undefined) break;
    found = next.key.slice(0, -`_${action.operation}_0`.length);
    current = next;
  }
  return found;
}

function notifiedClone(action: GraphAction, byId: ReadonlyMap<number, GraphAction>): string | null {
  for (const input of action.inputs) {
    const key = byId.get(input)?.key ?? '';
    const match = /^(.+)_(?:pre|post)_notify_[a-z]+_0$/.exec(key);
    if (match !== null) return match[1] as string;
  }
  return null;
}

export function clusterContext(cib: Cib): ClusterContext {
  // No prototype: a primitive may be called "constructor".
  const failures: Record<string, string[]> = Object.create(null);
  for (const [primitive, perNode] of cib.instances) {
    const failed = [...perNode.entries()].filter(([, instance]) => instance.failed).map(([node]) => node);
    if (failed.length > 0) failures[primitive] = failed.sort();
  }
  const nodes = [...cib.nodes.values()];
  return {
    lostNodes: nodes.filter((node) => node.lost).map((node) => node.name),
    standbyNodes: nodes.filter((node) => node.standby).map((node) => node.name),
    failures,
    locations: cib.locations,
  };
}

export function factsFromGraph(graph: TransitionGraph, cib: Cib | null = null): TransitionFacts {
  const byId = new Map(graph.actions.map((action) => [action.id, action]));
  const changes = new Map<
    string,
    { clone: string | null; lists: Set<string>; ops: Map<string, Set<string>>; listed: Map<string, Set<string>> }
  >();
  // Whether a primitive belongs to a promotable clone is a property of the resource: read it once.
  const promotable = new Map<string, boolean>();
  const listsRead = new Set<string>();
  for (const action of graph.actions) {
    if (action.kind !== 'rsc_op' || action.resource === null || action.node === null) continue;
    let isClone = promotable.get(action.resource);
    if (isClone === undefined) {
      isClone = isPromotable(action);
      promotable.set(action.resource, isClone);
    }
    if (!isClone) continue;
    const entry = changes.get(action.resource) ?? {
      clone: null,
      lists: new Set<string>(),
      ops: new Map(roleOperations.map((op) => [op, new Set<string>()])),
      listed: new Map(roleOperations.map((op) => [op, new Set<string>()])),
    };
    changes.set(action.resource, entry);
    if (action.operation === 'notify') {
      // A notification waits for its clone's `<clone>_pre_notify_<op>_0` (or post_) pseudo-event.
      entry.clone ??= notifiedClone(action, byId);
      // Every notify action of one transition carries the same lists (the state when it was computed).
      if (listsRead.has(action.resource)) continue;
      listsRead.add(action.resource);
      const promoted =
        action.attribute('CRM_meta_notify_promoted_uname') ?? action.attribute('CRM_meta_notify_master_uname');
      for (const node of notifyList(promoted)) entry.lists.add(node);
      // The lists also name what happens on a fenced node, where the graph has only pseudo-actions; they name
      // a blocked stop too (a node that cannot be fenced), which does not happen: kept apart, used for fenced
      // nodes only.
      for (const op of ['demote', 'stop'] as const) {
        for (const node of notifyList(action.attribute(`CRM_meta_notify_${op}_uname`))) entry.listed.get(op)?.add(node);
      }
      continue;
    }
    // A Map, not an object: an operation named like an Object.prototype member ("valueOf") is not a role change.
    const ops = entry.ops.get(action.operation);
    if (ops === undefined) continue;
    ops.add(action.node);
    entry.clone ??= cloneOf(action, byId);
  }
  // A guest or bundle node is "fenced" by recovering its container: a pseudo-event stonith in the graph.
  const fenced = graph.actions
    .filter(
      (action) =>
        (action.kind === 'crm_event' || action.kind === 'pseudo_event') &&
        action.operation === 'stonith' &&
        action.node !== null,
    )
    .map((action) => action.node as string)
    .filter((node, index, all) => all.indexOf(node) === index)
    .sort();
  const clones: CloneChange[] = [];
  for (const [primitive, entry] of changes) {
    for (const op of ['demote', 'stop'] as const) {
      for (const node of entry.listed.get(op) ?? []) if (fenced.includes(node)) entry.ops.get(op)?.add(node);
    }
    const configured = cib?.clones.find((clone) => clone.primitive === primitive);
    const before = configured !== undefined && cib !== null ? promotedNodes(cib, configured, true) : [...entry.lists];
    const sorted = (op: string) => [...(entry.ops.get(op) ?? [])].sort();
    const demote = sorted('demote');
    clones.push({
      resource: configured?.id ?? entry.clone ?? primitive,
      primitive,
      promotedBefore: [...new Set([...before, ...(before.length === 0 ? demote : [])])].sort(),
      promote: sorted('promote'),
      demote,
      stop: sorted('stop'),
      start: sorted('start'),
      listed: cib !== null || listsRead.has(primitive),
    });
  }
  return {
    transition: graph.transition,
    clones: clones.sort((a, b) => a.resource.localeCompare(b.resource)),
    fenced,
    cluster: cib === null ? null : clusterContext(cib),
  };
}
