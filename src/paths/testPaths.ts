/**
 * Test paths from the statechart: for every statechart transition, the shortest path that takes it, plus
 * bounded simple paths through the switchover scenarios. Paths are replayed on the machine with concrete
 * events, so each step is an event a test can perform and the state it must lead to.
 */
import { initialTransition, transition } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { RoleMigrationEvent, RoleMigrationEventType } from '../../models/types.ts';
import { formatEvent } from '../format/formatEvent.ts';
import { canonicalStateKey } from './canonicalState.ts';
import { buildModelGraph, type ModelEdge, type ModelGraph, takenTransitions } from './modelGraph.ts';
import { type ModelSnapshot, type PathBounds, pathEvents } from './pathEvents.ts';
import { activeStates, statechartStates, statechartTransitions, stateName } from './statechartParts.ts';

export interface PathStep {
  readonly event: RoleMigrationEvent;
  /** The deepest active state after the event, dotted (`switchover.handedOver`). */
  readonly state: string;
}

export interface TestPath {
  readonly name: string;
  readonly kind: 'shortest' | 'simple';
  readonly steps: readonly PathStep[];
}

export interface Coverage {
  readonly states: { readonly covered: number; readonly total: number; readonly missing: readonly string[] };
  readonly transitions: { readonly covered: number; readonly total: number; readonly missing: readonly string[] };
}

export interface PathSet {
  readonly nodes: readonly string[];
  readonly paths: readonly TestPath[];
  readonly coverage: Coverage;
}

/** Breadth-first: the shortest edge sequence from the initial state to every state. */
function shortestRoutes(graph: ModelGraph): Map<string, ModelEdge[]> {
  const routes = new Map<string, ModelEdge[]>([[graph.initial, []]]);
  const queue = [graph.initial];
  for (let head = 0; head < queue.length; head++) {
    const key = queue[head] as string;
    const route = routes.get(key) as ModelEdge[];
    for (const edge of graph.edges.get(key) ?? []) {
      if (routes.has(edge.to)) continue;
      routes.set(edge.to, [...route, edge]);
      queue.push(edge.to);
    }
  }
  return routes;
}

/**
 * Replays an abstract route on the machine from its initial state. Each edge was computed on one
 * representative of its source state; the concrete event is the one that, here, takes the same
 * transitions to a state with the same key (node names and LSNs may differ from the representative's).
 */
function replay(nodes: readonly string[], route: readonly ModelEdge[], bounds: PathBounds = {}): PathStep[] {
  let [snapshot] = initialTransition(roleMigrationMachine, { nodes });
  const steps: PathStep[] = [];
  for (const edge of route) {
    const wanted = edge.transitions.join('|');
    let next: ModelSnapshot | null = null;
    let chosen: RoleMigrationEvent | null = null;
    for (const event of pathEvents(snapshot, bounds)) {
      if (takenTransitions(snapshot, event).join('|') !== wanted) continue;
      const [candidate] = transition(roleMigrationMachine, snapshot, event);
      if (canonicalStateKey(candidate) !== edge.to) continue;
      next = candidate;
      chosen = event;
      break;
    }
    if (next === null || chosen === null) throw new Error(`cannot replay ${edge.event.type} towards ${edge.to}`);
    steps.push({ event: chosen, state: stateName(next.value) });
    snapshot = next;
  }
  return steps;
}

function pathName(steps: readonly PathStep[]): string {
  return steps.map((step) => formatEvent(step.event)).join(', ');
}

/** Greedy: walk the transitions in statechart order; each uncovered one gets its shortest path. */
function shortestPathsCoveringTransitions(graph: ModelGraph, bounds: PathBounds): TestPath[] {
  const routes = shortestRoutes(graph);
  const best = new Map<string, ModelEdge[]>();
  for (const [key, route] of routes) {
    for (const edge of graph.edges.get(key) ?? []) {
      for (const id of edge.transitions) {
        const candidate = [...route, edge];
        const known = best.get(id);
        if (known === undefined || candidate.length < known.length) best.set(id, candidate);
      }
    }
  }
  const covered = new Set<string>();
  const paths: TestPath[] = [];
  for (const part of statechartTransitions()) {
    if (covered.has(part.id)) continue;
    const route = best.get(part.id);
    if (route === undefined) continue;
    for (const edge of route) for (const id of edge.transitions) covered.add(id);
    const steps = replay(graph.nodes, route, bounds);
    paths.push({ name: pathName(steps), kind: 'shortest', steps });
  }
  return paths;
}

/** The switchover scenarios' alphabet: simple paths over it stay few. */
const switchoverAlphabet: readonly RoleMigrationEventType[] = [
  'MIGRATE_TO',
  'SHUTDOWN_CHECKPOINT',
  'MIGRATE_FROM',
  'PROMOTE',
  'CAUGHT_UP',
  'CATCH_UP_TIMEOUT',
  'REJOIN',
  'REPLICATION_CUT',
];

/**
 * Bounded simple paths: every loop-free path over the switchover alphabet from the first promotion back to
 * `promoted` after one switchover attempt. Bounded by the alphabet, by stopping at that first return and by
 * a maximum length; paths that differ only by a renaming of the nodes are kept once.
 */
function boundedSimplePaths(nodes: readonly string[], maxSteps: number, bounds: PathBounds): TestPath[] {
  const first: RoleMigrationEvent = { type: 'PROMOTE', node: nodes[0] as string };
  const [bootstrap] = initialTransition(roleMigrationMachine, { nodes });
  const [promoted] = transition(roleMigrationMachine, bootstrap, first);
  const firstEdge: ModelEdge = {
    from: canonicalStateKey(bootstrap),
    event: first,
    to: canonicalStateKey(promoted),
    transitions: takenTransitions(bootstrap, first),
  };
  const isBackAfterSwitchover = (snapshot: ModelSnapshot) =>
    snapshot.matches('promoted') && snapshot.context.handover !== null;
  const found = getSimplePaths(roleMigrationMachine, {
    input: { nodes },
    fromState: promoted,
    events: (snapshot: ModelSnapshot) => pathEvents(snapshot, { ...bounds, only: switchoverAlphabet }),
    serializeState: (snapshot: ModelSnapshot) => canonicalStateKey(snapshot),
    stopWhen: isBackAfterSwitchover,
    toState: isBackAfterSwitchover,
  });
  const seen = new Set<string>();
  const paths: TestPath[] = [];
  for (const path of found) {
    const route: ModelEdge[] = [firstEdge];
    let previous: ModelSnapshot = promoted;
    for (const step of path.steps) {
      if (step.event.type.startsWith('xstate.')) continue;
      const edge = {
        from: canonicalStateKey(previous),
        event: step.event,
        to: canonicalStateKey(step.state),
        transitions: takenTransitions(previous, step.event),
      };
      route.push(edge);
      previous = step.state;
    }
    if (route.length > maxSteps) continue;
    const signature = route.map((edge) => `${edge.transitions.join('|')}>${edge.to}`).join(' ; ');
    if (seen.has(signature)) continue;
    seen.add(signature);
    const steps = replay(nodes, route, bounds);
    paths.push({ name: pathName(steps), kind: 'simple', steps });
  }
  return paths;
}

/** The statechart states a path visits and the transitions it takes, from the initial state on. */
function partsOf(nodes: readonly string[], path: TestPath): { states: Set<string>; transitions: Set<string> } {
  const states = new Set<string>();
  const transitions = new Set<string>();
  let [snapshot] = initialTransition(roleMigrationMachine, { nodes });
  for (const name of activeStates(snapshot.value)) states.add(name);
  for (const step of path.steps) {
    for (const id of takenTransitions(snapshot, step.event)) transitions.add(id);
    [snapshot] = transition(roleMigrationMachine, snapshot, step.event);
    for (const name of activeStates(snapshot.value)) states.add(name);
  }
  return { states, transitions };
}

export function coverageOf(nodes: readonly string[], paths: readonly TestPath[]): Coverage {
  const states = new Set<string>();
  const transitions = new Set<string>();
  for (const path of paths) {
    const parts = partsOf(nodes, path);
    for (const name of parts.states) states.add(name);
    for (const id of parts.transitions) transitions.add(id);
  }
  return coverageFrom(states, transitions);
}

/**
 * Some of the paths that together take every state and transition the whole set takes (greedy weighted set
 * cover: each pick adds the most not yet taken per step, a step being what costs time on the real system).
 * The model-based suite's short mode; the whole set stays its long mode.
 */
export function coveringPaths(nodes: readonly string[], paths: readonly TestPath[]): TestPath[] {
  const candidates = paths.map((path) => {
    const parts = partsOf(nodes, path);
    return { path, items: [...[...parts.states].map((name) => `state ${name}`), ...parts.transitions] };
  });
  const taken = new Set<string>();
  const chosen: TestPath[] = [];
  for (;;) {
    let best: (typeof candidates)[number] | undefined;
    let bestRate = 0;
    for (const candidate of candidates) {
      const gain = candidate.items.filter((item) => !taken.has(item)).length;
      const rate = gain / (candidate.path.steps.length + 1);
      if (rate > bestRate) {
        best = candidate;
        bestRate = rate;
      }
    }
    if (best === undefined) return chosen;
    for (const item of best.items) taken.add(item);
    chosen.push(best.path);
  }
}

/** The statechart's states and transitions measured against those taken (by ids as statechartParts names them). */
export function coverageFrom(states: ReadonlySet<string>, transitions: ReadonlySet<string>): Coverage {
  const allStates = statechartStates();
  const allTransitions = statechartTransitions().map((part) => part.id);
  return {
    states: {
      covered: allStates.filter((name) => states.has(name)).length,
      total: allStates.length,
      missing: allStates.filter((name) => !states.has(name)),
    },
    transitions: {
      covered: allTransitions.filter((id) => transitions.has(id)).length,
      total: allTransitions.length,
      missing: allTransitions.filter((id) => !transitions.has(id)),
    },
  };
}

/** `bounds.realSystem` keeps to what the real system can be made to do (the model-based suite's paths). */
export function generateTestPaths(nodes: readonly string[], graph?: ModelGraph, bounds: PathBounds = {}): PathSet {
  const shortest = shortestPathsCoveringTransitions(graph ?? buildModelGraph(nodes, bounds), bounds);
  const known = new Set(shortest.map((path) => path.name));
  const simple = boundedSimplePaths(nodes, 12, bounds).filter((path) => !known.has(path.name));
  const paths = [...shortest, ...simple];
  return { nodes, paths, coverage: coverageOf(nodes, paths) };
}
