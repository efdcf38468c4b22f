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
}

interface Cause {
  readonly kind: MigrationKind;
  readonly cause: string;
  readonly detail: string;
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
  if (to === null) return { kind: 'demotion', cause: stopped ? 'stop' : 'constraint', detail: '' };
  if (stopped) {
    return {
      kind: 'switchover',
      cause: 'standby-or-failure',
      detail: 'graph alone: standby and a failure with migration-threshold=1 give the same graph; give the CIB',
    };
  }
  return { kind: 'switchover', cause: 'constraint', detail: 'graph alone: a move, a ban or a score change' };
}

export function classifyChange(change: CloneChange, facts: TransitionFacts): Migration | null {
  const transitions = facts.transition === null ? [] : [facts.transition];
  const from = change.promotedBefore[0] ?? null;
  const to = change.promote[0] ?? null;
  const base = { resource: change.resource, from, to, transitions };
  if (to !== null && from === to) {
    return { ...base, kind: 'recovery', cause: 'failure', detail: `${from} recovered in place` };
  }
  if (to !== null && from === null) {
    const detail =
      facts.cluster === null
        ? 'graph alone: no promoted instance listed (a first promotion, or the promoted node was lost)'
        : 'no instance was promoted';
    return { ...base, kind: 'promotion', cause: 'election', detail };
  }
  if (from === null) return null;
  const leaves = to !== null || change.demote.includes(from) || change.stop.includes(from);
  if (!leaves) return null;
  if (facts.fenced.includes(from)) {
    return { ...base, kind: to === null ? 'demotion' : 'failover', cause: 'fenced', detail: `${from} fenced` };
  }
  const cause =
    facts.cluster === null ? causeFromGraph(change, from, to) : causeFromCluster(facts.cluster, change, from, to);
  return { ...base, ...cause };
}

export function classifyTransition(facts: TransitionFacts): Migration[] {
  return facts.clones.flatMap((change) => {
    const migration = classifyChange(change, facts);
    return migration === null ? [] : [migration];
  });
}
