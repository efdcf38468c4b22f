/** status and the dry run's verdict from gathered facts (pure): unknown stays unknown, lag only from the primary. */
import { describe, expect, it } from 'vitest';
import type { ServerRow } from '../../agent/pgsql/postgres.ts';
import type { ClusterStatus } from '../../src/adapter/clusterStatus.ts';
import { parseNodeRecord } from '../../src/policy/nodeRecord.ts';
import { type StatusFacts, statusReport } from '../../src/status/statusReport.ts';
import { dryRunVerdict } from '../../src/switchover/dryRunVerdict.ts';

const status: ClusterStatus = {
  nodes: ['node1', 'node2', 'node3'],
  online: ['node1', 'node2'],
  promoted: ['node1'],
  unpromoted: ['node2'],
  vip: [],
  failures: [],
};
const primaryRow: ServerRow = {
  recovery: false,
  position: { timeline: 3, lsn: 0x3000100 },
  streaming: false,
  standbys: new Map([['node2', 0x3000000]]),
};

function facts(overrides: Partial<StatusFacts> = {}): StatusFacts {
  return {
    now: 1_000_000,
    clone: 'pgsql-ha',
    primitive: 'pgsql',
    agent: 'ocf:promigrate:pgsql',
    localNode: 'node1',
    status,
    records: {
      value: new Map([
        ['node2', { value: parseNodeRecord('v1 position=3:0/3000000@990000') }],
        ['node1', { value: parseNodeRecord('v1 handover=node3>node1@2:0/2000060:pending fork=2:0/2000060 onto=3') }],
        ['node3', { unreadable: 'unknown record version "v9"' }],
      ]),
    },
    scores: new Map([
      ['node1', { value: 1001 }],
      ['node2', { value: 1000 }],
      ['node3', { unreadable: 'crm_attribute: could not connect' }],
    ]),
    intent: { value: `target=node2 expires=${2_000}` },
    localServer: { value: primaryRow },
    ...overrides,
  };
}

describe('statusReport', () => {
  it('reads roles, live positions and lag on the primary, published ones elsewhere, the hand-over and the intent', () => {
    const report = statusReport(facts());
    expect(report.primary).toBe('node1');
    const [node1, node2, node3] = report.nodes;
    expect(node1).toMatchObject({ role: 'promoted', position: { timeline: 3, lsn: '0/3000100', source: 'live' } });
    expect(node2).toMatchObject({
      role: 'unpromoted',
      position: { timeline: 3, lsn: '0/3000000', source: 'published', ageMs: 10_000 },
      lagBytes: 0x100,
      promotionScore: 1000,
    });
    expect(node3).toMatchObject({ role: 'offline', position: null, promotionScore: null });
    expect(report.handover).toEqual({ source: 'node3', target: 'node1', final: '2:0/2000060', verdict: 'pending' });
    expect(report.intent).toEqual({ target: 'node2' });
    expect(report.unknown).toEqual([
      'node3: record: unknown record version "v9"',
      'node3: promotion score: crm_attribute: could not connect',
    ]);
  });

  it('says why the lag is unknown off the primary, and a tool failure stays a failure', () => {
    const report = statusReport(
      facts({ localNode: 'node2', localServer: { unreadable: 'psql: timeout' }, intent: { unreadable: 'attrd: 102' } }),
    );
    expect(report.nodes[1]).toMatchObject({
      lagBytes: null,
      lagUnknownBecause: "live lag is read on the primary's node (node1)",
    });
    expect(report.intent).toBeNull();
    expect(report.unknown).toContain('intent: attrd: 102');
    expect(report.unknown).toContain('node2: local PostgreSQL: psql: timeout');
  });

  it('an expired intent is none', () => {
    expect(statusReport(facts({ now: 3_000_000 })).intent).toBeNull();
  });
});

describe('dryRunVerdict', () => {
  const move = [
    {
      resource: 'pgsql-ha',
      kind: 'switchover' as const,
      from: 'node1',
      to: 'node2',
      cause: 'move',
      detail: '',
      transitions: [],
    },
  ];

  it('nothing blocks a move the scheduler makes to a streaming standby', () => {
    const verdict = dryRunVerdict(statusReport(facts()), 'node2', move, []);
    expect(verdict).toMatchObject({ blockers: [], schedulerPromotesTarget: true, caughtUp: false });
    expect(verdict.caughtUpDetail).toContain('256 bytes behind node1');
  });

  it('blocks on a target not streaming, an offline one, a -INFINITY score, a scheduler that would not, fencing', () => {
    const notStreaming = facts({ localServer: { value: { ...primaryRow, standbys: new Map() } } });
    expect(dryRunVerdict(statusReport(notStreaming), 'node2', move, []).blockers).toEqual([
      'node2 is not streaming from node1: its promotion would be refused after catch_up_timeout and node1 promoted again',
    ]);
    expect(dryRunVerdict(statusReport(facts()), 'node3', [], []).blockers).toEqual([
      'node3 is not online',
      "Pacemaker's scheduler would not promote node3 for the move (constraints, scores or failures)",
    ]);
    const refused = facts({ scores: new Map([['node2', { value: -1_000_000 }]]) });
    expect(dryRunVerdict(statusReport(refused), 'node2', move, ['node3']).blockers).toEqual([
      "node2's promotion score is -INFINITY (a refused promotion or an election pointed away from it)",
      'the transition would fence node3',
    ]);
    expect(dryRunVerdict(statusReport(facts()), 'node1', [], []).blockers[0]).toBe(
      'node1 is already the primary of pgsql-ha',
    );
  });

  it('off the primary, whether the target caught up is unknown, not assumed', () => {
    const verdict = dryRunVerdict(statusReport(facts({ localNode: 'node3', localServer: null })), 'node2', move, []);
    expect(verdict.caughtUp).toBeNull();
    expect(verdict.blockers).toEqual([]);
  });
});
