/**
 * LoadRun reads the cluster probe's lines from a real child process: here one that prints them as the probe
 * would, so that what the scenarios wait for (writes acknowledged by the final primary) is checked without
 * a cluster.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LoadRun } from '../../lab/netcluster/loadRun.ts';

/** A probe stand-in: prints `lines` (with {now} as the time), then waits for its standard input to end. */
function printing(lines: readonly string[], everyMs: number): LoadRun {
  const script = `
    const lines = ${JSON.stringify(lines)};
    let index = 0;
    const timer = setInterval(() => {
      if (index < lines.length) process.stdout.write(lines[index++].replace('{now}', String(Date.now())) + '\\n');
    }, ${everyMs});
    process.stdin.on('end', () => { clearInterval(timer); process.exit(0); });
    process.stdin.resume();
  `;
  return new LoadRun(spawn(process.execPath, ['-e', script]));
}

describe('LoadRun', () => {
  it('waits until the named node has acknowledged enough writes since a moment', async () => {
    const since = Date.now();
    const load = printing(['ack 1 node1 {now}', 'ack 2 node2 {now}', 'ack 3 node2 {now}', 'ack 4 node2 {now}'], 30);
    expect(await load.acknowledgedBy('node2', since, 3, 5_000)).toBe(true);
    expect(load.soFar.filter((ack) => ack.node === 'node2').map((ack) => ack.id)).toEqual([2, 3, 4]);
    const report = await load.stop();
    expect(report.acknowledged).toHaveLength(4);
  });

  it('gives up after its bound when the node does not acknowledge that many', async () => {
    const load = printing(['ack 1 node1 {now}', 'ack 2 node2 {now}'], 10);
    const started = Date.now();
    expect(await load.acknowledgedBy('node2', 0, 2, 300)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await load.stop();
  });

  it('does not count acknowledgements from before the moment', async () => {
    const load = printing(['ack 1 node2 1000', 'ack 2 node2 2000'], 10);
    expect(await load.acknowledgedBy('node2', 1500, 2, 300)).toBe(false);
    expect(await load.acknowledgedBy('node2', 1500, 1, 300)).toBe(true);
    await load.stop();
  });
});
