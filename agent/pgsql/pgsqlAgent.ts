/** `ocf:promigrate:pgsql`: the declarations and the wiring of the PostgreSQL agent (no decisions here). */
import { readFileSync } from 'node:fs';
import type { AgentDefinition } from '../ocf/agentDefinition.ts';
import { nodeName } from '../ocf/nodeName.ts';
import { absolutePath, noControlCharacters, pgCtlPath, seconds } from '../ocf/parameterChecks.ts';
import type { ActionContext } from '../ocf/runAgent.ts';
import { clusterAccess } from '../promotable/clusterAccess.ts';
import { actionDeadline, promotableActions } from '../promotable/promotableActions.ts';
import type { PromotableDependencies } from '../promotable/promotableAgent.ts';
import { conninfoTemplateProblem, followConninfo, nodeHostsProblem, parseNodeHosts } from './conninfo.ts';
import { postgresDatabase } from './postgres.ts';
import { findSystemUser } from './systemUser.ts';

declare const PROMIGRATE_VERSION: string;

function systemUserProblem(name: string): string | null {
  const user = findSystemUser(readFileSync('/etc/passwd', 'utf8'), name);
  if (user === null) return 'no such system user';
  return user.uid === 0 ? 'PostgreSQL may not run as root' : null;
}

export const pgsqlAgent: AgentDefinition = {
  name: 'pgsql',
  version: typeof PROMIGRATE_VERSION === 'string' ? PROMIGRATE_VERSION : 'dev',
  shortdesc: 'PostgreSQL with safe promoted-role migration (switchover) for promotable clones',
  longdesc:
    'Manages a PostgreSQL instance (streaming replication) as a promotable clone. A demote that moves the ' +
    'promoted role to another node is a migrate_to: the primary shuts down cleanly and publishes the end of ' +
    'its shutdown checkpoint; the promote of the target is a migrate_from: it waits, bounded below the ' +
    'promote timeout, until the target received it, and refuses otherwise so that the source is promoted ' +
    'again. Elections promote only the most advanced standby, never one behind a recorded final position. ' +
    'Use with notify=true. With primary_conninfo set, the agent points every standby at the new primary’s ' +
    'own node as soon as it knows it (the old primary in migrate_to, the others in the pre-promote notify, a ' +
    'starting standby at its start); left empty, primary_conninfo is the operator’s (e.g. a primary address).',
  parameters: [
    {
      name: 'pgdata',
      type: 'string',
      shortdesc: 'Data directory',
      longdesc: 'The PostgreSQL data directory (postgresql.conf may live elsewhere only through the data directory).',
      check: pgCtlPath,
    },
    {
      name: 'bindir',
      type: 'string',
      shortdesc: 'PostgreSQL programs',
      longdesc: 'Where pg_ctl, psql, pg_controldata and pg_waldump are.',
      default: '/usr/lib/postgresql/15/bin',
      check: pgCtlPath,
    },
    {
      name: 'system_user',
      type: 'string',
      shortdesc: 'Instance owner',
      longdesc: 'The system user that owns the instance; every PostgreSQL program runs as this user, never as root.',
      default: 'postgres',
      check: (value) => noControlCharacters(value) ?? systemUserProblem(value),
    },
    {
      name: 'pghost',
      type: 'string',
      shortdesc: 'Socket directory or address',
      longdesc: 'Where the agent connects to its own instance: a Unix socket directory or a local address.',
      default: '/var/run/postgresql',
      check: noControlCharacters,
    },
    {
      name: 'pgport',
      type: 'integer',
      shortdesc: 'Port',
      longdesc: 'The port of the instance.',
      default: '5432',
      check: (value) => (Number(value) >= 1 && Number(value) <= 65535 ? null : 'expected a port from 1 to 65535'),
    },
    {
      name: 'logfile',
      type: 'string',
      shortdesc: 'Server log for pg_ctl',
      longdesc: 'Passed to pg_ctl -l when not empty; empty leaves logging to the server configuration.',
      default: '',
      check: (value) => (value === '' ? null : pgCtlPath(value)),
    },
    {
      name: 'catch_up_timeout',
      type: 'integer',
      shortdesc: 'Longest catch-up wait of a switchover (s)',
      longdesc:
        'How long the promote of a switchover target waits for the shutdown checkpoint of the old primary ' +
        'before refusing; always bounded below the promote timeout.',
      default: '10',
      check: seconds,
    },
    {
      name: 'primary_conninfo',
      type: 'string',
      shortdesc: 'Template of the standbys’ primary_conninfo',
      longdesc:
        'When set, the agent manages primary_conninfo (postgresql.auto.conf): this libpq connection string ' +
        'with %h replaced by the host of the node to follow (see node_hosts), %n by this node’s name (use it ' +
        'as application_name) and %% by a percent sign, e.g. "host=%h port=5432 user=replicator ' +
        'application_name=%n connect_timeout=2". Empty: primary_conninfo is the operator’s and never touched.',
      default: '',
      check: conninfoTemplateProblem,
    },
    {
      name: 'node_hosts',
      type: 'string',
      shortdesc: 'Replication host of each node',
      longdesc:
        'The host each node’s PostgreSQL is reached at for replication, as node=host pairs separated by ' +
        'spaces ("node1=10.0.0.1 node2=10.0.0.2"); a node not listed is reached by its node name. Used only ' +
        'with primary_conninfo.',
      default: '',
      check: nodeHostsProblem,
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

export async function pgsqlDependencies(context: ActionContext): Promise<PromotableDependencies> {
  const { parameters: p, env } = context;
  const node = nodeName(env);
  const resource = (env.OCF_RESOURCE_INSTANCE ?? '').replace(/:\d+$/, '');
  const owner = findSystemUser(readFileSync('/etc/passwd', 'utf8'), p.system_user as string);
  if (owner === null) throw new Error(`system user ${p.system_user} vanished`);
  const deadline = actionDeadline(env, context.action, Date.now());
  return {
    node,
    database: postgresDatabase({
      bindir: p.bindir as string,
      pgdata: p.pgdata as string,
      owner,
      host: p.pghost as string,
      port: Number(p.pgport),
      logfile: p.logfile as string,
      deadline,
      conninfoFor: (primary) =>
        followConninfo(p.primary_conninfo as string, parseNodeHosts(p.node_hosts as string), primary, node),
    }),
    cluster: clusterAccess({
      resource,
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
