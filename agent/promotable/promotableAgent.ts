/**
 * The OCF actions of a promotable agent, shared by `pgsql` and `stateful`. monitor, stop and notify are here
 * and light (they run far more often, and notify results are ignored by Pacemaker); the actions whose
 * meaning the model decides are in modelActions.ts, loaded only when one of them runs.
 */

import { formatPosition } from '../../models/position.ts';
import type { NodeName } from '../../models/types.ts';
import { notifyList } from '../../src/adapter/notifyList.ts';
import { formatNodeRecord } from '../../src/policy/nodeRecord.ts';
import type { ReplicatedDatabase } from '../database/replicatedDatabase.ts';
import { failure, OcfExit, type OcfResult, success } from '../ocf/exitCodes.ts';
import type { ActionContext, ActionHandler } from '../ocf/runAgent.ts';
import type { ClusterAccess } from './clusterAccess.ts';
import { followPrimary } from './followPrimary.ts';
import { candidateScore, promotedScores } from './scores.ts';

export interface PromotableDependencies {
  readonly node: NodeName;
  readonly database: ReplicatedDatabase;
  readonly cluster: ClusterAccess;
  /** The longest catch-up wait of migrate_from, in ms (further bounded by the action's timeout). */
  readonly catchUpMs: number;
  /** When the running action must be done, in ms since the epoch (its timeout, less a margin). */
  readonly deadline: number;
  readonly now: () => number;
}

export type DependencyFactory = (context: ActionContext) => Promise<PromotableDependencies>;

const modelActions = () => import('./modelActions.ts');

function isIdleNotify(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.OCF_RESKEY_CRM_meta_notify_type !== 'pre' || env.OCF_RESKEY_CRM_meta_notify_operation !== 'promote';
}

export function promotableHandlers(makeDependencies: DependencyFactory): Record<string, ActionHandler> {
  const withDeps =
    (action: (deps: PromotableDependencies, context: ActionContext) => Promise<OcfResult>): ActionHandler =>
    async (context) => {
      const deps = await makeDependencies(context);
      const problem = await deps.database.validate();
      if (problem !== null) {
        const code = { installed: OcfExit.ERR_INSTALLED, local: OcfExit.ERR_ARGS, configured: OcfExit.ERR_CONFIGURED }[
          problem.kind
        ];
        // A probe where the instance cannot exist is "not running": Pacemaker then knows it is not active there.
        const probe = context.action === 'monitor' && (context.env.OCF_RESKEY_CRM_meta_interval ?? '0') === '0';
        if (probe && problem.kind !== 'configured') return { code: OcfExit.NOT_RUNNING };
        // A stop where no instance can run (its data directory gone: an operator re-cloning the node) has
        // nothing to stop. Failing it would have the node fenced.
        if (context.action === 'stop' && problem.kind === 'local') {
          context.log(`stop: nothing to stop (${problem.reason})`);
          return success();
        }
        return failure(code, problem.reason);
      }
      return action(deps, context);
    };

  const monitor = async (deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> => {
    const state = await deps.database.observe();
    switch (state.kind) {
      case 'primary': {
        // The scores only steer the next election: a tool that fails to write them says nothing about the
        // primary, which is healthy. Failing the monitor would make Pacemaker recover it.
        try {
          const changed = await deps.cluster.setScores(promotedScores(deps.node, state.standbys));
          if (changed.length > 0) context.log(`promotion scores ${changed.join(', ')}`);
        } catch (error) {
          context.log(`promotion scores not written: ${(error as Error).message}`);
        }
        return { code: OcfExit.RUNNING_PROMOTED };
      }
      case 'standby':
        if (await deps.cluster.ensureOwnScore(candidateScore)) {
          context.log(`no promotion score yet: ${candidateScore} set, so that an election can promote a node`);
        }
        return success();
      case 'stopped':
        return { code: OcfExit.NOT_RUNNING };
      case 'failed':
        return failure(state.wasPrimary ? OcfExit.FAILED_PROMOTED : OcfExit.ERR_GENERIC, state.reason);
    }
  };

  const stop = async (deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> => {
    if ((await deps.database.stop()) === 'immediate') {
      context.log('the clean shutdown did not end in time: stopped at once (crash recovery at the next start)');
    }
    return success();
  };

  const migrateSource = (context: ActionContext) => context.env.OCF_RESKEY_CRM_meta_migrate_source ?? '';
  const migrateTarget = (context: ActionContext) => context.env.OCF_RESKEY_CRM_meta_migrate_target ?? '';

  /**
   * The pre-promote notify (the PostgreSQL agent's shell entry point answers it in the common case, alike:
   * agent/pgsql/prePromoteNotify.sh): this node publishes its true end of WAL, whatever the transition looks like. A
   * promote that is not the proven migrate_from of a recorded hand-over is an election, and the lists cannot
   * tell beforehand: with fencing, a lost primary is listed in demote and stop exactly as a moved one is.
   * An election never counts a node that did not publish as behind (the model's information rule), so a
   * node that skipped this would only make the election wait for it.
   */
  const prePromoteNotify = async (deps: PromotableDependencies, context: ActionContext): Promise<OcfResult> => {
    // A standby follows the node about to be promoted, straight from its own address (when the agent manages
    // primary_conninfo): it streams from the new primary as soon as it exists.
    const promoted = notifyList(context.env.OCF_RESKEY_CRM_meta_notify_promote_uname);
    await followPrimary(deps, context, promoted.length === 1 ? (promoted[0] as string) : null);
    const state = await deps.database.observe();
    const position = state.position;
    if (position === null) return success();
    await deps.cluster.writePosition(formatNodeRecord({ position: { position, at: deps.now() } }));
    context.log(`published ${formatPosition(position)} for the election`);
    return success();
  };

  return {
    start: withDeps(async (deps, context) => (await modelActions()).start(deps, context)),
    stop: withDeps(stop),
    monitor: withDeps(monitor),
    promote: withDeps(async (deps, context) => (await modelActions()).promote(deps, context, null)),
    demote: withDeps(async (deps, context) => (await modelActions()).demote(deps, context, null)),
    // Only a pre-promote notify has work, so the others are answered before any validation, exactly as the
    // shell entry point (agent/shim/entryPoint.sh) answers them without starting Node.
    notify: async (context) => (isIdleNotify(context.env) ? success() : withDeps(prePromoteNotify)(context)),
    migrate_to: withDeps(async (deps, context) => {
      if (migrateSource(context) !== deps.node || migrateTarget(context) === '') {
        return failure(OcfExit.ERR_ARGS, 'migrate_to needs CRM_meta_migrate_source (this node) and _target');
      }
      const event = { type: 'MIGRATE_TO', source: deps.node, target: migrateTarget(context) } as const;
      return (await modelActions()).demote(deps, context, event);
    }),
    migrate_from: withDeps(async (deps, context) => {
      if (migrateTarget(context) !== deps.node) {
        return failure(OcfExit.ERR_ARGS, 'migrate_from needs CRM_meta_migrate_target (this node)');
      }
      return (await modelActions()).promote(deps, context, { type: 'MIGRATE_FROM', target: deps.node });
    }),
    'validate-all': withDeps(async () => success()),
  };
}
