/**
 * A campaign's timeline as a picture a person can read (pure): one row per node, filled while the node was
 * writable (the primary); the faults as bands from the moment they were made to the cluster's recovery,
 * coloured by family and numbered as in the progress lines; switchovers as ticks; write gaps (outages of the
 * load) and any interval with two writable nodes in a row of their own.
 */
import type { LoadReport } from '../netcluster/loadRun.ts';
import { doublePrimaryIntervals, type EventRecord, type Interval, outageMs, writeGaps } from './chaosRecord.ts';

const width = 1600;
const left = 90;
const rowHeight = 26;
const family: Record<string, string> = {
  agent: '#f0a30a',
  postgres: '#d80073',
  partition: '#6a00ff',
  replication: '#00aba9',
  packet: '#00aba9',
  attrd: '#a0522d',
  pacemaker: '#a0522d',
  cluster: '#647687',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Intervals during which `node` answered as writable, from the sampler's rounds (recorded on change). */
export function writableIntervals(report: LoadReport, node: string, end: number): Interval[] {
  const intervals: Interval[] = [];
  let since: number | null = null;
  for (const sample of report.samples) {
    const writable = sample.writable.includes(node);
    if (writable && since === null) since = sample.at;
    if (!writable && since !== null) {
      intervals.push({ from: since, to: sample.at });
      since = null;
    }
  }
  if (since !== null) intervals.push({ from: since, to: end });
  return intervals;
}

export function timelineSvg(nodes: readonly string[], records: readonly EventRecord[], report: LoadReport): string {
  const times = [
    ...report.samples.map((sample) => sample.at),
    ...report.acknowledged.map((ack) => ack.at),
    ...records.flatMap((record) => [record.startedAt, record.recoveredAt]),
  ];
  const start = Math.min(...times);
  const end = Math.max(...times, start + 1);
  const x = (at: number) => left + ((at - start) / (end - start)) * (width - left - 10);
  const rows = [...nodes, 'write gaps', 'two writable'];
  const top = 40;
  const height = top + rows.length * rowHeight + 60;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="16" font-size="13">promigrate chaos campaign: ${records.length} events over ${Math.round((end - start) / 1000)} s (bands: faults until recovery; ticks: switchovers)</text>`,
  ];
  rows.forEach((row, index) => {
    const y = top + index * rowHeight;
    parts.push(`<text x="10" y="${y + 16}">${escapeXml(row)}</text>`);
    parts.push(`<line x1="${left}" y1="${y + rowHeight}" x2="${width - 10}" y2="${y + rowHeight}" stroke="#ddd"/>`);
  });
  const bandBottom = top + rows.length * rowHeight;
  for (const record of records) {
    if (record.plan.type === 'switchover') {
      parts.push(
        `<line x1="${x(record.startedAt)}" y1="${top - 6}" x2="${x(record.startedAt)}" y2="${top}" stroke="#333"><title>#${record.index + 1} switchover ${record.primaryBefore}→${record.target ?? '?'}: ${record.switchoverOutcome}</title></line>`,
      );
      continue;
    }
    const kind = record.plan.kind;
    const colour = family[kind.split('-')[0] as string] ?? '#999';
    const from = x(record.faultAt ?? record.startedAt);
    const to = Math.max(from + 1, x(record.recoveredAt));
    parts.push(
      `<rect x="${from}" y="${top}" width="${to - from}" height="${bandBottom - top}" fill="${colour}" fill-opacity="0.18"><title>#${record.index + 1} ${kind} on ${record.victim ?? '?'} (${escapeXml(record.where)})${record.recovered ? '' : ' NOT RECOVERED'}</title></rect>`,
    );
    parts.push(
      `<text x="${from + 1}" y="${bandBottom + 12}" fill="${colour}" font-size="9">${record.index + 1}</text>`,
    );
  }
  nodes.forEach((node, index) => {
    const y = top + index * rowHeight + 5;
    for (const interval of writableIntervals(report, node, end)) {
      parts.push(
        `<rect x="${x(interval.from)}" y="${y}" width="${Math.max(1, x(interval.to) - x(interval.from))}" height="${rowHeight - 10}" fill="#2b6cb0"/>`,
      );
    }
  });
  const gapRow = top + nodes.length * rowHeight + 5;
  for (const gap of writeGaps(report, outageMs)) {
    parts.push(
      `<rect x="${x(gap.from)}" y="${gapRow}" width="${Math.max(1, x(gap.to) - x(gap.from))}" height="${rowHeight - 10}" fill="#e53e3e"><title>no write acknowledged for ${Math.round(gap.to - gap.from)} ms</title></rect>`,
    );
  }
  const doubleRow = gapRow + rowHeight;
  for (const interval of doublePrimaryIntervals(report)) {
    parts.push(
      `<rect x="${x(interval.from)}" y="${doubleRow}" width="${Math.max(2, x(interval.to) - x(interval.from))}" height="${rowHeight - 10}" fill="#000"/>`,
    );
  }
  const legendY = bandBottom + 34;
  Object.entries({
    agent: 'agent killed',
    postgres: 'postgres killed',
    partition: 'partition',
    replication: 'link slow or lossy',
    attrd: 'attrd / Pacemaker restart',
    cluster: 'cluster tools failing',
  }).forEach(([key, label], index) => {
    const lx = left + index * 200;
    parts.push(`<rect x="${lx}" y="${legendY - 9}" width="12" height="12" fill="${family[key]}" fill-opacity="0.5"/>`);
    parts.push(`<text x="${lx + 16}" y="${legendY + 1}">${label}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
