/**
 * One PostgreSQL 15 instance per namespace node, as an operator would lay it out: the same data directory,
 * port and socket directory on every node (/var/lib/postgresql and /run are the node's own), listening on
 * the node's addresses, replicating over them. Every standby follows the primary address (the VIP), with
 * its node name as application_name and cluster_name (the write load reports which node acknowledged).
 * Left stopped: the cluster starts them all as standbys and elects the primary.
 */
import { pgBin, psqlArguments } from '../local/postgresInstances.ts';
import type { NamespaceCluster } from './namespaceCluster.ts';

export { pgBin };
export const pgData = '/var/lib/postgresql/15/main';
export const pgSocketDir = '/run/postgresql';

function serverSettings(node: string): string {
  return [
    "listen_addresses = '*'",
    'port = 5432',
    `unix_socket_directories = '${pgSocketDir}'`,
    `cluster_name = '${node}'`,
    'fsync = off',
    // A standby retries its WAL source after this long (5 s by default): it bounds the old primary's rejoin.
    'wal_retrieve_retry_interval = 100ms',
    'wal_keep_size = 128MB',
    // A dead upstream (a killed node keeps no TCP connection alive) is noticed after this, not after 60 s.
    'wal_receiver_timeout = 3s',
    'wal_sender_timeout = 3s',
    'tcp_keepalives_idle = 1',
    'tcp_keepalives_interval = 1',
    'tcp_keepalives_count = 3',
    "log_line_prefix = '%m [%p] '",
  ].join('\n');
}

export type ReplicationMode = 'async' | 'sync';

/** The file each data directory includes for the replication mode (copied along by a base backup). */
const modeFile = 'replication_mode.conf';

/**
 * sync: a commit is acknowledged once one other node has it, so a whole node killed right after an
 * acknowledgement (its unsent WAL gone with it) loses nothing. async (PostgreSQL's default): that write can
 * be lost with the node, inevitably (no survivor ever had it) — the scenarios count such losses apart.
 * Written only once the table exists: with no standby yet a synchronous commit would wait for ever.
 */
function replicationSettings(mode: ReplicationMode, nodes: readonly string[]): string {
  if (mode === 'async') return "synchronous_standby_names = ''\n";
  return [`synchronous_standby_names = 'ANY 1 (${nodes.join(', ')})'`, 'synchronous_commit = on', ''].join('\n');
}

/** Every node's mode file; running servers reload it (a server that is down reads it when it starts). */
export async function setReplicationMode(cluster: NamespaceCluster, mode: ReplicationMode): Promise<void> {
  const names = cluster.nodes.map((each) => each.name);
  for (const node of names) {
    await writeAsPostgres(cluster, node, `${pgData}/${modeFile}`, replicationSettings(mode, names));
    await psql(cluster, node, 'SELECT pg_reload_conf()').catch(() => '');
  }
}

/** PostgreSQL 15 has no include in pg_hba.conf: the whole file. */
function hostBasedAccess(subnet: string): string {
  return [
    'local all all trust',
    'local replication all trust',
    `host all all ${subnet}.0/24 trust`,
    `host replication all ${subnet}.0/24 trust`,
    'host all all 127.0.0.1/32 trust',
    '',
  ].join('\n');
}

export function followVipConninfo(node: string, vip: string): string {
  return `host=${vip} port=5432 user=postgres application_name=${node} connect_timeout=2`;
}

function followVip(node: string, vip: string): string {
  return `primary_conninfo = '${followVipConninfo(node, vip)}'\n`;
}

/** A program run as postgres inside a node; a failure is one line naming it. */
async function asPostgres(cluster: NamespaceCluster, node: string, argv: readonly string[]): Promise<string> {
  const result = await cluster.exec(node, ['runuser', '-u', 'postgres', '--', ...argv], { LC_ALL: 'C' });
  if (result.exitCode !== 0) {
    throw new Error(
      `${node}: ${argv[0]} failed: ${
        String(result.stderr || result.stdout)
          .trim()
          .split('\n')[0]
      }`,
    );
  }
  return String(result.stdout);
}

async function writeAsPostgres(cluster: NamespaceCluster, node: string, path: string, text: string): Promise<void> {
  await asPostgres(cluster, node, ['sh', '-c', 'printf "%s" "$1" > "$2"', 'write', text, path]);
}

async function appendAsPostgres(cluster: NamespaceCluster, node: string, path: string, text: string): Promise<void> {
  await asPostgres(cluster, node, ['sh', '-c', 'printf "%s\\n" "$1" >> "$2"', 'append', text, path]);
}

/** psql as postgres over the node's own socket; rows, one per line, fields split by |. */
export async function psql(cluster: NamespaceCluster, node: string, sql: string): Promise<string> {
  const result = await cluster.exec(node, [`${pgBin}/psql`, ...psqlArguments(['-h', pgSocketDir], sql)]);
  if (result.exitCode !== 0) throw new Error(`${node}: ${sql}: ${String(result.stderr).trim().split('\n')[0]}`);
  return String(result.stdout).trim();
}

export async function pgCtl(cluster: NamespaceCluster, node: string, args: readonly string[]): Promise<void> {
  await asPostgres(cluster, node, [`${pgBin}/pg_ctl`, '-D', pgData, ...args]);
}

/** A fresh copy of the instance at `from` (an address) as `node`'s data directory, named after `node`. */
async function baseBackup(cluster: NamespaceCluster, node: string, from: string): Promise<void> {
  await asPostgres(cluster, node, [
    `${pgBin}/pg_basebackup`,
    '-d',
    `host=${from} user=postgres application_name=${node}`,
    '-D',
    pgData,
    '-X',
    'stream',
    '--no-sync',
  ]);
  await asPostgres(cluster, node, [
    'sed',
    '-i',
    `s/^cluster_name = .*/cluster_name = '${node}'/`,
    `${pgData}/postgresql.conf`,
  ]);
}

/**
 * The operator's recovery of a node refused because it diverged (no pg_rewind here): its data directory
 * replaced by a base backup of the primary, as a standby that follows the VIP. The cluster then starts it.
 */
export async function recloneStandby(
  cluster: NamespaceCluster,
  node: string,
  primary: string,
  vip: string,
): Promise<void> {
  await asPostgres(cluster, node, ['rm', '-rf', pgData]);
  await baseBackup(cluster, node, cluster.node(primary).address);
  await writeAsPostgres(cluster, node, `${pgData}/postgresql.auto.conf`, followVip(node, vip));
  await writeAsPostgres(cluster, node, `${pgData}/standby.signal`, '');
}

/**
 * initdb on the first node, a base backup on the others, all following the VIP; the table of the write
 * load created; then every instance stopped cleanly (the primary first, so that the standbys receive its
 * shutdown checkpoint and all start at the same position).
 */
export async function setUpPostgres(cluster: NamespaceCluster, vip: string): Promise<void> {
  const [first, ...others] = cluster.nodes;
  if (first === undefined) throw new Error('no nodes');
  const subnet = cluster.spec.subnet;
  const log = `${pgData}/../server.log`;
  await asPostgres(cluster, first.name, [
    `${pgBin}/initdb`,
    '-D',
    pgData,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
  ]);
  await writeAsPostgres(cluster, first.name, `${pgData}/pg_hba.conf`, hostBasedAccess(subnet));
  await appendAsPostgres(cluster, first.name, `${pgData}/postgresql.conf`, serverSettings(first.name));
  await pgCtl(cluster, first.name, ['-l', log, '-w', '-s', 'start']);
  await psql(
    cluster,
    first.name,
    'CREATE TABLE promigrate_writes (id bigint PRIMARY KEY, at timestamptz DEFAULT now())',
  );
  for (const node of others) await baseBackup(cluster, node.name, first.address);
  // The standbys start once now, streaming from the first node, so that their control files say "shut down
  // in recovery" (a base backup's says "in production": an agent would take it for a crashed primary).
  for (const node of others) {
    await writeAsPostgres(
      cluster,
      node.name,
      `${pgData}/postgresql.auto.conf`,
      `primary_conninfo = 'host=${first.address} user=postgres application_name=${node.name}'\n`,
    );
    await writeAsPostgres(cluster, node.name, `${pgData}/standby.signal`, '');
    await pgCtl(cluster, node.name, ['-l', log, '-w', '-s', 'start']);
  }
  const streaming = async () =>
    (await psql(cluster, first.name, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) ===
    String(others.length);
  const deadline = Date.now() + 20_000;
  while (!(await streaming())) {
    if (Date.now() > deadline) throw new Error('the standbys did not stream from the first node');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The primary first: its standbys receive its shutdown checkpoint, and all end at the same position.
  await pgCtl(cluster, first.name, ['-m', 'fast', '-w', '-s', 'stop']);
  for (const node of others) await pgCtl(cluster, node.name, ['-m', 'fast', '-w', '-s', 'stop']);
  for (const node of cluster.nodes) {
    await writeAsPostgres(cluster, node.name, `${pgData}/postgresql.auto.conf`, followVip(node.name, vip));
    await appendAsPostgres(cluster, node.name, `${pgData}/postgresql.conf`, `include_if_exists = '${modeFile}'`);
    await writeAsPostgres(
      cluster,
      node.name,
      `${pgData}/${modeFile}`,
      replicationSettings(
        'sync',
        cluster.nodes.map((each) => each.name),
      ),
    );
  }
}
