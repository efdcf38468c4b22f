/**
 * The model-based suite: every path the statechart yields for the real system (src/paths/testPaths.ts with
 * `realSystem` bounds), for each node count, run on real PostgreSQL with the real agents and Pacemaker's
 * scheduler (runPath). Coverage counts only what passed on the real system: the statechart's states and
 * transitions those paths took. Shorter paths first, so that a broken basic step shows at once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nodeNamesFor } from '../../src/paths/modelGraph.ts';
import { coverageFrom, coveringPaths, generateTestPaths } from '../../src/paths/testPaths.ts';
import { emulatedScheduler, type SchedulerInterface } from '../executor/schedulerInterface.ts';
import { disposeTemplates } from './realSystem.ts';
import { type PathOutcome, runPath } from './runPath.ts';

export interface ModelSuiteReport {
  readonly nodes: readonly number[];
  readonly mode: 'covering' | 'all';
  /** The interface the promoted role moved by: the emulation (Debian's scheduler) or native (patched). */
  readonly scheduler: SchedulerInterface['kind'];
  readonly paths: number;
  readonly states: { readonly covered: number; readonly total: number; readonly missing: readonly string[] };
  readonly transitions: { readonly covered: number; readonly total: number; readonly missing: readonly string[] };
  readonly failed: number;
  readonly lostWrites: number;
  /** The most instances found writable at once at any check. */
  readonly maxWritablePrimaries: number;
  readonly seconds: number;
  readonly failures: ReadonlyArray<{ readonly nodes: number; readonly path: string; readonly report: string }>;
}

export interface ModelSuiteOptions {
  readonly nodeCounts: readonly number[];
  /** The first of the ports the instances get (one per node, reused path after path). */
  readonly basePort: number;
  readonly onPath?: (outcome: PathOutcome, done: number, total: number) => void;
  /**
   * `covering` (npm test's short mode): only the paths that together take every state and transition the
   * whole set takes, per node count; `all` (the long mode, `npm run test:model`): every path.
   */
  readonly mode: 'covering' | 'all';
  /** Runs only the paths whose index (1-based, in run order) is listed: to rerun a failure. */
  readonly only?: ReadonlySet<number>;
  /** Whose scheduler the paths run through: Debian's (the emulation, the default) or the patched build's. */
  readonly scheduler?: SchedulerInterface;
}

export async function runModelSuite(options: ModelSuiteOptions): Promise<ModelSuiteReport> {
  const begun = Date.now();
  const plans = options.nodeCounts.map((count) => {
    const nodes = nodeNamesFor(count);
    const all = generateTestPaths(nodes, undefined, { realSystem: true }).paths;
    const paths = options.mode === 'all' ? [...all] : coveringPaths(nodes, all);
    paths.sort((a, b) => a.steps.length - b.steps.length);
    return { nodes, paths };
  });
  const total = plans.reduce((sum, plan) => sum + plan.paths.length, 0);
  const outcomes: PathOutcome[] = [];
  let position = 0;
  try {
    for (const plan of plans) {
      for (const path of plan.paths) {
        position++;
        if (options.only !== undefined && !options.only.has(position)) continue;
        const outcome = await runPath(plan.nodes, path, options.basePort, options.scheduler);
        outcomes.push(outcome);
        options.onPath?.(outcome, position, total);
      }
    }
  } finally {
    await disposeTemplates();
  }
  const coverage = coverageFrom(
    new Set(outcomes.flatMap((outcome) => outcome.states)),
    new Set(outcomes.flatMap((outcome) => outcome.transitions)),
  );
  return {
    nodes: options.nodeCounts,
    mode: options.mode,
    scheduler: (options.scheduler ?? emulatedScheduler).kind,
    paths: outcomes.length,
    ...coverage,
    failed: outcomes.filter((outcome) => !outcome.passed).length,
    lostWrites: outcomes.reduce((sum, outcome) => sum + outcome.lostWrites, 0),
    maxWritablePrimaries: Math.max(0, ...outcomes.map((outcome) => outcome.maxWritable)),
    seconds: Math.round((Date.now() - begun) / 1000),
    failures: outcomes
      .filter((outcome) => !outcome.passed)
      .map((outcome) => ({ nodes: outcome.nodes.length, path: outcome.name, report: outcome.report })),
  };
}

export function coverageLine(report: ModelSuiteReport): string {
  return `model coverage: states ${report.states.covered}/${report.states.total}, transitions ${report.transitions.covered}/${report.transitions.total}`;
}

/** reports/mbt.json: the summary the issue asks for, then what is missing and what failed. */
export async function writeModelSuiteReport(file: string, report: ModelSuiteReport): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const summary = {
    nodes: report.nodes,
    mode: report.mode,
    scheduler: report.scheduler,
    paths: report.paths,
    states: { covered: report.states.covered, total: report.states.total },
    transitions: { covered: report.transitions.covered, total: report.transitions.total },
    failed: report.failed,
    lostWrites: report.lostWrites,
    maxWritablePrimaries: report.maxWritablePrimaries,
    seconds: report.seconds,
    missing: { states: report.states.missing, transitions: report.transitions.missing },
    failures: report.failures.map((failure) => ({ nodes: failure.nodes, path: failure.path })),
  };
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
}
