/**
 * `pg_controldata` output → the facts the agent needs. Run it with LC_ALL=C: its labels are translated.
 * After a clean shutdown, "Latest checkpoint location" is the shutdown checkpoint: the instance's true end
 * of WAL, which a restarted standby's `pg_last_wal_receive_lsn()` is not (the PAF#225 loss).
 */
import type { Position } from '../../models/position.ts';
import { parseLsn } from '../../models/position.ts';

export type ClusterState =
  | 'starting up'
  | 'shut down'
  | 'shut down in recovery'
  | 'shutting down'
  | 'in crash recovery'
  | 'in archive recovery'
  | 'in production';

const states: readonly ClusterState[] = [
  'starting up',
  'shut down',
  'shut down in recovery',
  'shutting down',
  'in crash recovery',
  'in archive recovery',
  'in production',
];

export interface ControlData {
  readonly state: ClusterState;
  readonly systemIdentifier: string;
  /** The latest checkpoint: its timeline and location (after a clean shutdown, the shutdown checkpoint). */
  readonly checkpoint: Position;
  readonly redo: number;
  readonly minRecoveryEnd: Position | null;
}

export class ControlDataError extends Error {}

function fields(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    result.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return result;
}

function required(values: Map<string, string>, label: string): string {
  const value = values.get(label);
  if (value === undefined) throw new ControlDataError(`pg_controldata output has no "${label}" (was LC_ALL=C set?)`);
  return value;
}

function lsn(values: Map<string, string>, label: string): number {
  try {
    return parseLsn(required(values, label));
  } catch (error) {
    if (error instanceof ControlDataError) throw error;
    throw new ControlDataError(`pg_controldata "${label}": ${(error as Error).message}`);
  }
}

export function parseControlData(text: string): ControlData {
  const values = fields(text);
  const state = required(values, 'Database cluster state');
  if (!states.includes(state as ClusterState)) throw new ControlDataError(`unknown cluster state "${state}"`);
  const timeline = Number(required(values, "Latest checkpoint's TimeLineID"));
  if (!Number.isInteger(timeline) || timeline < 1)
    throw new ControlDataError(`invalid checkpoint timeline "${timeline}"`);
  const minEnd = lsn(values, 'Minimum recovery ending location');
  const minTimeline = Number(values.get("Min recovery ending loc's timeline") ?? '0');
  return {
    state: state as ClusterState,
    systemIdentifier: required(values, 'Database system identifier'),
    checkpoint: { timeline, lsn: lsn(values, 'Latest checkpoint location') },
    redo: lsn(values, "Latest checkpoint's REDO location"),
    minRecoveryEnd: minEnd === 0 ? null : { timeline: minTimeline, lsn: minEnd },
  };
}

/** Whether the instance stopped cleanly, so that its latest checkpoint is its final position. */
export function isCleanlyShutDown(data: ControlData): boolean {
  return data.state === 'shut down' || data.state === 'shut down in recovery';
}
