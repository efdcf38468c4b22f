/**
 * The chaos campaign's short mode (issue 15), on a real three-node cluster with fencing: a few controlled
 * switchovers and faults of different kinds under the write load, asynchronous then synchronous
 * replication. The long mode (`npm run chaos -- --seed S --switchovers 100 --faults 100`) is run and reported
 * in docs/reliability.md. Writes reports/chaos-short.json and its timeline picture.
 */
import { describe, expect, it } from 'vitest';
import { campaignProblems, runChaos } from '../../lab/chaos/runChaos.ts';

describe('the chaos campaign, short mode', () => {
  it('loses no acknowledged write a survivor had, never has two writable nodes, and always comes back', async () => {
    const report = await runChaos({
      seed: 15,
      spec: { switchovers: 4, faults: 6, modes: ['async', 'sync'], timing: 'mixed' },
      minutes: 12,
      report: 'reports/chaos-short.json',
      tag: 'pmgk',
      subnet: '10.213.15',
      write: (line) => process.stdout.write(`${line}\n`),
    });
    expect(campaignProblems(report)).toEqual([]);
    expect(report.events).toHaveLength(10);
    expect(report.summary.faults).toBe(6);
    expect(report.summary.switchovers.run).toBe(4);
    // Every event ran under the load: the verdicts are about real writes.
    expect(report.summary.acknowledged).toBeGreaterThan(1000);
    expect(report.final.streaming).toHaveLength(2);
  }, 900_000);
});
