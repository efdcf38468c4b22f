/**
 * One model path on the real system. Each step's event is made to happen for real, by its kind:
 * - the world's events (writes, faults, membership, the operator's intent) are performed by the runner
 *   (worldEvents.ts);
 * - Pacemaker's operations (start, promote, demote, migrate_to) are asked of Pacemaker's scheduler by
 *   cluster operations only — a promoted-role preference, bans of nodes the model has down, holding the
 *   clone unpromoted — and the real agents carry them out (stepExecution.ts);
 * - what happens inside an operation (the shutdown checkpoint, migrate_from, the catch-up verdict) is
 *   what the agents report while they run;
 * - REJOIN is observed: the old primary streams from the new one.
 * Every agent decision must be the path's next step, taken exactly as the model takes it. At every rest
 * the real system is checked against all the model knows (restChecks.ts); at the end, no acknowledged
 * write may be missing on the node that holds the data.
 */
import { factsOf, primaryOf } from '../../models/cluster.ts';
import type { NodeFacts } from '../../models/types.ts';
import { formatEvent } from '../../src/format/formatEvent.ts';
import { activeStates } from '../../src/paths/statechartParts.ts';
import type { TestPath } from '../../src/paths/testPaths.ts';
import { emulatedScheduler, type SchedulerInterface } from '../executor/schedulerInterface.ts';
import { failureReport } from './failureReport.ts';
import { follows, inActionStates, PathFailure, PathRun } from './pathRun.ts';
import { RealSystem } from './realSystem.ts';
import { checkRest } from './restChecks.ts';
import { StepExecution } from './stepExecution.ts';
import { observeRejoin, performWorld } from './worldEvents.ts';

export interface PathOutcome {
  readonly name: string;
  readonly nodes: readonly string[];
  readonly passed: boolean;
  /** Statechart transitions and states the path took on the real system (only a passed path counts). */
  readonly transitions: readonly string[];
  readonly states: readonly string[];
  readonly lostWrites: number;
  readonly maxWritable: number;
  readonly ms: number;
  /** Why it failed: the step, the real state, the transition graphs' actions and the agents' logs. */
  readonly report: string;
}

async function runSteps(run: PathRun, execution: StepExecution): Promise<void> {
  const real = run.real;
  await real.controller.settle();
  await checkRest(run, run.initial, 'before the first step');
  while (run.next < run.steps.length) {
    const index = run.next;
    const step = run.step(index);
    switch (run.kindOf(index)) {
      case 'world':
        await performWorld(run, index);
        run.next++;
        break;
      case 'observed':
        await observeRejoin(run, index);
        run.next++;
        break;
      case 'scheduled':
        run.note(`  step ${index + 1}: ${formatEvent(step.event)} (asked of the scheduler)`);
        await execution.runScheduled(index);
        break;
      default:
        throw new PathFailure(`step ${index + 1}: ${formatEvent(step.event)} cannot happen outside an operation`);
    }
    if (run.failure !== null) throw new PathFailure(run.failure);
    // A path may end inside an operation (demotingSource, catchingUp): the agent's decision was the check.
    if (inActionStates.has(run.step(run.next - 1).state)) continue;
    const rest = run.next === run.steps.length ? run.afterEnd : run.after(run.next - 1);
    await checkRest(run, rest, `after step ${run.next}`);
  }
  await checkFinalData(run);
}

/** The node that holds the data at the end (the primary, else a standby): no acknowledged write missing. */
async function checkFinalData(run: PathRun): Promise<void> {
  const context = run.afterEnd.context;
  const holder =
    primaryOf(context) ??
    run.nodes
      .filter(
        (node) => follows(factsOf(context, node) as NodeFacts) || factsOf(context, node)?.instance === 'unpromoted',
      )
      .filter((node) => factsOf(context, node)?.online)[0] ??
    null;
  if (holder === null || !(await run.real.isRunning(holder))) return;
  const missing = await run.real.missingRows(holder);
  run.lostWrites = Math.max(run.lostWrites, missing.length);
  if (missing.length > 0) throw new PathFailure(`${missing.length} acknowledged writes missing on ${holder}`);
}

export async function runPath(
  nodes: readonly string[],
  path: TestPath,
  basePort: number,
  scheduler: SchedulerInterface = emulatedScheduler,
): Promise<PathOutcome> {
  const begun = Date.now();
  const run = new PathRun(nodes, path);
  const execution = new StepExecution(run);
  try {
    run.system = await RealSystem.create(nodes, basePort, scheduler, {
      onAction: (executed) => execution.onAction(executed),
      onAgentLine: (action, line) => execution.onAgentLine(action, line),
    });
    await runSteps(run, execution);
  } catch (error) {
    run.failure ??= (error as Error).message;
  }
  run.resumeReceivers?.();
  const report = await failureReport(run);
  await run.system?.dispose().catch(() => undefined);
  const passed = run.failure === null;
  const states = new Set<string>(activeStates(run.initial.value));
  for (const each of run.snapshots) for (const name of activeStates(each.value)) states.add(name);
  return {
    name: path.name,
    nodes,
    passed,
    transitions: passed ? [...new Set(run.taken.flat())] : [],
    states: passed ? [...states] : [],
    lostWrites: run.lostWrites,
    maxWritable: run.maxWritable,
    ms: Date.now() - begun,
    report,
  };
}
