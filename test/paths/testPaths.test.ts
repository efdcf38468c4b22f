/** Paths generated from the statechart: full coverage for 2 and 3 nodes, and every path replays as stated. */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import { canonicalStateKey } from '../../src/paths/canonicalState.ts';
import { nodeNamesFor, takenTransitions } from '../../src/paths/modelGraph.ts';
import { statechartStates, statechartTransitions, stateName } from '../../src/paths/statechartParts.ts';
import { coverageOf, coveringPaths, generateTestPaths, type TestPath } from '../../src/paths/testPaths.ts';

describe.each([2, 3])('test paths for %i nodes', (count) => {
  const nodes = nodeNamesFor(count);
  const set = generateTestPaths(nodes);

  it('cover every state and every transition of the statechart', () => {
    expect(set.coverage.states).toEqual({
      covered: statechartStates().length,
      total: statechartStates().length,
      missing: [],
    });
    const total = statechartTransitions().length;
    expect(set.coverage.transitions).toEqual({ covered: total, total, missing: [] });
  });

  it('include shortest paths and bounded simple paths, with migrate_to and migrate_from', () => {
    expect(set.paths.some((path) => path.kind === 'shortest')).toBe(true);
    expect(set.paths.some((path) => path.kind === 'simple')).toBe(true);
    const types = new Set(set.paths.flatMap((path) => path.steps.map((step) => step.event.type)));
    expect(types).toContain('MIGRATE_TO');
    expect(types).toContain('MIGRATE_FROM');
    expect(Math.max(...set.paths.map((path) => path.steps.length))).toBeLessThanOrEqual(12);
  });

  it('replay on the machine: every step takes a transition and reaches the state it names', () => {
    for (const path of set.paths) {
      let [snapshot] = initialTransition(roleMigrationMachine, { nodes });
      for (const step of path.steps) {
        expect(takenTransitions(snapshot, step.event), `${path.name}: ${step.event.type}`).not.toEqual([]);
        [snapshot] = transition(roleMigrationMachine, snapshot, step.event);
        expect(stateName(snapshot.value), path.name).toBe(step.state);
      }
    }
  });

  it('name every path after its events, and no two paths are the same', () => {
    const names = set.paths.map((path) => path.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((name) => name.length > 0)).toBe(true);
  });
});

describe('canonical state keys', () => {
  it('identify states up to a renaming of the nodes', () => {
    const nodes = nodeNamesFor(3);
    const [initial] = initialTransition(roleMigrationMachine, { nodes });
    const [viaNode1] = transition(roleMigrationMachine, initial, { type: 'PROMOTE', node: 'node1' });
    const [viaNode3] = transition(roleMigrationMachine, initial, { type: 'PROMOTE', node: 'node3' });
    expect(canonicalStateKey(viaNode1)).toBe(canonicalStateKey(viaNode3));
    const [cut] = transition(roleMigrationMachine, viaNode1, { type: 'REPLICATION_CUT', node: 'node2' });
    expect(canonicalStateKey(cut)).not.toBe(canonicalStateKey(viaNode1));
  });

  it('identify states up to the values of positions, not their order', () => {
    const nodes = nodeNamesFor(2);
    const [initial] = initialTransition(roleMigrationMachine, { nodes });
    const [promoted] = transition(roleMigrationMachine, initial, { type: 'PROMOTE', node: 'node1' });
    const [written] = transition(roleMigrationMachine, promoted, { type: 'WRITE' });
    expect(canonicalStateKey(written)).toBe(canonicalStateKey(promoted));
    const [cut] = transition(roleMigrationMachine, promoted, { type: 'REPLICATION_CUT', node: 'node2' });
    const [lagging] = transition(roleMigrationMachine, cut, { type: 'WRITE' });
    expect(canonicalStateKey(lagging)).not.toBe(canonicalStateKey(cut));
  });
});

describe('test paths for the real system (the model-based suite)', () => {
  const sets = [2, 3].map((count) => generateTestPaths(nodeNamesFor(count), undefined, { realSystem: true }));

  it('never promote a node whose instance is down: Pacemaker starts an instance before it promotes it', () => {
    for (const set of sets) {
      for (const path of set.paths) {
        let [snapshot] = initialTransition(roleMigrationMachine, { nodes: set.nodes });
        for (const step of path.steps) {
          if (step.event.type === 'PROMOTE') {
            const facts = snapshot.context.nodes[step.event.node];
            expect(facts?.online && ['unpromoted', 'promoted'].includes(facts.instance), path.name).toBe(true);
          }
          [snapshot] = transition(roleMigrationMachine, snapshot, step.event);
        }
      }
    }
  });

  it('still cover every state and every transition between 2 and 3 nodes', () => {
    const states = new Set(
      sets.flatMap((set) => statechartStates().filter((name) => !set.coverage.states.missing.includes(name))),
    );
    const missing = statechartTransitions()
      .map((part) => part.id)
      .filter((id) => sets.every((set) => set.coverage.transitions.missing.includes(id)));
    expect(states.size).toBe(statechartStates().length);
    expect(missing).toEqual([]);
  });
});

describe.each([2, 3])('the covering subset for %i nodes (the model-based short mode)', (count) => {
  const nodes = nodeNamesFor(count);
  const set = generateTestPaths(nodes, undefined, { realSystem: true });
  const subset = coveringPaths(nodes, set.paths);

  it('takes every state and transition the whole set takes, in fewer steps', () => {
    const steps = (paths: readonly TestPath[]) => paths.reduce((sum, path) => sum + path.steps.length, 0);
    process.stderr.write(
      `${count} nodes: ${subset.length}/${set.paths.length} paths, ${steps(subset)}/${steps(set.paths)} steps\n`,
    );
    expect(coverageOf(nodes, subset)).toEqual(set.coverage);
    expect(steps(subset)).toBeLessThan(steps(set.paths));
    expect(subset.every((path) => set.paths.includes(path))).toBe(true);
  });
});
