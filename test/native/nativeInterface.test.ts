/**
 * The proposed interface, running (`npm run test:native`): Pacemaker 2.1.5 from ../shared/upstream with the
 * patch series of upstream/pacemaker/patches, built by upstream/pacemaker/build.sh (once per tarball and
 * patch set); Pacemaker's whole scheduler regression suite on that build — its own tests and the
 * proposal's cases, whose expected output is upstream/cts-scheduler/patched — and the model-based suite
 * through the native interface: the patched crm_simulate plans migrate_to / migrate_from for the clone
 * (allow-migrate=promoted) and the agents' native actions carry the statechart's moves on real PostgreSQL.
 * Writes reports/mbt-native.json and reports/cts-scheduler-native.log.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPatchedPacemaker, nativeScheduler } from '../../lab/executor/schedulerInterface.ts';
import { coverageLine, runModelSuite, writeModelSuiteReport } from '../../lab/mbt/modelSuite.ts';

const cases = (await readdir('upstream/cts-scheduler/xml')).map((file) => file.replace(/\.xml$/, ''));
let tree = '';
/** Pacemaker's scheduler suite on the patched build: started before the model-based suite, awaited after. */
let suite: Promise<{ exitCode: number | undefined; all: string }> | null = null;
const controller = new AbortController();

describe('the patched scheduler: migrate_to / migrate_from for the promoted role', () => {
  beforeAll(async () => {
    tree = await buildPatchedPacemaker();
    // Pacemaker's suite runs one crm_simulate at a time: beside the model-based suite, not after it.
    suite = execa(`${tree}/cts/cts-scheduler`, [], {
      env: { PCMK_schema_directory: `${tree}/xml` },
      stdin: 'ignore',
      reject: false,
      all: true,
      cancelSignal: controller.signal,
    }).then((result) => ({ exitCode: result.exitCode, all: result.all }));
  }, 900_000);

  afterAll(() => controller.abort());

  it('runs every state and transition of the statechart through the native interface, losing nothing', async () => {
    const report = await runModelSuite({
      nodeCounts: [2, 3],
      mode: process.env.PROMIGRATE_MBT === 'all' ? 'all' : 'covering',
      basePort: 25811,
      scheduler: nativeScheduler(tree),
      onPath: (outcome, done, total) => {
        const verdict = outcome.passed ? 'ok' : 'FAILED';
        process.stdout.write(
          `[native ${done}/${total}] ${outcome.nodes.length} nodes ${verdict} ${outcome.ms} ms: ${outcome.name}\n`,
        );
        if (!outcome.passed) process.stdout.write(`${outcome.report}\n`);
      },
    });
    await writeModelSuiteReport('reports/mbt-native.json', report);
    process.stdout.write(
      `${coverageLine(report)} (native, ${report.mode}: ${report.paths} paths, ${report.failed} failed, ${report.lostWrites} writes lost, ${report.seconds} s)\n`,
    );
    expect(report.failures.map((failure) => `${failure.nodes} nodes: ${failure.path}`)).toEqual([]);
    expect(report.lostWrites).toBe(0);
    expect(report.maxWritablePrimaries).toBeLessThanOrEqual(1);
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  }, 2_700_000);

  it("passes Pacemaker's whole scheduler suite, the proposal's cases included", async () => {
    const result = await (suite as NonNullable<typeof suite>);
    expect(tree).not.toBe('');
    await mkdir('reports', { recursive: true });
    await writeFile('reports/cts-scheduler-native.log', result.all);
    const run = [...result.all.matchAll(/^ {2}Test ([\w.-]+):/gm)].map((match) => match[1]);
    const failed = result.all.match(/\* FAILED:.*$/gm) ?? [];
    process.stdout.write(`cts-scheduler on the patched build: ${run.length} tests, ${failed.length} failures\n`);
    expect(failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(run.length).toBeGreaterThanOrEqual(819);
    expect(cases.filter((name) => !run.includes(name))).toEqual([]);
  }, 900_000);
});
