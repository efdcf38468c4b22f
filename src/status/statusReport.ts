/**
 * `promigrate status`'s view of one promotable clone, from the facts gathered on a cluster node (pure): the
 * promoted role, each node's role, timeline, position and lag, its promotion score, the latest hand-over
 * record and its verdict, an intent in force. A fact that could not be read stays unknown with the reason:
 * a status that guessed would show an operator a cluster that is not there.
 */

import type { ServerRow } from '../../agent/pgsql/postgres.ts';
import { formatLsn, type Position } from '../../models/position.ts';
import type { ClusterStatus } from '../adapter/clusterStatus.ts';
import { intentInForce } from '../policy/intent.ts';
import type { NodeRecord } from '../policy/nodeRecord.ts';

/** A value read through a tool, or why it could not be. */
export type Reading<T> = { readonly value: T } | { readonly unreadable: string };

export interface StatusFacts {
  readonly now: number;
  readonly clone: string;
  readonly primitive: string;
  readonly agent: string | null;
  /** The node this runs on (crm_node -n), null when unknown. */
  readonly localNode: string | null;
  readonly status: ClusterStatus;
  /** Every node's published record, parsed; a record that does not parse is named with why. */
  readonly records: Reading<ReadonlyMap<string, Reading<NodeRecord>>>;
  readonly scores: ReadonlyMap<string, Reading<number | null>>;
  readonly intent: Reading<string | null>;
  /** The local PostgreSQL (pgsql agent, an instance on this node), null when there is none to ask. */
  readonly localServer: Reading<ServerRow> | null;
}

export type NodeRole = 'promoted' | 'unpromoted' | 'stopped' | 'offline';

export interface NodeStatus {
  readonly node: string;
  readonly role: NodeRole;
  /** Live from the local PostgreSQL when this is the local node, else as last published (pre-promote notify). */
  readonly position: {
    readonly timeline: number;
    readonly lsn: string;
    readonly source: 'live' | 'published';
    readonly ageMs: number | null;
  } | null;
  /** Bytes of WAL the primary has and this standby has not written, from the primary's pg_stat_replication. */
  readonly lagBytes: number | null;
  readonly lagUnknownBecause: string | null;
  readonly promotionScore: number | null;
  readonly unknown: readonly string[];
}

export interface HandoverStatus {
  readonly source: string;
  readonly target: string;
  readonly final: string;
  readonly verdict: 'pending' | 'aborted';
}

export interface StatusReport {
  readonly clone: string;
  readonly primitive: string;
  readonly agent: string | null;
  readonly primary: string | null;
  readonly nodes: readonly NodeStatus[];
  readonly handover: HandoverStatus | null;
  readonly intent: { readonly target: string } | null;
  readonly failures: readonly { readonly node: string; readonly task: string; readonly exitReason: string }[];
  /** Facts that could not be read, each with why. */
  readonly unknown: readonly string[];
}

const positionText = (position: Position) => `${position.timeline}:${formatLsn(position.lsn)}`;

function roleOf(status: ClusterStatus, node: string): NodeRole {
  if (!status.online.includes(node)) return 'offline';
  if (status.promoted.includes(node)) return 'promoted';
  if (status.unpromoted.includes(node)) return 'unpromoted';
  return 'stopped';
}

/** The hand-over with the newest final position: the latest one any node still records. */
function latestHandover(records: ReadonlyMap<string, Reading<NodeRecord>>): HandoverStatus | null {
  let latest: { final: Position; status: HandoverStatus } | null = null;
  for (const reading of records.values()) {
    if (!('value' in reading) || reading.value.handover === undefined) continue;
    const { handover, verdict } = reading.value.handover;
    const newer =
      latest === null ||
      handover.final.timeline > latest.final.timeline ||
      (handover.final.timeline === latest.final.timeline && handover.final.lsn > latest.final.lsn);
    if (newer) {
      const { source, target, final } = handover;
      latest = { final, status: { source, target, final: positionText(final), verdict } };
    }
  }
  return latest?.status ?? null;
}

function nodeStatus(facts: StatusFacts, node: string, primary: string | null): NodeStatus {
  const unknown: string[] = [];
  const role = roleOf(facts.status, node);
  const server = node === facts.localNode ? facts.localServer : null;
  let position: NodeStatus['position'] = null;
  if (server !== null && 'value' in server) {
    position = { ...split(server.value.position), source: 'live', ageMs: 0 };
  } else {
    if (server !== null && 'unreadable' in server) unknown.push(`local PostgreSQL: ${server.unreadable}`);
    const record = 'value' in facts.records ? facts.records.value.get(node) : undefined;
    if (record !== undefined && 'unreadable' in record) unknown.push(`record: ${record.unreadable}`);
    const published = record !== undefined && 'value' in record ? record.value.position : undefined;
    if (published !== undefined) {
      position = { ...split(published.position), source: 'published', ageMs: Math.max(0, facts.now - published.at) };
    }
  }
  const lag = lagOf(facts, node, role, primary);
  const score = facts.scores.get(node);
  if (score !== undefined && 'unreadable' in score) unknown.push(`promotion score: ${score.unreadable}`);
  return {
    node,
    role,
    position,
    lagBytes: lag.bytes,
    lagUnknownBecause: lag.because,
    promotionScore: score !== undefined && 'value' in score ? score.value : null,
    unknown,
  };
}

function split(position: Position) {
  return { timeline: position.timeline, lsn: formatLsn(position.lsn) };
}

/** A standby's lag, only from what the primary itself reports: published positions are of different moments. */
function lagOf(facts: StatusFacts, node: string, role: NodeRole, primary: string | null) {
  if (role !== 'unpromoted') return { bytes: null, because: null };
  if (primary === null) return { bytes: null, because: 'no primary' };
  const server = facts.localServer;
  if (facts.localNode !== primary || server === null || !('value' in server) || server.value.recovery) {
    return { bytes: null, because: `live lag is read on the primary's node (${primary})` };
  }
  const written = server.value.standbys.get(node);
  if (written === undefined) return { bytes: null, because: `not streaming from ${primary}` };
  return { bytes: Math.max(0, server.value.position.lsn - written), because: null };
}

export function statusReport(facts: StatusFacts): StatusReport {
  const { status } = facts;
  const primary = status.promoted.length === 1 ? (status.promoted[0] as string) : null;
  const nodes = status.nodes.map((node) => nodeStatus(facts, node, primary));
  const unknown = nodes.flatMap((node) => node.unknown.map((what) => `${node.node}: ${what}`));
  if ('unreadable' in facts.records) unknown.push(`node records: ${facts.records.unreadable}`);
  if ('unreadable' in facts.intent) unknown.push(`intent: ${facts.intent.unreadable}`);
  const intent = 'value' in facts.intent ? intentInForce(facts.intent.value, facts.now) : null;
  return {
    clone: facts.clone,
    primitive: facts.primitive,
    agent: facts.agent,
    primary,
    nodes,
    handover: 'value' in facts.records ? latestHandover(facts.records.value) : null,
    intent,
    failures: status.failures,
    unknown,
  };
}
