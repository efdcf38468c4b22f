/** The campaign's plan and its checker, pure: seeded and reproducible, every kind, verdicts from the load. */
import { describe, expect, it } from 'vitest';
import { parseAgentProcess } from '../../lab/chaos/agentProcesses.ts';
import { faultKinds, needsSwitchover, type PlannedFault, planCampaign } from '../../lab/chaos/chaosPlan.ts';
import { doublePrimaryIntervals, type EventRecord, summarize, timeToWritableMs } from '../../lab/chaos/chaosRecord.ts';
import { chaosReport, summaryTable } from '../../lab/chaos/chaosReport.ts';
import { parseChaosArguments } from '../../lab/chaos/runChaos.ts';
import { SeededRandom } from '../../lab/chaos/seededRandom.ts';
import { timelineSvg } from '../../lab/chaos/timelineSvg.ts';
import type { LoadReport } from '../../lab/netcluster/loadRun.ts';

const spec = { switchovers: 100, faults: 100, modes: ['async', 'sync'] as const, timing: 'mixed' as const };

describe('the chaos plan', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = planCampaign(spec, new SeededRandom(7));
    expect(planCampaign(spec, new SeededRandom(7))).toEqual(a);
    expect(planCampaign(spec, new SeededRandom(8))).not.toEqual(a);
  });

  it('has the counts asked for, half in each replication mode, every kind of fault', () => {
    const plan = planCampaign(spec, new SeededRandom(1));
    const faults = plan.filter((event): event is PlannedFault => event.type === 'fault');
    expect(faults).toHaveLength(100);
    expect(plan.filter((event) => event.type === 'switchover')).toHaveLength(100);
    expect(plan.filter((event) => event.mode === 'async')).toHaveLength(100);
    // One mode after the other: a single change of replication mode in the run.
    expect(plan.findIndex((event) => event.mode === 'sync')).toBe(100);
    expect(new Set(faults.map((fault) => fault.kind))).toEqual(new Set(faultKinds));
    for (const fault of faults) if (needsSwitchover.has(fault.kind)) expect(fault.switchover).not.toBeNull();
    expect(faults.some((fault) => 'state' in fault.at)).toBe(true);
    expect(faults.some((fault) => 'afterMs' in fault.at && fault.switchover === null)).toBe(true);
  });
});

describe('the arguments', () => {
  it('takes the issue’s command line and refuses what it does not know', () => {
    expect(parseChaosArguments(['--seed', '5', '--switchovers', '100', '--faults', '100']).spec).toEqual({
      switchovers: 100,
      faults: 100,
      modes: ['async', 'sync'],
      timing: 'mixed',
    });
    expect(() => parseChaosArguments(['--faults', 'many'])).toThrow(/whole number/);
    expect(() => parseChaosArguments(['--colour', 'blue'])).toThrow(/unknown option --colour/);
    expect(() => parseChaosArguments(['--modes', 'semi'])).toThrow(/--modes/);
    expect(() => parseChaosArguments(['--seed'])).toThrow(/expected --name value/);
  });
});

const load: LoadReport = {
  acknowledged: [0, 5, 10, 15, 900, 905, 910].map((at, index) => ({
    id: index + 1,
    node: at < 500 ? 'node1' : 'node2',
    at,
  })),
  samples: [
    { at: 0, writable: ['node1'], streaming: {} },
    { at: 20, writable: [], streaming: {} },
    { at: 880, writable: ['node2'], streaming: {} },
    { at: 950, writable: ['node1', 'node2'], streaming: {} },
    { at: 960, writable: ['node2'], streaming: {} },
  ],
};

function record(overrides: Partial<EventRecord>): EventRecord {
  return {
    index: 0,
    plan: {
      type: 'fault',
      mode: 'async',
      kind: 'postgres-killed-primary',
      switchover: null,
      at: { afterMs: 0 },
      holdMs: 1000,
    },
    mode: 'async',
    primaryBefore: 'node1',
    victim: 'node1',
    target: null,
    startedAt: 16,
    faultAt: 16,
    where: 'no switchover in flight',
    primaryAfter: 'node2',
    recovered: true,
    recoveredAt: 1000,
    reason: null,
    switchoverOutcome: null,
    lostWrites: 0,
    inevitableLosses: 3,
    fenced: 0,
    notes: [],
    ...overrides,
  };
}

describe('the checker', () => {
  it('measures the time to writable again from the fault, and sees two writable nodes', () => {
    expect(timeToWritableMs(load, record({}))).toBe(884);
    expect(doublePrimaryIntervals(load)).toEqual([{ from: 950, to: 960 }]);
    const summary = summarize([record({})], load);
    expect(summary.byKind['postgres-killed-primary']).toMatchObject({
      injected: 1,
      recovered: 1,
      timeToWritableMs: { median: 884, max: 884 },
      lostWrites: 0,
      inevitableLosses: 3,
      doublePrimaryIntervals: 1,
    });
    expect(summary).toMatchObject({ faults: 1, doublePrimaryIntervals: 1, doublePrimaryMs: 10, unrecovered: 0 });
  });

  it('reports every kind in a table row, switchovers apart', () => {
    const final = { primary: 'node2', streaming: ['node1'], missingAtEnd: 0, problem: null };
    const report = chaosReport(1, { ...spec, modes: ['async'] }, 1, null, [record({})], load, final);
    const table = summaryTable(report);
    expect(table).toContain('| postgres-killed-primary | 1 | 1 | 884 | 884 | 0 | 3 | 1 | 0 |');
    expect(table).toContain('| controlled switchovers | 0 | 0 |');
    expect(report.events[0]).toMatchObject({ index: 1, kind: 'postgres-killed-primary', timeToWritableMs: 884 });
  });

  it('draws the nodes, the fault bands and the gaps', () => {
    const svg = timelineSvg(['node1', 'node2'], [record({})], load);
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('postgres-killed-primary on node1');
    expect(svg).toContain('no write acknowledged for 885 ms');
  });
});

describe('an agent process', () => {
  it('is the pgsql bundle with its node in the environment', () => {
    const cmdline = '/usr/bin/node\0/usr/lib/ocf/lib/promigrate/pgsql.cjs\0promote\0';
    const environ = 'OCF_ROOT=/usr/lib/ocf\0OCF_RESKEY_CRM_meta_on_node=node2\0';
    expect(parseAgentProcess(42, cmdline, environ)).toEqual({ pid: 42, node: 'node2', action: 'promote' });
    expect(parseAgentProcess(42, '/usr/bin/node\0other.js\0', environ)).toBeNull();
    expect(parseAgentProcess(42, cmdline, 'OCF_ROOT=/x\0')).toBeNull();
  });
});
