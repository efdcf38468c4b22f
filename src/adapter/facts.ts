/**
 * One typed shape for what a transition does to promotable clones, whichever spelling it came in: a
 * transition graph, a CIB (through the real scheduler), a pe-input file, or one agent action's environment.
 * Classification reads only this.
 */
import type { LocationConstraint } from './cib.ts';

export interface CloneChange {
  /** The clone's id (`pgsql-ha`); the primitive's when only the primitive is known (agent environment). */
  readonly resource: string;
  readonly primitive: string;
  /** Nodes whose instance was promoted when the transition was computed (lost nodes included when known). */
  readonly promotedBefore: readonly string[];
  readonly promote: readonly string[];
  readonly demote: readonly string[];
  readonly stop: readonly string[];
  readonly start: readonly string[];
  /** Whether the input named the promoted instances (a CIB, or a graph's notify lists); false: unknown. */
  readonly listed?: boolean;
}

/** What a CIB adds to a graph: why the scheduler did it. Absent for a graph or an environment alone. */
export interface ClusterContext {
  readonly lostNodes: readonly string[];
  readonly standbyNodes: readonly string[];
  /** primitive → nodes where a failure is recorded */
  readonly failures: Readonly<Record<string, readonly string[]>>;
  readonly locations: readonly LocationConstraint[];
}

export interface TransitionFacts {
  readonly transition: number | null;
  readonly clones: readonly CloneChange[];
  /** Nodes fenced by this transition (`crm_event` stonith). */
  readonly fenced: readonly string[];
  readonly cluster: ClusterContext | null;
}
