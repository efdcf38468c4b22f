/**
 * Where a WAL record ends, from where it starts and its length (pg_waldump's "len (rec/tot)"). The end of
 * the shutdown checkpoint record, not its start (pg_controldata's "Latest checkpoint location"), is what a
 * standby must have received to hold everything the old primary wrote.
 */
import { parseLsn } from '../../models/position.ts';

const pageSize = 8192;
/** XLogPageHeaderData / XLogLongPageHeaderData, MAXALIGNed: a record that crosses a page skips them. */
const shortPageHeader = 24;
const longPageHeader = 40;

function maxAlign(length: number): number {
  return Math.ceil(length / 8) * 8;
}

/** Insert positions count record bytes only; page headers are skipped, as PostgreSQL reserves space. */
export function recordEnd(start: number, totalLength: number, segmentSize = 16 * 1024 * 1024): number {
  let remaining = maxAlign(totalLength);
  let position = start;
  for (;;) {
    const pageEnd = (Math.floor(position / pageSize) + 1) * pageSize;
    if (remaining <= pageEnd - position) return position + remaining;
    remaining -= pageEnd - position;
    position = pageEnd + (pageEnd % segmentSize === 0 ? longPageHeader : shortPageHeader);
  }
}

export interface WalRecord {
  readonly start: number;
  readonly totalLength: number;
  readonly description: string;
}

const waldumpLine = /len \(rec\/tot\):\s*\d+\/\s*(\d+),.*?lsn: ([0-9A-Fa-f]+\/[0-9A-Fa-f]+),.*?desc: (\S+)/;

/** One record line of `pg_waldump`. */
export function parseWaldumpLine(line: string): WalRecord {
  const match = waldumpLine.exec(line);
  if (match === null) throw new Error(`unreadable pg_waldump output: ${JSON.stringify(line.slice(0, 120))}`);
  return { totalLength: Number(match[1]), start: parseLsn(match[2] as string), description: match[3] as string };
}
