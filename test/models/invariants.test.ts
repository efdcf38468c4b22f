/**
 * The model's invariants on every reachable state, for 2 and 3 nodes; and, so that no check passes by
 * examining nothing, each check catches a deliberately broken variant of the machine.
 */
import { describe, expect, it } from 'vitest';
import { assign } from 'xstate';
import { isAvailableStandby } from '../../models/cluster.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { RoleMigrationContext } from '../../models/types.ts';
import { buildModelGraph, nodeNamesFor } from '../../src/paths/modelGraph.ts';
import { checkInvariants, type InvariantResult } from '../../src/verify/invariants.ts';

function byName(results: InvariantResult[]): Record<string, InvariantResult> {
  return Object.fromEntries(results.map((result) => [result.name, result]));
}

describe.each([2, 3])('invariants on every reachable state, %i nodes', (count) => {
  const graph = buildModelGraph(nodeNamesFor(count));
  const results = checkInvariants(graph);

  it('explores a non-trivial state space', () => {
    expect(graph.states.size).toBeGreaterThan(count === 2 ? 300 : 3000);
  });

  it.each(results.map((result) => [result.name, result] as const))('%s', (_name, result) => {
    expect(result.examined).toBeGreaterThan(10);
    expect(result.violations).toEqual([]);
  });
});

type Args = { context: RoleMigrationContext; event: { type: string; node?: string; target?: string } };
const subjectOf = (event: Args['event']) => event.node ?? event.target ?? '';

describe('each invariant catches a broken model', () => {
  const nodes = nodeNamesFor(2);
  const violated = (machine: typeof roleMigrationMachine) =>
    byName(checkInvariants(buildModelGraph(nodes, {}, machine)));

  it('a switchover that promotes a target that has not received the final position', () => {
    const broken = roleMigrationMachine.provide({
      guards: {
        isCaughtUpTarget: ({ context, event }: Args) =>
          context.handover?.target === subjectOf(event) && isAvailableStandby(context, subjectOf(event)),
      },
    });
    expect(violated(broken)['switchover promotes only a caught-up target']?.violations.length).toBeGreaterThan(0);
  });

  it('an election that ignores positions (the PAF#225 loss)', () => {
    const broken = roleMigrationMachine.provide({
      guards: {
        isElectable: ({ context, event }: Args) => isAvailableStandby(context, subjectOf(event)),
        isElectableWithoutSource: ({ context, event }: Args) => isAvailableStandby(context, subjectOf(event)),
      },
    });
    const results = violated(broken);
    expect(results['an election never promotes a lagging standby']?.violations.length).toBeGreaterThan(0);
    expect(results['never behind a recorded final position']?.violations.length).toBeGreaterThan(0);
    expect(results['aborted switchover promotes the source again']?.violations.length).toBeGreaterThan(0);
  });

  it('a shutdown checkpoint that leaves the source promoted', () => {
    const broken = roleMigrationMachine.provide({
      actions: {
        recordShutdownCheckpoint: assign(({ context }) => context),
      },
    });
    expect(violated(broken)['at most one promoted']?.violations.length).toBeGreaterThan(0);
  });

  it('an intent that survives the loss of the primary', () => {
    const broken = roleMigrationMachine.provide({
      actions: { clearIntent: assign(({ context }) => context) },
    });
    expect(violated(broken)["the operator's intent never outlives its switchover"]?.violations.length).toBeGreaterThan(
      0,
    );
  });

  it('an aborted switchover that never promotes the source again', () => {
    const broken = roleMigrationMachine.provide({
      guards: { isAvailableHandoverSource: () => false },
    });
    expect(violated(broken)['reactions settle']?.violations.length).toBeGreaterThan(0);
  });
});
