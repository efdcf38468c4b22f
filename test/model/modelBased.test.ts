/**
 * Model-based tests on the real system: every path the statechart yields for 2 and 3 nodes runs on real
 * PostgreSQL 15 instances with the real agents and Pacemaker's own scheduler (lab/mbt). Every state and
 * transition of the statechart must be taken on the real system, with no failed path and no acknowledged
 * write lost. Writes reports/mbt.json; a failing path prints its model path, the real state, the
 * transitions and the agents' logs.
 */
import { describe, expect, it } from 'vitest';
import { schedulerFromEnvironment } from '../../lab/executor/schedulerInterface.ts';
import { coverageLine, runModelSuite, writeModelSuiteReport } from '../../lab/mbt/modelSuite.ts';

/**
 * PROMIGRATE_MBT=all (`npm run test:model`): every path, the long mode. Otherwise the short mode: the paths that
 * together take every state and transition, per node count.
 */
const mode = process.env.PROMIGRATE_MBT === 'all' ? 'all' : 'covering';

/** PROMIGRATE_MBT_PATHS=3,17: rerun those paths only (their numbers as printed); coverage is then not asserted. */
const only = process.env.PROMIGRATE_MBT_PATHS?.split(',').map(Number);

/**
 * PROMIGRATE_NATIVE_PACEMAKER (`npm run test:native`): the paths run through the patched scheduler's native
 * migrate_to / migrate_from (reports/mbt-native.json); otherwise through Debian's, the emulation.
 */
const scheduler = schedulerFromEnvironment();

describe('the statechart on the real system', () => {
  it('takes every state and transition on real PostgreSQL with the real agents and scheduler, losing nothing', async () => {
    const report = await runModelSuite({
      nodeCounts: [2, 3],
      mode,
      basePort: 25701,
      scheduler,
      ...(only === undefined ? {} : { only: new Set(only) }),
      onPath: (outcome, done, total) => {
        const verdict = outcome.passed ? 'ok' : 'FAILED';
        process.stdout.write(
          `[${done}/${total}] ${outcome.nodes.length} nodes ${verdict} ${outcome.ms} ms: ${outcome.name}\n`,
        );
        if (!outcome.passed) process.stdout.write(`${outcome.report}\n`);
      },
    });
    await writeModelSuiteReport(scheduler.kind === 'native' ? 'reports/mbt-native.json' : 'reports/mbt.json', report);
    process.stdout.write(
      `${coverageLine(report)} (${report.scheduler}, ${report.mode}: ${report.paths} paths, ${report.failed} failed, ${report.lostWrites} writes lost, ${report.seconds} s)\n`,
    );
    expect(report.failures.map((failure) => `${failure.nodes} nodes: ${failure.path}`)).toEqual([]);
    expect(report.lostWrites).toBe(0);
    expect(report.maxWritablePrimaries).toBeLessThanOrEqual(1);
    if (only !== undefined) return;
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  }, 2_700_000);
});
