/**
 * The hand-over record as it crosses agent processes: one private node attribute value (attrd_updater
 * --private, so that the cluster does not react), written by migrate_to on the source and read by the
 * target's migrate_from — possibly in a later transition. Its freshness is the model's (`freshHandover`:
 * stale once a newer timeline exists); here it is only written and read, strictly.
 *
 *   v1 source=node1 target=node2 timeline=2 lsn=0/3000028 verdict=pending
 */
import { formatLsn, parseLsn } from '../../models/position.ts';
import type { HandOver } from '../../models/types.ts';

export type HandoverVerdict = 'pending' | 'aborted';

export interface HandoverRecord {
  readonly handover: HandOver & { readonly final: NonNullable<HandOver['final']> };
  readonly verdict: HandoverVerdict;
}

export class HandoverRecordError extends Error {}

/** Pacemaker node names: no spaces or `=`, so that the record splits unambiguously. */
const nodeName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

export function formatHandoverRecord(record: HandoverRecord): string {
  const { source, target, final } = record.handover;
  for (const node of [source, target]) {
    if (!nodeName.test(node)) throw new HandoverRecordError(`node name ${JSON.stringify(node)} cannot be recorded`);
  }
  return `v1 source=${source} target=${target} timeline=${final.timeline} lsn=${formatLsn(final.lsn)} verdict=${record.verdict}`;
}

export function parseHandoverRecord(text: string): HandoverRecord {
  const [version, ...pairs] = text.trim().split(/\s+/);
  if (version !== 'v1')
    throw new HandoverRecordError(`unknown hand-over record version ${JSON.stringify(version ?? '')}`);
  const fields = new Map<string, string>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new HandoverRecordError(`malformed hand-over field ${JSON.stringify(pair)}`);
    const key = pair.slice(0, equals);
    if (fields.has(key)) throw new HandoverRecordError(`hand-over field ${key} repeated`);
    fields.set(key, pair.slice(equals + 1));
  }
  const field = (key: string) => {
    const value = fields.get(key);
    if (value === undefined) throw new HandoverRecordError(`hand-over record without ${key}`);
    return value;
  };
  const source = field('source');
  const target = field('target');
  for (const node of [source, target]) {
    if (!nodeName.test(node))
      throw new HandoverRecordError(`invalid node name ${JSON.stringify(node)} in hand-over record`);
  }
  if (source === target) throw new HandoverRecordError('hand-over record with source = target');
  const timelineText = field('timeline');
  const timeline = Number(timelineText);
  if (!/^\d+$/.test(timelineText) || timeline < 1)
    throw new HandoverRecordError(`invalid timeline ${JSON.stringify(timelineText)}`);
  let lsn: number;
  try {
    lsn = parseLsn(field('lsn'));
  } catch (error) {
    throw new HandoverRecordError((error as Error).message);
  }
  const verdict = field('verdict');
  if (verdict !== 'pending' && verdict !== 'aborted')
    throw new HandoverRecordError(`invalid verdict ${JSON.stringify(verdict)}`);
  return { handover: { source, target, final: { timeline, lsn } }, verdict };
}
