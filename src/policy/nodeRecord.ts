/**
 * What one node publishes for the agents on the other nodes, between actions: one private node attribute
 * (`attrd_updater --private`, so the cluster does not react) per node and clone. Each node writes only its
 * own record, except the switchover target, which sets the verdict on the source's hand-over when it
 * refuses to promote. One attribute keeps reading the whole cluster's records to one query per action.
 *
 *   v1 position=2:0/3000028@1764090000000 handover=node1>node2@2:0/3000060:pending demoted=2:0/3000060 fork=1:0/2000000
 *
 * - position: the node's true end of WAL, published for an election (pre-promote notify), with the time;
 * - handover: written by migrate_to on the source: target, final position (end of the shutdown checkpoint),
 *   verdict (pending, or aborted when the target refused);
 * - demoted: the final position of a demote that named no successor;
 * - fork: where this node was promoted (the old timeline's end); onto: the timeline it was promoted onto
 *   (fork's + 1 unless that number was taken by another node's promotion; fork's + 1 when absent);
 * - promoted: a copy of another node's latest promotion (`node@fork>onto`), written by that node onto every
 *   other record when it is promoted: its own record goes with its node (pacemaker-attrd forgets a lost
 *   node's attributes), and a promotion nobody remembers lets the next one reuse its timeline ID.
 */
import { formatLsn, type Position, parseLsn } from '../../models/position.ts';
import type { HandOver, NodeName } from '../../models/types.ts';

export type HandoverVerdict = 'pending' | 'aborted';

export interface PublishedHandover {
  readonly handover: HandOver & { readonly final: Position };
  readonly verdict: HandoverVerdict;
}

export interface NodeRecord {
  readonly position?: { readonly position: Position; readonly at: number };
  readonly handover?: PublishedHandover;
  readonly demoted?: Position;
  readonly fork?: Position;
  readonly onto?: number;
  readonly promoted?: Promotion;
}

/** A node's promotion: where its timeline forked off and the timeline it was promoted onto. */
export interface Promotion {
  readonly node: NodeName;
  readonly fork: Position;
  readonly onto: number;
}

/** Every promotion the records name: each node's own (fork, onto) and the copies of others'. */
export function knownPromotions(records: ReadonlyMap<NodeName, NodeRecord>): Promotion[] {
  const found = new Map<string, Promotion>();
  const add = (promotion: Promotion) =>
    found.set(`${promotion.node}@${promotion.fork.timeline}:${promotion.fork.lsn}>${promotion.onto}`, promotion);
  for (const [node, record] of records) {
    const onto = promotedTimeline(record);
    if (record.fork !== undefined && onto !== null) add({ node, fork: record.fork, onto });
    if (record.promoted !== undefined) add(record.promoted);
  }
  return [...found.values()];
}

/** The timeline a node's promotion created: `onto`, or (records written before it existed) fork's + 1. */
export function promotedTimeline(record: NodeRecord): number | null {
  if (record.fork === undefined) return null;
  return record.onto ?? record.fork.timeline + 1;
}

export class NodeRecordError extends Error {}

/** Pacemaker node names as they can be recorded: no spaces, `=`, `>`, `@` or `:`. */
const nodeName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function checkNode(node: string): string {
  if (!nodeName.test(node)) throw new NodeRecordError(`node name ${JSON.stringify(node)} cannot be recorded`);
  return node;
}

function formatRecordedPosition(position: Position): string {
  return `${position.timeline}:${formatLsn(position.lsn)}`;
}

function parseRecordedPosition(text: string): Position {
  const colon = text.indexOf(':');
  const timelineText = text.slice(0, colon);
  if (colon <= 0 || !/^\d+$/.test(timelineText) || Number(timelineText) < 1) {
    throw new NodeRecordError(`invalid position ${JSON.stringify(text)} (expected timeline:LSN such as 2:0/3000028)`);
  }
  try {
    return { timeline: Number(timelineText), lsn: parseLsn(text.slice(colon + 1)) };
  } catch (error) {
    throw new NodeRecordError((error as Error).message);
  }
}

export function formatNodeRecord(record: NodeRecord): string {
  const fields = ['v1'];
  if (record.position !== undefined) {
    fields.push(`position=${formatRecordedPosition(record.position.position)}@${Math.trunc(record.position.at)}`);
  }
  if (record.handover !== undefined) {
    const { source, target, final } = record.handover.handover;
    if (source === target) throw new NodeRecordError('a hand-over needs two different nodes');
    fields.push(
      `handover=${checkNode(source)}>${checkNode(target)}@${formatRecordedPosition(final)}:${record.handover.verdict}`,
    );
  }
  if (record.demoted !== undefined) fields.push(`demoted=${formatRecordedPosition(record.demoted)}`);
  if (record.fork !== undefined) fields.push(`fork=${formatRecordedPosition(record.fork)}`);
  if (record.onto !== undefined) fields.push(`onto=${record.onto}`);
  if (record.promoted !== undefined) {
    const { node, fork, onto } = record.promoted;
    fields.push(`promoted=${checkNode(node)}@${formatRecordedPosition(fork)}>${onto}`);
  }
  return fields.join(' ');
}

function parseHandover(text: string): PublishedHandover {
  const match = /^([^>@]+)>([^>@]+)@(.+):(pending|aborted)$/.exec(text);
  if (match === null) throw new NodeRecordError(`invalid hand-over ${JSON.stringify(text)}`);
  const [, source, target, final, verdict] = match as unknown as [string, string, string, string, HandoverVerdict];
  if (!nodeName.test(source) || !nodeName.test(target) || source === target) {
    throw new NodeRecordError(`invalid hand-over nodes in ${JSON.stringify(text)}`);
  }
  return { handover: { source, target, final: parseRecordedPosition(final) }, verdict };
}

function parsePromotion(text: string): Promotion {
  const match = /^([^@>]+)@(.+)>([1-9]\d{0,9})$/.exec(text);
  if (match === null || !nodeName.test(match[1] as string))
    throw new NodeRecordError(`invalid promotion ${JSON.stringify(text)}`);
  return { node: match[1] as string, fork: parseRecordedPosition(match[2] as string), onto: Number(match[3]) };
}

export function parseNodeRecord(text: string): NodeRecord {
  const [version, ...pairs] = text.trim().split(/\s+/);
  if (version !== 'v1') throw new NodeRecordError(`unknown record version ${JSON.stringify(version ?? '')}`);
  const record: { -readonly [K in keyof NodeRecord]: NodeRecord[K] } = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    if (equals <= 0) throw new NodeRecordError(`malformed record field ${JSON.stringify(pair)}`);
    if (Object.hasOwn(record, key)) throw new NodeRecordError(`record field ${key} repeated`);
    if (key === 'position') {
      const at = value.lastIndexOf('@');
      const time = value.slice(at + 1);
      if (at <= 0 || !/^\d+$/.test(time))
        throw new NodeRecordError(`invalid published position ${JSON.stringify(value)}`);
      record.position = { position: parseRecordedPosition(value.slice(0, at)), at: Number(time) };
    } else if (key === 'handover') record.handover = parseHandover(value);
    else if (key === 'demoted') record.demoted = parseRecordedPosition(value);
    else if (key === 'fork') record.fork = parseRecordedPosition(value);
    else if (key === 'promoted') record.promoted = parsePromotion(value);
    else if (key === 'onto') {
      if (!/^[1-9]\d{0,9}$/.test(value)) throw new NodeRecordError(`invalid timeline ${JSON.stringify(value)}`);
      record.onto = Number(value);
    } else throw new NodeRecordError(`unknown record field ${JSON.stringify(key)}`);
  }
  return record;
}

/** Parses every node's record; an unreadable one is reported, never trusted. */
export function parseNodeRecords(
  values: ReadonlyMap<NodeName, string>,
  onError: (node: NodeName, error: NodeRecordError) => void,
): Map<NodeName, NodeRecord> {
  const records = new Map<NodeName, NodeRecord>();
  for (const [node, text] of values) {
    try {
      records.set(node, parseNodeRecord(text));
    } catch (error) {
      if (!(error instanceof NodeRecordError)) throw error;
      onError(node, error);
    }
  }
  return records;
}
