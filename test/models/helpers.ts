import { initialTransition } from 'xstate';
import { factsOf } from '../../models/cluster.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { RoleMigrationEvent } from '../../models/types.ts';
import { type ModelSnapshot, shutdownCheckpointEvent } from '../../src/paths/pathEvents.ts';
import { type Decision, decide } from '../../src/policy/decide.ts';

export type Step = RoleMigrationEvent | ((snapshot: ModelSnapshot) => RoleMigrationEvent);

/** The source's shutdown checkpoint: one WAL record past what it wrote. */
export const shutdownCheckpoint = (snapshot: ModelSnapshot): RoleMigrationEvent => {
  const event = shutdownCheckpointEvent(snapshot);
  if (event === null) throw new Error('no migration in progress');
  return event;
};

export const caughtUp = (snapshot: ModelSnapshot): RoleMigrationEvent => ({
  type: 'CAUGHT_UP',
  received: factsOf(snapshot.context, snapshot.context.handover?.target ?? '')?.position ?? { timeline: 0, lsn: 0 },
});

export interface Run {
  readonly snapshot: ModelSnapshot;
  readonly decisions: Decision[];
  readonly last: Decision;
}

/** Plays steps from the initial state; throws on an event the model does not handle. */
export function play(nodes: readonly string[], steps: readonly Step[], from?: ModelSnapshot): Run {
  let snapshot = from ?? initialTransition(roleMigrationMachine, { nodes })[0];
  const decisions: Decision[] = [];
  for (const step of steps) {
    const event = typeof step === 'function' ? step(snapshot) : step;
    const decision = decide(snapshot, event);
    if (decision.kind === 'unhandled') throw new Error(decision.reason);
    decisions.push(decision);
    snapshot = decision.next;
  }
  const last = decisions[decisions.length - 1];
  if (last === undefined) throw new Error('no steps');
  return { snapshot, decisions, last };
}

export function state(run: Run): string {
  return run.last.kind === 'transition' ? run.last.to : run.last.from;
}

export function instructions(run: Run) {
  return run.last.kind === 'transition' ? run.last.instructions : [];
}

export const three = ['node1', 'node2', 'node3'];
export const two = ['node1', 'node2'];
