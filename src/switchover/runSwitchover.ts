/**
 * The operator's switchover: check it makes sense, record the intent (so that the demote knows it is the
 * migrate_to half of a switchover to `target`), create the move, follow it to its outcome, and — whatever
 * happens, an interrupt too — remove the move constraint and the intent (a move left in place makes
 * Pacemaker retry a refused target until it is banned).
 */
import type { ClusterSnapshot, ClusterView } from './clusterView.ts';
import { type PhaseReached, type SwitchoverTracker, startTracking, track } from './switchoverProgress.ts';

export interface SwitchoverResult {
  readonly clone: string;
  readonly source: string | null;
  readonly target: string;
  readonly outcome: 'switched' | 'refused' | 'timeout';
  readonly reason: string | null;
  /** Who is promoted when the command ends. */
  readonly primary: string | null;
  readonly phases: readonly PhaseReached[];
  readonly switchoverMs: number | null;
}

export interface SwitchoverOptions {
  readonly target: string;
  readonly timeoutMs: number;
  readonly onPhase: (phase: PhaseReached) => void;
  /** Set when the command is interrupted: it stops following and cleans up. */
  readonly interrupted: () => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why a switchover to `target` cannot start, or null. */
export function precheck(
  snapshot: ClusterSnapshot,
  clone: string,
  target: string,
  targetScore: number | null = null,
): string | null {
  if (!snapshot.online.includes(target)) return `${target} is not an online cluster node`;
  if (snapshot.promoted.length !== 1) {
    return snapshot.promoted.length === 0
      ? `${clone} has no promoted instance: there is nothing to switch over`
      : `${clone} is promoted on ${snapshot.promoted.join(' and ')}: settle that first`;
  }
  if (snapshot.promoted[0] === target) return `${target} is already the primary of ${clone}`;
  if (!snapshot.unpromoted.includes(target)) return `${target} runs no unpromoted instance of ${clone}`;
  // -INFINITY + the move's INFINITY is -INFINITY: Pacemaker would leave the move undone until the timeout.
  if (targetScore !== null && targetScore <= -1_000_000) {
    return `${target} may not be promoted now (its promotion score is -INFINITY: a refused promotion or an election pointed away from it)`;
  }
  return null;
}

function observation(snapshot: ClusterSnapshot, source: string) {
  return { ...snapshot, sourceRecord: snapshot.records.get(source) ?? null };
}

export async function runSwitchover(view: ClusterView, options: SwitchoverOptions): Promise<SwitchoverResult> {
  const { target } = options;
  const first = await view.observe();
  const refused = precheck(first, view.clone, target, await view.promotionScore(target));
  const base = { clone: view.clone, target };
  if (refused !== null) {
    const primary = first.promoted[0] ?? null;
    return { ...base, source: primary, outcome: 'refused', reason: refused, primary, phases: [], switchoverMs: null };
  }
  const source = first.promoted[0] as string;
  const startedAt = Date.now();
  let tracker: SwitchoverTracker = startTracking(source, target, startedAt, observation(first, source));
  let last = first;
  let failure: unknown = null;
  try {
    await view.setIntent(target, startedAt + options.timeoutMs + 30_000);
    await view.move(target);
    while (tracker.outcome === null && Date.now() - startedAt < options.timeoutMs && !options.interrupted()) {
      await sleep(100);
      last = await view.observe().catch(() => last);
      const before = tracker.reached.length;
      tracker = track(tracker, observation(last, source));
      for (const phase of tracker.reached.slice(before)) options.onPhase(phase);
    }
  } catch (error) {
    failure = error;
  }
  const problems = await view.clean();
  if (failure !== null) throw failure;
  if (problems.length > 0) throw new Error(`could not remove what the switchover created: ${problems.join('; ')}`);
  const switchoverMs = tracker.outcome?.kind === 'switched' ? Date.now() - startedAt : null;
  if (tracker.outcome?.kind === 'refused') {
    // The move is gone: the cluster promotes the node the refusal pointed at (the source). Say who.
    const deadline = Date.now() + 30_000;
    while (last.promoted.length !== 1 && Date.now() < deadline && !options.interrupted()) {
      await sleep(100);
      last = await view.observe().catch(() => last);
    }
  }
  const outcome = tracker.outcome?.kind ?? 'timeout';
  const reason =
    tracker.outcome?.kind === 'refused'
      ? tracker.outcome.reason
      : outcome === 'timeout'
        ? options.interrupted()
          ? 'interrupted'
          : `no outcome within ${Math.round(options.timeoutMs / 1000)} s`
        : null;
  return {
    ...base,
    source,
    outcome,
    reason,
    primary: last.promoted.length === 1 ? (last.promoted[0] as string) : null,
    phases: tracker.reached,
    switchoverMs,
  };
}
