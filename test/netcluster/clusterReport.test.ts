import { describe, expect, it } from 'vitest';
import { reportEntries, reportTable } from '../../lab/netcluster/clusterReport.ts';
import type { ScenarioResult } from '../../lab/netcluster/clusterScenarios.ts';

const base: ScenarioResult = {
  name: 'kill -9 of the primary node',
  replication: 'async',
  passed: true,
  promoted: 'node3',
  lostWrites: 0,
  inevitableLosses: 4,
  fenceEvents: 1,
  maxWritablePrimaries: 1,
  switchoverMs: 9595,
  writeGapMs: 9591,
  acknowledged: 720,
  problems: [],
};

describe('the cluster report', () => {
  it('keeps the fields the issue names and the notes, and drops the bookkeeping', () => {
    const [entry] = reportEntries([{ ...base, notes: ["node3's rejoin refused (diverged); recloned"] }]);
    const { acknowledged: _acknowledged, problems: _problems, ...reported } = base;
    expect(entry).toEqual({ ...reported, notes: ["node3's rejoin refused (diverged); recloned"] });
    expect(Object.keys(entry ?? {})).toEqual(
      expect.arrayContaining([
        'replication',
        'promoted',
        'lostWrites',
        'inevitableLosses',
        'maxWritablePrimaries',
        'fenceEvents',
      ]),
    );
  });

  it('prints one row per scenario and replication, then its notes and problems under their names', () => {
    const table = reportTable([
      { ...base, notes: ['node3 rejoined as a standby'] },
      {
        ...base,
        name: 'move --promoted to node2',
        replication: 'sync',
        promoted: 'node2',
        inevitableLosses: 0,
        fenceEvents: 0,
        passed: false,
        switchoverMs: null,
        problems: ['timed out'],
      },
    ]).split('\n');
    expect(table[0]).toMatch(/^scenario +replication +passed +promoted +lost +inevitable +max writable +fenced/);
    expect(table[1]).toMatch(/^kill -9 of the primary node +async +yes +node3 +0 +4 +1 +1 +9595 +9591 +— +720$/);
    expect(table[2]).toMatch(/^move --promoted to node2 +sync +NO +node2 +0 +0 +1 +0 +— +9591/);
    expect(table.slice(3)).toEqual([
      'notes:',
      '  kill -9 of the primary node (async): node3 rejoined as a standby',
      'problems:',
      '  move --promoted to node2 (sync): timed out',
    ]);
  });
});
