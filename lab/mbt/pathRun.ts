/**
 * One model path's run on the real system: the model's snapshot after every step (computed up front), the
 * step the real system is at, and what the test has done to the world so far (cut links, stalled WAL
 * receivers, a source held from rejoining). Step execution, world events and the checks share this; each
 * lives in a file of its own.
 */
import { initialTransition, transition } from 'xstate';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { NodeFacts, RoleMigrationEvent } from '../../models/types.ts';
import { takenTransitions } from '../../src/paths/modelGraph.ts';
import type { ModelSnapshot } from '../../src/paths/pathEvents.ts';
import type { PathStep, TestPath } from '../../src/paths/testPaths.ts';
import type { RealSystem } from './realSystem.ts';

export type StepKind = 'world' | 'scheduled' | 'inAction' | 'observed';

/** How each event is made to happen for real (see runPath.ts). */
export const stepKinds: Record<RoleMigrationEvent['type'], StepKind> = {
  WRITE: 'world',
  REPLICATION_CUT: 'world',
  REPLICATION_RESTORED: 'world',
  INSTANCE_FAILED: 'world',
  NODE_LOST: 'world',
  NODE_JOINED: 'world',
  INTENT: 'world',
  INTENT_EXPIRED: 'world',
  START: 'scheduled',
  PROMOTE: 'scheduled',
  DEMOTE: 'scheduled',
  MIGRATE_TO: 'scheduled',
  MIGRATE_FROM: 'inAction',
  SHUTDOWN_CHECKPOINT: 'inAction',
  CAUGHT_UP: 'inAction',
  CATCH_UP_TIMEOUT: 'inAction',
  REJOIN: 'observed',
};

/** States that exist only while one agent action runs: a world event there is made while it runs. */
export const inActionStates: ReadonlySet<string> = new Set(['switchover.demotingSource', 'switchover.catchingUp']);

/** A path that did not hold on the real system; the message says where and how. */
export class PathFailure extends Error {}

export function isDown(facts: NodeFacts): boolean {
  return !facts.online || facts.instance === 'failed' || facts.instance === 'stopped';
}

export function follows(facts: NodeFacts): boolean {
  return facts.online && facts.instance === 'unpromoted' && facts.streaming && !facts.diverged;
}

export class PathRun {
  readonly steps: readonly PathStep[];
  readonly initial: ModelSnapshot;
  /** The model's snapshot after each step. */
  readonly snapshots: readonly ModelSnapshot[];
  /** The statechart transitions each step takes. */
  readonly taken: readonly (readonly string[])[];
  readonly transcript: string[] = [];
  /** The index of the next step the real system must take. */
  next = 0;
  failure: string | null = null;
  maxWritable = 0;
  lostWrites = 0;
  system: RealSystem | null = null;

  // What the test has done to the world and must undo or remember.
  /** Standbys whose link the test cut and has not restored. */
  readonly cut = new Set<string>();
  /** Standbys restored while no node was promoted: they stream from the source until a primary exists. */
  readonly restoredToSource = new Set<string>();
  /** Resumes WAL receivers stalled so that a fault falls inside the source's shutdown. */
  resumeReceivers: (() => void) | null = null;
  /** The stalled WAL receivers, by node. */
  stalled = new Map<string, number>();
  /** A switchover source kept from rejoining until a fault in `rejoining` is made. */
  heldSource: string | null = null;
  /** The source's postmaster, to freeze when the agent decides migrate_to. */
  freezeSource: number | null = null;
  /** Nodes whose promote or migrate_from the agents refused since the last rest with a primary. */
  readonly refused = new Set<string>();
  /** Nodes whose instance the scheduler stopped in the running transition. */
  readonly stoppedNow = new Set<string>();
  /** The model's state after the path's last step, moved on by the decisions the agents take after it. */
  afterEnd: ModelSnapshot;

  constructor(
    readonly nodes: readonly string[],
    readonly path: TestPath,
  ) {
    this.steps = path.steps;
    let [snapshot] = initialTransition(roleMigrationMachine, { nodes });
    this.initial = snapshot;
    const snapshots: ModelSnapshot[] = [];
    const taken: string[][] = [];
    for (const step of this.steps) {
      taken.push(takenTransitions(snapshot, step.event));
      [snapshot] = transition(roleMigrationMachine, snapshot, step.event);
      snapshots.push(snapshot);
    }
    this.snapshots = snapshots;
    this.taken = taken;
    this.afterEnd = snapshot;
  }

  get real(): RealSystem {
    if (this.system === null) throw new PathFailure('the real system is not up');
    return this.system;
  }

  step(index: number): PathStep {
    return this.steps[index] as PathStep;
  }

  /** The model's snapshot before step `index`. */
  before(index: number): ModelSnapshot {
    return index === 0 ? this.initial : (this.snapshots[index - 1] as ModelSnapshot);
  }

  /** The model's snapshot after step `index`. */
  after(index: number): ModelSnapshot {
    return this.snapshots[index] as ModelSnapshot;
  }

  kindOf(index: number): StepKind | null {
    const step = this.steps[index];
    return step === undefined ? null : stepKinds[step.event.type];
  }

  /** The first failure counts; the running transition stops so that nothing more happens. */
  fail(message: string): void {
    this.failure ??= message;
    this.system?.controller.abort();
  }

  note(line: string): void {
    this.transcript.push(line);
  }
}
