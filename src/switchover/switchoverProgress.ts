/**
 * What an operator's switchover has reached, from what the cluster shows while it runs: the promoted and
 * unpromoted instances (crm_mon), the failed operations with the agent's exit reason, and the source's
 * published record (its hand-over: target, final position, verdict). Pure: one observation in, the phases
 * newly reached and, once there is one, the outcome. The phases are the statechart's switchover states as
 * an operator reads them: hand-over (migrate_to done: the source shut down cleanly at its final position),
 * catch-up (the target is waiting for it), promote (the target is the primary), rejoin (the old primary
 * runs as its standby).
 */
import { formatPosition } from '../../models/position.ts';
import type { NodeRecord } from '../policy/nodeRecord.ts';

export type SwitchoverPhase = 'hand-over' | 'catch-up' | 'promote' | 'rejoin';

export interface SwitchoverObservation {
  readonly at: number;
  readonly promoted: readonly string[];
  readonly unpromoted: readonly string[];
  readonly failures: readonly { readonly node: string; readonly task: string; readonly exitReason: string }[];
  readonly sourceRecord: NodeRecord | null;
}

export interface PhaseReached {
  readonly phase: SwitchoverPhase;
  readonly atMs: number;
  readonly detail: string;
}

export type SwitchoverOutcome = { readonly kind: 'switched' } | { readonly kind: 'refused'; readonly reason: string };

export interface SwitchoverTracker {
  readonly source: string;
  readonly target: string;
  readonly startedAt: number;
  readonly reached: readonly PhaseReached[];
  readonly outcome: SwitchoverOutcome | null;
  /** Failures already on record before the switchover began: not its own. */
  readonly earlierFailures: readonly string[];
}

const failureKey = (failure: SwitchoverObservation['failures'][number]) =>
  `${failure.node}/${failure.task}/${failure.exitReason}`;

export function startTracking(
  source: string,
  target: string,
  startedAt: number,
  before: SwitchoverObservation,
): SwitchoverTracker {
  return { source, target, startedAt, reached: [], outcome: null, earlierFailures: before.failures.map(failureKey) };
}

export function track(tracker: SwitchoverTracker, observation: SwitchoverObservation): SwitchoverTracker {
  if (tracker.outcome !== null) return tracker;
  const { source, target } = tracker;
  const reached = [...tracker.reached];
  const has = (phase: SwitchoverPhase) => reached.some((each) => each.phase === phase);
  const reach = (phase: SwitchoverPhase, detail: string) => {
    if (!has(phase)) reached.push({ phase, atMs: Math.round(observation.at - tracker.startedAt), detail });
  };
  const handover = observation.sourceRecord?.handover;
  const ours = handover !== undefined && handover.handover.target === target && handover.handover.source === source;
  const targetPromoted = observation.promoted.includes(target);
  if (ours || targetPromoted || (!observation.promoted.includes(source) && has('hand-over'))) {
    const final = ours ? ` at ${formatPosition(handover.handover.final)}` : '';
    reach('hand-over', `${source} shut down cleanly${final} and handed over to ${target}`);
    if (!targetPromoted) reach('catch-up', `${target} is receiving ${source}'s final position`);
  }
  if (targetPromoted) {
    reach('catch-up', `${target} received ${source}'s final position`);
    reach('promote', `${target} is the primary`);
  }
  if (targetPromoted && observation.unpromoted.includes(source)) {
    reach('rejoin', `${source} runs as a standby of ${target}`);
    return { ...tracker, reached, outcome: { kind: 'switched' } };
  }
  const refusal = observation.failures.find(
    (failure) =>
      failure.node === target && failure.task === 'promote' && !tracker.earlierFailures.includes(failureKey(failure)),
  );
  if (refusal !== undefined || (ours && handover.verdict === 'aborted')) {
    const reason = refusal?.exitReason || `${target} refused to take over from ${source}`;
    return { ...tracker, reached, outcome: { kind: 'refused', reason } };
  }
  return { ...tracker, reached };
}
