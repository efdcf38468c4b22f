/**
 * What happens to the promoted role of each promotable clone in one transition: switchover, failover,
 * recovery, promotion or demotion, and why. One code path for every input spelling (see facts.ts).
 */
import type { CloneChange, ClusterContext, TransitionFacts } from './facts.ts';

export type MigrationKind = 'switchover' | 'failover' | 'recovery' | 'promotion' | 'demotion';

export interface Migration {
  readonly resource: string;
  readonly kind: MigrationKind;
  readonly from: string | null;
  readonly to: string | null;
  readonly cause: string;
  /** A human detail for the cause (the constraint's id and role), empty when there is none. */
  readonly detail: string;
  readonly transitions: readonly number[];
  /**
   * What this reading cannot tell, when the input does not carry it (a graph without its CIB): the kind or
   * cause above is then one of the possibilities named here, not a finding.
   */
  readonly cannotTell?: string;
  /** A transition the scheduler planned whose outcome is not recorded yet (a history's newest input). */
  readonly planned?: boolean;
}

interface Cause {
  readonly kind: MigrationKind;
  readonly cause: string;
  readonly detail: string;
  readonly cannotTell?: string;
}

function failedOn(cluster: ClusterContext, change: CloneChange, node: string): boolean {
  // Own keys only: a primitive may be called "constructor".
  return (
    Object.hasOwn(cluster.failures, change.primitive) && cluster.failures[change.primitive]?.includes(node) === true
  );
}

/** Why the role left `from` (for `to`, when there is one), read from the CIB. */
function causeFromCluster(cluster: ClusterContext, change: CloneChange, from: string, to: string | null): Cause {
  const leaving: MigrationKind = to === null ? 'demotion' : 'switchover';
  const lost: MigrationKind = to === null ? 'demotion' : 'failover';
  if (cluster.lostNodes.includes(from)) return { kind: lost, cause: 'node-lost', detail: `${from} is lost` };
  if (failedOn(cluster, change, from)) return { kind: lost, cause: 'failure', detail: `failure recorded on ${from}` };
  if (cluster.standbyNodes.includes(from)) return { kind: leaving, cause: 'standby', detail: `${from} in standby` };
  const mine = cluster.locations.filter((location) => location.resource === change.resource);
  const promotedRole = (role: string | null) => role === 'Promoted' || role === 'Master';
  const prefer = mine.find((location) => location.id === `cli-prefer-${change.resource}`);
  if (prefer !== undefined && (to === null || prefer.node === to)) {
    const role = promotedRole(prefer.role) ? ', role Promoted' : '';
    return { kind: leaving, cause: 'move', detail: `${prefer.id}${role}` };
  }
  const ban = mine.find((location) => location.id === `cli-ban-${change.resource}-on-${from}`);
  if (ban !== undefined) {
    const role = promotedRole(ban.role) ? ', role Promoted' : '';
    return { kind: leaving, cause: 'ban', detail: `${ban.id}${role}` };
  }
  return { kind: leaving, cause: 'constraint', detail: 'scores or constraints changed' };
}

/** Without a CIB: what the graph alone shows, saying so where two causes look the same. */
function causeFromGraph(change: CloneChange, from: string, to: string | null): Cause {
  const stopped = change.stop.includes(from) && !change.start.includes(from);
  if (to === null) {
    return stopped
      ? { kind: 'demotion', cause: 'stop', detail: '' }
      : {
          kind: 'demotion',
          cause: 'constraint',
          detail: '',
          cannotTell: 'a constraint or a failed monitor with on-fail=demote: the same graph; give the CIB',
        };
  }
  if (stopped) {
    return {
      kind: 'switchover',
      cause: 'standby-or-failure',
      detail: 'graph alone: standby and a failure with migration-threshold=1 give the same graph; give the CIB',
      cannotTell: 'switchover or failover: standby and a failure with migration-threshold=1 give the same graph',
    };
  }
  return {
    kind: 'switchover',
    cause: 'constraint',
    detail: 'graph alone: a move, a ban or a score change',
    cannotTell:
      'switchover or failover: a move, a ban, a score change and a failed monitor with on-fail=demote give the same graph',
  };
}

/** Whether `node`'s promoted instance leaves it in this transition: demoted, stopped, fenced or lost. */
function leaves(change: CloneChange, facts: TransitionFacts, node: string): boolean {
  return (
    change.demote.includes(node) ||
    change.stop.includes(node) ||
    facts.fenced.includes(node) ||
    facts.cluster?.lostNodes.includes(node) === true
  );
}

function handOver(change: CloneChange, facts: TransitionFacts, from: string, to: string | null): Cause {
  if (facts.fenced.includes(from)) {
    return { kind: to === null ? 'demotion' : 'failover', cause: 'fenced', detail: `${from} fenced` };
  }
  return facts.cluster === null ? causeFromGraph(change, from, to) : causeFromCluster(facts.cluster, change, from, to);
}

/**
 * Every change of the clone's promoted role in one transition: each holder promoted again in place (a
 * recovery), each holder that leaves paired with a newly promoted node (switchover or failover) or alone (a
 * demotion), and each further promotion (an election, or one beside a holder that stays, promoted-max > 1).
 */
export function classifyChange(change: CloneChange, facts: TransitionFacts): Migration[] {
  const transitions = facts.transition === null ? [] : [facts.transition];
  const holders = change.promotedBefore;
  const found: Migration[] = [];
  const add = (from: string | null, to: string | null, cause: Cause) =>
    found.push({ resource: change.resource, from, to, transitions, ...cause });
  for (const node of holders.filter((holder) => change.promote.includes(holder))) {
    add(node, node, { kind: 'recovery', cause: 'failure', detail: `${node} recovered in place` });
  }
  const leaving = holders.filter((holder) => !change.promote.includes(holder) && leaves(change, facts, holder));
  const staying = holders.filter((holder) => !change.promote.includes(holder) && !leaving.includes(holder));
  const promoted = change.promote.filter((node) => !holders.includes(node));
  leaving.forEach((from, index) => {
    const to = promoted[index] ?? null;
    add(from, to, handOver(change, facts, from, to));
  });
  for (const to of promoted.slice(leaving.length)) {
    let detail: string;
    if (staying.length > 0) detail = `${staying.join(', ')} stays promoted beside it`;
    else if (facts.cluster === null)
      detail = 'graph alone: no promoted instance listed (a first promotion, or the promoted node was lost)';
    else detail = 'no instance was promoted';
    const unlisted =
      facts.cluster === null && change.listed === false
        ? {
            cannotTell: 'who held the promoted role before: the graph has no notify lists (notify=false); give the CIB',
          }
        : {};
    add(null, to, { kind: 'promotion', cause: 'election', detail, ...unlisted });
  }
  if (found.length === 0 && facts.cluster === null && change.listed === false) {
    // No notify lists: the graph does not say who was promoted. A fenced node may have been.
    for (const node of facts.fenced) {
      add(null, null, {
        kind: 'demotion',
        cause: 'fenced',
        detail: `${node} fenced`,
        cannotTell: `whether ${node} held the promoted role: the graph has no notify lists (notify=false); give the CIB`,
      });
    }
  }
  return found;
}

export function classifyTransition(facts: TransitionFacts): Migration[] {
  return facts.clones.flatMap((change) => classifyChange(change, facts));
}
