/**
 * The nemesis: makes one planned fault happen on the real cluster — at a random moment, or at a state of a
 * controlled switchover in flight, as the agents' actions show it — and says where it fell. Healing what
 * can be healed (a partition, a slow or lossy link, failing tools) is part of the fault: it lasts the
 * plan's hold time. Bringing fenced nodes back is the campaign's recovery, not the nemesis's.
 */
import { existsSync } from 'node:fs';
import { healLink, lossyLink, slowLink } from '../netcluster/linkFaults.ts';
import type { PostgresCluster } from '../netcluster/postgresCluster.ts';
import { setToolsFailing } from '../netcluster/toolFaults.ts';
import { awaitAgentAction } from './agentProcesses.ts';
import type { FaultKind, PlannedFault, SwitchoverCommand, SwitchoverState } from './chaosPlan.ts';
import type { SeededRandom } from './seededRandom.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cloneId = 'pgsql-ha';

export interface Roles {
  readonly primary: string;
  readonly standbys: readonly string[];
}

export interface FaultEnvironment {
  readonly cluster: PostgresCluster;
  readonly random: SeededRandom;
  /** promigrate's CLI (dist/promigrate.js), run on a node as an operator would. */
  readonly cli: string;
}

export interface SwitchoverInFlight {
  readonly target: string;
  readonly command: SwitchoverCommand;
  /** The command's own end (promigrate switchover waits for the move; crm_resource returns at once). */
  readonly finished: Promise<{ exitCode: number; output: string }>;
}

export interface Injection {
  readonly victim: string | null;
  readonly where: string;
  /** A partitioned node, when the fault was a partition: healed, or fenced by the others meanwhile. */
  readonly partitioned: string | null;
}

/** A controlled switchover, started and left running: `crm_resource --move --promoted` or promigrate's own. */
export function startSwitchover(env: FaultEnvironment, target: string, command: SwitchoverCommand): SwitchoverInFlight {
  const run =
    command === 'crm_resource'
      ? env.cluster.move(target).then(
          () => ({ exitCode: 0, output: '' }),
          (error: Error) => ({ exitCode: 1, output: error.message }),
        )
      : env.cluster
          .promigrate(['switchover', cloneId, '--to', target, '--json'], env.cli)
          .then((result) => ({ exitCode: result.exitCode, output: `${result.stdout.trim()} ${result.stderr.trim()}` }));
  return { target, command, finished: run };
}

/** Waits, bounded, until the switchover in flight is in `state`; says what was seen. */
async function reachState(
  cluster: PostgresCluster,
  state: SwitchoverState,
  source: string,
  target: string,
): Promise<string> {
  const bound = 20_000;
  switch (state) {
    case 'switchover.demotingSource': {
      const demote = await awaitAgentAction(cluster.net.node(source).namespace, source, 'demote', bound);
      return demote === null ? `${state} not seen` : `${state}: demote running on ${source}`;
    }
    case 'switchover.handedOver': {
      const demote = await awaitAgentAction(cluster.net.node(source).namespace, source, 'demote', bound);
      if (demote === null) return `${state} not seen`;
      while (existsSync(`/proc/${demote.pid}`)) await sleep(5);
      return `${state}: ${source}'s demote done, ${target}'s promote not yet`;
    }
    case 'switchover.catchingUp': {
      const promote = await awaitAgentAction(cluster.net.node(target).namespace, target, 'promote', bound);
      return promote === null ? `${state} not seen` : `${state}: promote running on ${target}`;
    }
    case 'switchover.rejoining': {
      const promoted = await cluster
        .waitStatus(`${target} promoted`, (status) => status.promoted.includes(target), bound)
        .then(() => true)
        .catch(() => false);
      return promoted ? `${state}: ${target} promoted` : `${state} not seen`;
    }
    case 'promoted': {
      const settled = await cluster
        .waitSettled(`${target} primary`, { primary: target, ms: bound })
        .then(() => true)
        .catch(() => false);
      return settled ? `promoted: ${target} settled` : `${state} not seen`;
    }
  }
}

/** Kills the agent as soon as it runs `action` on `node`, a random moment into it. */
async function killAgentIn(
  cluster: PostgresCluster,
  random: SeededRandom,
  node: string,
  action: string,
): Promise<string> {
  const agent = await awaitAgentAction(cluster.net.node(node).namespace, node, action, 30_000);
  if (agent === null) return `no ${action} ran on ${node} within 30 s`;
  await sleep(random.between(0, 150));
  try {
    process.kill(agent.pid, 'SIGKILL');
    return `agent killed in ${action} on ${node} (pid ${agent.pid})`;
  } catch {
    return `${action} on ${node} ended before the kill`;
  }
}

/** Who a kind of fault hits: the primary, the switchover's target, or a standby that is not the target. */
function victimOf(kind: FaultKind, roles: Roles, target: string | null, random: SeededRandom): string {
  const bystanders = roles.standbys.filter((node) => node !== target);
  if (kind.endsWith('-primary') || kind === 'agent-killed-in-demote') return roles.primary;
  if (kind.endsWith('-target') || kind === 'agent-killed-in-promote') return target ?? random.pick(roles.standbys);
  if (kind.endsWith('-standby') || kind === 'agent-killed-in-start')
    return random.pick(bystanders.length > 0 ? bystanders : roles.standbys);
  return random.pick([roles.primary, ...roles.standbys]);
}

/** Makes the fault; returns once it is made and, for a healable one, healed after its hold time. */
export async function injectFault(
  env: FaultEnvironment,
  fault: PlannedFault,
  roles: Roles,
  inFlight: SwitchoverInFlight | null,
): Promise<Injection> {
  const { cluster, random } = env;
  const target = inFlight?.target ?? null;
  const victim = victimOf(fault.kind, roles, target, random);
  let where = inFlight === null ? 'no switchover in flight' : `switchover to ${target} by ${inFlight.command}`;
  if (inFlight !== null && 'state' in fault.at)
    where = await reachState(cluster, fault.at.state, roles.primary, inFlight.target);
  else if (inFlight !== null && 'afterMs' in fault.at) {
    await sleep(fault.at.afterMs);
    where += `, ${fault.at.afterMs} ms in`;
  }
  const made = (what: string) => ({ victim, where: `${where}; ${what}`, partitioned: null });
  switch (fault.kind) {
    case 'agent-killed-in-demote':
      return made(await killAgentIn(cluster, random, victim, 'demote'));
    case 'agent-killed-in-promote':
      return made(await killAgentIn(cluster, random, victim, 'promote'));
    case 'agent-killed-in-start': {
      // A standby's postgres dies; Pacemaker recovers it (stop, start): the agent is killed in that start.
      await cluster.killPostgres(victim);
      return made(`postgres killed, then ${await killAgentIn(cluster, random, victim, 'start')}`);
    }
    case 'postgres-killed-primary':
    case 'postgres-killed-target':
    case 'postgres-killed-standby':
      await cluster.killPostgres(victim).catch(() => undefined);
      return made(`kill -9 of postgres on ${victim}`);
    case 'partition-primary':
    case 'partition-target':
    case 'partition-standby': {
      await cluster.partition(victim);
      await sleep(fault.holdMs);
      return { victim, where: `${where}; ${victim} cut off for ${fault.holdMs} ms`, partitioned: victim };
    }
    case 'replication-delay': {
      await slowLink(cluster.net, victim, 64, 400);
      await sleep(fault.holdMs);
      await healLink(cluster.net, victim);
      return made(`${victim}'s link at 64 kbit/s (queue up to 400 ms) for ${fault.holdMs} ms`);
    }
    case 'packet-loss': {
      const percent = random.between(5, 30);
      await lossyLink(cluster.net, victim, percent);
      await sleep(fault.holdMs);
      await healLink(cluster.net, victim);
      return made(`${percent}% of ${victim}'s packets dropped for ${fault.holdMs} ms`);
    }
    case 'attrd-restart': {
      const killed = await cluster.killDaemon(victim, 'pacemaker-attrd');
      return made(`kill -9 of pacemaker-attrd on ${victim} (${killed} process)`);
    }
    case 'pacemaker-restart':
      await cluster.restartPacemaker(victim);
      return made(`Pacemaker stopped and started on ${victim}`);
    case 'cluster-tools-failing':
      await setToolsFailing(cluster.net, victim, true);
      await sleep(fault.holdMs);
      await setToolsFailing(cluster.net, victim, false);
      return made(`crm_attribute and attrd_updater failing on ${victim} for ${fault.holdMs} ms`);
  }
}
