/**
 * What would block a switchover to `target`, from the cluster's status and the transition Pacemaker's
 * scheduler computed for the move (pure). A blocker is a reason the switchover would not happen or would be
 * refused; what cannot be known from this node is said, never assumed to be fine.
 */
import type { Migration } from '../adapter/classify.ts';
import type { StatusReport } from '../status/statusReport.ts';

export interface DryRunVerdict {
  /** Pacemaker's transition for the move promotes the target. */
  readonly schedulerPromotesTarget: boolean;
  /** The target has written everything up to the primary's current position (null: not known here). */
  readonly caughtUp: boolean | null;
  readonly caughtUpDetail: string;
  readonly blockers: readonly string[];
}

export function dryRunVerdict(
  status: StatusReport,
  target: string,
  migrations: readonly Migration[],
  fenced: readonly string[],
): DryRunVerdict {
  const blockers: string[] = [];
  const node = status.nodes.find((each) => each.node === target);
  const { primary } = status;
  if (node === undefined) blockers.push(`${target} is not a node of this cluster`);
  else if (node.role === 'offline') blockers.push(`${target} is not online`);
  else if (node.role === 'promoted') blockers.push(`${target} is already the primary of ${status.clone}`);
  else if (node.role === 'stopped') blockers.push(`${target} runs no instance of ${status.clone}`);
  if (primary === null) blockers.push(`${status.clone} has no single primary: there is nothing to switch over`);
  if (node?.promotionScore !== null && node?.promotionScore !== undefined && node.promotionScore <= -1_000_000) {
    blockers.push(`${target}'s promotion score is -INFINITY (a refused promotion or an election pointed away from it)`);
  }
  const promotes = migrations.some((migration) => migration.to === target);
  if (!promotes) {
    blockers.push(`Pacemaker's scheduler would not promote ${target} for the move (constraints, scores or failures)`);
  }
  if (fenced.length > 0) blockers.push(`the transition would fence ${fenced.join(', ')}`);
  const caught = caughtUp(node?.lagBytes ?? null, node?.lagUnknownBecause ?? null, target, primary);
  if (caught.blocker !== null) blockers.push(caught.blocker);
  return { schedulerPromotesTarget: promotes, caughtUp: caught.value, caughtUpDetail: caught.detail, blockers };
}

function caughtUp(lag: number | null, unknownBecause: string | null, target: string, primary: string | null) {
  if (primary === null || primary === target) return { value: null, detail: 'no other primary', blocker: null };
  if (lag === null) {
    const because = unknownBecause ?? 'not known';
    if (because.startsWith('not streaming')) {
      return {
        value: false,
        detail: `${target} is ${because}`,
        blocker: `${target} is ${because}: its promotion would be refused after catch_up_timeout and ${primary} promoted again`,
      };
    }
    return { value: null, detail: `unknown (${because})`, blocker: null };
  }
  if (lag === 0) return { value: true, detail: `${target} has written everything ${primary} has`, blocker: null };
  return {
    value: false,
    detail: `${target} is ${lag} bytes behind ${primary}: it must receive them and the shutdown checkpoint within catch_up_timeout`,
    blocker: null,
  };
}
