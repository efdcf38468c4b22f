/**
 * The CIB a PostgreSQL cluster of namespace nodes runs: a promotable clone (promigrate's agent or PAF's
 * pgsqlms, the same layout on every node) with notify, and a primary address (IPaddr2) colocated with the
 * promoted instance and ordered as PAF documents it — started after the promote, stopped after the demote —
 * so that the standbys stay connected to the primary while it shuts down. Pure: XML text for cibadmin.
 */

import { fenceAgentName } from './fenceAgent.ts';

export type ClusterAgent = 'promigrate' | 'paf';

export interface ClusterResourcesSpec {
  readonly agent: ClusterAgent;
  readonly vip: string;
  readonly pgdata: string;
  readonly bindir: string;
  readonly socketDir: string;
  readonly logfile: string;
  /** promigrate's bounded catch-up wait of a switchover target (s). */
  readonly catchUpTimeout?: number;
  /**
   * promigrate manages primary_conninfo (the guide's configuration): every standby streams from the primary's
   * own node address, given here per node. Without it (and always for PAF) standbys follow the VIP.
   */
  readonly nodeHosts?: Readonly<Record<string, string>>;
  /** The fence device (fenceAgent.ts): its map file and the nodes it fences; none without fencing. */
  readonly fencing?: { readonly map: string; readonly nodes: readonly string[] } | null;
  /**
   * The proposed interface (a patched Pacemaker): the clone opts in with allow-migrate=promoted, and the two
   * halves get the timeouts of the demote and the promote they replace.
   */
  readonly nativeMigration?: boolean;
}

export const cloneId = 'pgsql-ha';
export const primitiveId = 'pgsql';
export const vipId = 'pgsql-vip';
export const fenceId = 'fence-nodes';

const pairs = (id: string, values: Readonly<Record<string, string>>) =>
  Object.entries(values)
    .map(([name, value]) => `<nvpair id="${id}-${name.replaceAll('_', '-')}" name="${name}" value="${value}"/>`)
    .join('');

/** The template the cluster's promigrate agents manage primary_conninfo with (the guide's). */
export const managedConninfo = 'host=%h port=5432 user=postgres application_name=%n connect_timeout=2';

function agentParameters(spec: ClusterResourcesSpec): Record<string, string> {
  if (spec.agent === 'paf') return { bindir: spec.bindir, pgdata: spec.pgdata, pghost: spec.socketDir };
  return {
    bindir: spec.bindir,
    pgdata: spec.pgdata,
    pghost: spec.socketDir,
    logfile: spec.logfile,
    catch_up_timeout: String(spec.catchUpTimeout ?? 10),
    ...(spec.nodeHosts === undefined
      ? {}
      : {
          primary_conninfo: managedConninfo,
          node_hosts: Object.entries(spec.nodeHosts)
            .map(([node, host]) => `${node}=${host}`)
            .join(' '),
        }),
  };
}

/** The same monitor intervals for both agents: a benchmark compares agents, not intervals. */
const operations = [
  ['start', '0', '60s'],
  ['stop', '0', '60s'],
  ['promote', '0', '30s'],
  ['demote', '0', '120s'],
  ['notify', '0', '60s'],
]
  .map(
    ([name, interval, timeout]) =>
      `<op id="pgsql-${name}" name="${name}" interval="${interval}" timeout="${timeout}"/>`,
  )
  .join('');
const monitors =
  '<op id="pgsql-monitor-promoted" name="monitor" interval="3s" timeout="10s" role="Promoted"/>' +
  '<op id="pgsql-monitor-unpromoted" name="monitor" interval="4s" timeout="10s" role="Unpromoted"/>';

/** The native halves, with the timeouts of the demote and promote they stand for. */
const migrationHalves =
  '<op id="pgsql-migrate_to" name="migrate_to" interval="0" timeout="120s"/>' +
  '<op id="pgsql-migrate_from" name="migrate_from" interval="0" timeout="30s"/>';

export function clusterResources(spec: ClusterResourcesSpec): string {
  const [provider, type] = spec.agent === 'paf' ? ['heartbeat', 'pgsqlms'] : ['promigrate', 'pgsql'];
  const optIn: Record<string, string> = spec.nativeMigration === true ? { 'allow-migrate': 'promoted' } : {};
  const clone =
    `<clone id="${cloneId}"><meta_attributes id="${cloneId}-meta">` +
    pairs(`${cloneId}-meta`, { promotable: 'true', notify: 'true', ...optIn }) +
    `</meta_attributes><primitive id="${primitiveId}" class="ocf" provider="${provider}" type="${type}">` +
    `<instance_attributes id="${primitiveId}-params">${pairs(`${primitiveId}-params`, agentParameters(spec))}</instance_attributes>` +
    `<operations>${operations}${spec.nativeMigration === true ? migrationHalves : ''}${monitors}</operations></primitive></clone>`;
  const vip =
    `<primitive id="${vipId}" class="ocf" provider="heartbeat" type="IPaddr2">` +
    `<instance_attributes id="${vipId}-params">${pairs(`${vipId}-params`, { ip: spec.vip, cidr_netmask: '24', nic: 'eth0' })}</instance_attributes>` +
    `<operations><op id="${vipId}-monitor" name="monitor" interval="5s" timeout="10s"/></operations></primitive>`;
  return `<resources>${clone}${vip}${fenceDevice(spec)}</resources>`;
}

/**
 * The stonith device: the namespace nodes' fence agent (a stand-in for a power switch), every node in its
 * host list. pcmk_reboot_action=off: a node cannot be powered on from inside the cluster (the harness boots it).
 */
function fenceDevice(spec: ClusterResourcesSpec): string {
  if (!spec.fencing) return '';
  return (
    `<primitive id="${fenceId}" class="stonith" type="${fenceAgentName}">` +
    `<instance_attributes id="${fenceId}-params">${pairs(`${fenceId}-params`, {
      pcmk_host_list: spec.fencing.nodes.join(' '),
      pcmk_reboot_action: 'off',
      map: spec.fencing.map,
    })}</instance_attributes>` +
    `<operations><op id="${fenceId}-monitor" name="monitor" interval="60s" timeout="20s"/></operations></primitive>`
  );
}

export function clusterConstraints(): string {
  return (
    '<constraints>' +
    `<rsc_colocation id="vip-with-promoted" rsc="${vipId}" with-rsc="${cloneId}" with-rsc-role="Promoted" score="INFINITY"/>` +
    `<rsc_order id="vip-after-promote" first="${cloneId}" first-action="promote" then="${vipId}" then-action="start" symmetrical="false" kind="Mandatory"/>` +
    `<rsc_order id="vip-after-demote" first="${cloneId}" first-action="demote" then="${vipId}" then-action="stop" symmetrical="false" kind="Mandatory"/>` +
    '</constraints>'
  );
}
