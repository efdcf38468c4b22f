/**
 * The model's reachable state graph for N nodes: every state (up to the reductions of `canonicalStateKey`)
 * with its outgoing edges and the statechart transitions each edge takes. Built with xstate/graph's
 * adjacency map; path selection, coverage and the invariant checks read it.
 */
import type { AnyTransitionDefinition } from 'xstate';
import { type AdjacencyMap, getAdjacencyMap } from 'xstate/graph';
import { type RoleMigrationMachine, roleMigrationMachine } from '../../models/roleMigration.ts';
import type { RoleMigrationEvent } from '../../models/types.ts';
import { canonicalStateKey } from './canonicalState.ts';
import { type ModelSnapshot, type PathBounds, pathEvents } from './pathEvents.ts';
import { transitionId } from './statechartParts.ts';

export interface ModelEdge {
  readonly from: string;
  readonly event: RoleMigrationEvent;
  readonly to: string;
  /** Ids of the statechart transitions taken (empty: the event is not handled there). */
  readonly transitions: readonly string[];
}

export interface ModelGraph {
  readonly machine: RoleMigrationMachine;
  readonly nodes: readonly string[];
  readonly initial: string;
  readonly states: ReadonlyMap<string, ModelSnapshot>;
  readonly edges: ReadonlyMap<string, readonly ModelEdge[]>;
}

export function nodeNamesFor(count: number): string[] {
  if (!Number.isInteger(count) || count < 2 || count > 5) {
    throw new Error(`--nodes must be an integer from 2 to 5, got ${count}`);
  }
  return Array.from({ length: count }, (_, index) => `node${index + 1}`);
}

export function takenTransitions(
  snapshot: ModelSnapshot,
  event: RoleMigrationEvent,
  machine: RoleMigrationMachine = roleMigrationMachine,
): string[] {
  const taken: AnyTransitionDefinition[] = machine.getTransitionData(snapshot, event);
  return taken.map(transitionId);
}

/** `machine` is replaceable so that tests can show the invariant checks catch a broken variant. */
export function buildModelGraph(
  nodes: readonly string[],
  bounds: PathBounds = {},
  machine: RoleMigrationMachine = roleMigrationMachine,
): ModelGraph {
  const adjacency: AdjacencyMap<ModelSnapshot, RoleMigrationEvent> = getAdjacencyMap(machine, {
    input: { nodes },
    events: (snapshot: ModelSnapshot) => pathEvents(snapshot, bounds),
    serializeState: (snapshot: ModelSnapshot) => canonicalStateKey(snapshot),
  });
  const states = new Map<string, ModelSnapshot>();
  const edges = new Map<string, ModelEdge[]>();
  let initial: string | null = null;
  for (const [key, value] of Object.entries(adjacency)) {
    initial ??= key;
    states.set(key, value.state);
    const outgoing: ModelEdge[] = [];
    const next = Object.values(value.transitions) as Array<{ event: RoleMigrationEvent; state: ModelSnapshot }>;
    for (const { event, state } of next) {
      const transitions = takenTransitions(value.state, event, machine);
      if (transitions.length === 0) continue;
      outgoing.push({ from: key, event, to: canonicalStateKey(state), transitions });
    }
    edges.set(key, outgoing);
  }
  if (initial === null) throw new Error('the model has no initial state');
  return { machine, nodes, initial, states, edges };
}
