/**
 * `ocf:promigrate:stateful`: the reference agent. The same actions and the same decisions as the PostgreSQL
 * agent, on a database that is a position counter in files (counterDatabase.ts): for demos, tests, and
 * agent authors who want to see the protocol without PostgreSQL.
 */
import type { AgentDefinition } from '../ocf/agentDefinition.ts';
import { nodeName } from '../ocf/nodeName.ts';
import { absolutePath, seconds } from '../ocf/parameterChecks.ts';
import type { ActionContext } from '../ocf/runAgent.ts';
import { clusterAccess } from '../promotable/clusterAccess.ts';
import { actionDeadline, promotableActions } from '../promotable/promotableActions.ts';
import type { PromotableDependencies } from '../promotable/promotableAgent.ts';
import { CounterStore, counterDatabase } from './counterDatabase.ts';

declare const PROMIGRATE_VERSION: string;

export const statefulAgent: AgentDefinition = {
  name: 'stateful',
  version: typeof PROMIGRATE_VERSION === 'string' ? PROMIGRATE_VERSION : 'dev',
  shortdesc: 'Reference promotable agent with safe promoted-role migration, without a database',
  longdesc:
    'A promotable clone whose database is a position counter in files, replicated to standbys while their ' +
    'link is connected. It runs the same migrate_to / migrate_from protocol and the same decisions as ' +
    'ocf:promigrate:pgsql. Use with notify=true.',
  parameters: [
    {
      name: 'state_root',
      type: 'string',
      shortdesc: 'Counter files',
      longdesc: 'The directory holding every node’s counter (one subdirectory per node).',
      default: '/var/lib/promigrate-stateful',
      check: absolutePath,
    },
    {
      name: 'catch_up_timeout',
      type: 'integer',
      shortdesc: 'Longest catch-up wait of a switchover (s)',
      longdesc: 'How long the promote of a switchover target waits for the old primary’s final position.',
      default: '10',
      check: seconds,
    },
    {
      name: 'state_dir',
      type: 'string',
      shortdesc: 'Local state',
      longdesc: 'Where the agent keeps the promotion scores it last set (cleared at reboot, like the scores).',
      default: '/run/promigrate',
      check: absolutePath,
    },
  ],
  actions: promotableActions,
};

export async function statefulDependencies(context: ActionContext): Promise<PromotableDependencies> {
  const { parameters: p, env } = context;
  const node = nodeName(env);
  const deadline = actionDeadline(env, context.action, Date.now());
  return {
    node,
    database: counterDatabase(new CounterStore(p.state_root as string, node)),
    cluster: clusterAccess({
      resource: (env.OCF_RESOURCE_INSTANCE ?? '').replace(/:\d+$/, ''),
      node,
      sbinDir: env.HA_SBIN_DIR,
      stateDir: p.state_dir as string,
      deadline,
    }),
    catchUpMs: Number(p.catch_up_timeout) * 1000,
    deadline,
    now: Date.now,
  };
}
