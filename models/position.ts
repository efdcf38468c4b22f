/**
 * A position in PostgreSQL's write-ahead log: the timeline and the LSN on it.
 *
 * Positions are compared by (timeline, LSN), as PAF and pg_auto_failover do: a node on a newer timeline is
 * ahead of every node on an older one. Whether an older-timeline node can still follow is a separate
 * question (see `diverged` in the node facts), answered when a timeline forks.
 */
export interface Position {
  readonly timeline: number;
  /** Byte position in the WAL. A JavaScript number is exact up to 2^53 bytes (8 PiB of WAL). */
  readonly lsn: number;
}

export function comparePositions(a: Position, b: Position): number {
  if (a.timeline !== b.timeline) return a.timeline < b.timeline ? -1 : 1;
  if (a.lsn !== b.lsn) return a.lsn < b.lsn ? -1 : 1;
  return 0;
}

export function isAtLeast(a: Position, b: Position): boolean {
  return comparePositions(a, b) >= 0;
}

/** PostgreSQL's text form of an LSN: two hexadecimal halves, `0/3000028`. */
export function formatLsn(lsn: number): string {
  const high = Math.floor(lsn / 2 ** 32);
  const low = lsn % 2 ** 32;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}

export function parseLsn(text: string): number {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!match)
    throw new Error(`invalid LSN: ${JSON.stringify(text)} (expected two hexadecimal halves such as 0/3000028)`);
  return Number.parseInt(match[1] as string, 16) * 2 ** 32 + Number.parseInt(match[2] as string, 16);
}

/** `TL 2 @ 0/3000028`: how positions appear in logs and in the model's explanations. */
export function formatPosition(position: Position): string {
  return `TL ${position.timeline} @ ${formatLsn(position.lsn)}`;
}

/** The inverse of formatPosition: `TL 2 @ 0/3000028` → { timeline: 2, lsn }. */
export function parsePosition(text: string): Position {
  const match = /^TL (\d+) @ (\S+)$/.exec(text.trim());
  if (!match) throw new Error(`invalid position: ${JSON.stringify(text)} (expected TL <timeline> @ <LSN>)`);
  return { timeline: Number(match[1]), lsn: parseLsn(match[2] as string) };
}
