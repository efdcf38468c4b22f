/**
 * The real system against the model at a rest (between steps): everything the model knows must be so.
 * - roles: who is writable, which instances run, who streams from the primary, where Pacemaker sees the
 *   promoted role, and what the recurring monitors report;
 * - data: no acknowledged write missing on the primary; each node's timeline, the order of the nodes'
 *   positions (real WAL lags, so orders are awaited, not sampled once) and the diverged flag;
 * - what the agents recorded: the hand-over record and its verdict, a plain demote's final position, the
 *   positions published for elections (never ahead of what the node holds);
 * - who may be promoted: the primary outranks every standby; a node the agents refused, and the model
 *   still refuses, is at -INFINITY;
 * - the operator's intent.
 */
import { transition } from 'xstate';
import { factsOf, freshHandover, isElectable } from '../../models/cluster.ts';
import { comparePositions, formatPosition, type Position } from '../../models/position.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { NodeFacts } from '../../models/types.ts';
import type { ModelSnapshot } from '../../src/paths/pathEvents.ts';
import { stateName } from '../../src/paths/statechartParts.ts';
import { intentInForce } from '../../src/policy/intent.ts';
import { type NodeRecord, parseNodeRecord } from '../../src/policy/nodeRecord.ts';
import type { ExecutedAction } from '../executor/controller.ts';
import { follows, isDown, PathFailure, type PathRun } from './pathRun.ts';

const forbidden = -1_000_000;
/** How long a standby may take to receive what the model has it hold (replication lag, at rest). */
const convergeMs = 10_000;

/** A recurring monitor that failed where the model has the instance running is a defect. */
export function monitorProblems(run: PathRun, model: ModelSnapshot, failed: readonly ExecutedAction[]): string[] {
  const problems: string[] = [];
  for (const { action, result } of failed) {
    const reason = /^ocf-exit-reason:(.*)$/m.exec(result?.stderr ?? '')?.[1] ?? '';
    run.note(`  ${action.node} ${action.key} (timer) → ${result?.code ?? '?'} (failed)${reason ? `: ${reason}` : ''}`);
    const facts = factsOf(model.context, action.node ?? '');
    if (facts !== undefined && !isDown(facts)) {
      problems.push(
        `${action.node}'s monitor failed (${result?.code ?? '?'}${reason ? `: ${reason}` : ''}), the model has it ${facts.instance}`,
      );
    }
  }
  return problems;
}

export async function checkRest(run: PathRun, model: ModelSnapshot, where: string): Promise<void> {
  const real = run.real;
  const context = model.context;
  const problems: string[] = [];
  const promoted = run.nodes.filter((node) => {
    const facts = factsOf(context, node) as NodeFacts;
    return facts.online && facts.instance === 'promoted';
  });
  const primary = promoted[0] ?? null;
  if (primary !== null && run.restoredToSource.size > 0) {
    await real.followPrimary([...run.restoredToSource].filter((node) => node !== primary));
    run.restoredToSource.clear();
  }
  const writable = await real.writable();
  run.maxWritable = Math.max(run.maxWritable, writable.length);
  if (writable.join(',') !== promoted.join(',')) {
    problems.push(`writable: ${writable.join(',') || 'none'}, the model has ${promoted.join(',') || 'none'} promoted`);
  }
  problems.push(...(await instanceProblems(run, model, primary)));
  // Time passes as it would in a cluster: the recurring monitors fire, and Pacemaker learns of faults.
  await real.controller.startPlannedMonitors();
  problems.push(...monitorProblems(run, model, await real.controller.fireRecurringMonitors()));
  const inCib = await real.promotedInCib();
  if (inCib.join(',') !== promoted.join(',')) {
    problems.push(`Pacemaker sees ${inCib.join(',') || 'no node'} promoted, the model ${promoted.join(',') || 'none'}`);
  }
  if (primary !== null) {
    const missing = await real.missingRows(primary);
    run.lostWrites = Math.max(run.lostWrites, missing.length);
    if (missing.length > 0) problems.push(`${missing.length} acknowledged writes missing on the primary ${primary}`);
  }
  problems.push(...(await positionProblems(run, rejoinedOrNot(model), primary)));
  problems.push(...(await recordProblems(run, model)));
  problems.push(...(await scoreProblems(run, model, primary)));
  problems.push(...(await intentProblems(run, model)));
  if (problems.length > 0) throw new PathFailure(`${where}: ${problems.join('; ')}`);
}

async function instanceProblems(run: PathRun, model: ModelSnapshot, primary: string | null): Promise<string[]> {
  const real = run.real;
  const problems: string[] = [];
  for (const node of run.nodes) {
    const facts = factsOf(model.context, node) as NodeFacts;
    const running = await real.isRunning(node);
    if (isDown(facts) && running)
      problems.push(`${node} runs, the model has it ${facts.online ? facts.instance : 'offline'}`);
    if (!isDown(facts) && !running) problems.push(`${node} does not run, the model has it ${facts.instance}`);
    if (primary === null || node === primary || isDown(facts)) continue;
    if (follows(facts)) {
      const ok = await real.postgres
        .waitFor(`${node} streaming`, () => real.postgres.streamsFrom(primary, node), convergeMs)
        .then(() => true)
        .catch(() => false);
      if (!ok) problems.push(`${node} does not stream from ${primary}, the model has it streaming`);
    } else if (run.cut.has(node) && (await real.postgres.streamsFrom(primary, node).catch(() => false))) {
      problems.push(`${node} streams from ${primary}, the model has its replication cut`);
    }
  }
  return problems;
}

/**
 * In `switchover.rejoining` the source restarts as a standby of the new primary on its own; the model has
 * it rejoined only once REJOIN is observed. At a rest there, either is what the model knows.
 */
function rejoinedOrNot(model: ModelSnapshot): ModelSnapshot[] {
  const source = model.context.handover?.source;
  if (stateName(model.value) !== 'switchover.rejoining' || source === undefined) return [model];
  const [rejoined] = transition(roleMigrationMachine, model, { type: 'REJOIN', node: source });
  return [model, rejoined];
}

/** Nodes the model has running with a known position: the ones whose real position is compared. */
function comparable(run: PathRun, model: ModelSnapshot): string[] {
  return run.nodes.filter((node) => {
    const facts = factsOf(model.context, node) as NodeFacts;
    return !isDown(facts) && facts.positionKnown;
  });
}

/**
 * Timelines equal the model's; where the model has one node ahead of another, the real one is ahead too;
 * a standby the model has following the primary holds what the primary wrote (once replication caught up).
 * Checkpoints and end-of-recovery records are WAL the model does not count, so nodes the model has level
 * and not following one another may differ.
 */
async function positionProblems(
  run: PathRun,
  models: readonly ModelSnapshot[],
  primary: string | null,
): Promise<string[]> {
  const nodes = comparable(run, models[0] as ModelSnapshot);
  let problems: string[] = [];
  const deadline = Date.now() + convergeMs;
  do {
    const real = new Map<string, Position>();
    const unreadable: string[] = [];
    for (const node of nodes) {
      const row = await run.real.position(node);
      if (row === null) unreadable.push(`${node}'s position cannot be read`);
      else real.set(node, row.position);
    }
    const found = [];
    for (const model of models) found.push([...unreadable, ...(await positionsAgainst(run, model, primary, real))]);
    problems = found.find((each) => each.length === 0) ?? (found[0] as string[]);
    if (problems.length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  return problems;
}

async function positionsAgainst(
  run: PathRun,
  model: ModelSnapshot,
  primary: string | null,
  real: ReadonlyMap<string, Position>,
): Promise<string[]> {
  const problems: string[] = [];
  const modelPosition = (node: string) => (factsOf(model.context, node) as NodeFacts).position;
  for (const [node, position] of real) {
    const expected = modelPosition(node);
    if (position.timeline !== expected.timeline)
      problems.push(`${node} is on timeline ${position.timeline}, the model has ${expected.timeline}`);
  }
  for (const a of real.keys()) {
    for (const b of real.keys()) {
      const order = comparePositions(modelPosition(a), modelPosition(b));
      const realOrder = comparePositions(real.get(a) as Position, real.get(b) as Position);
      const level = primary === a && b !== a && follows(factsOf(model.context, b) as NodeFacts);
      if (order > 0 && realOrder <= 0)
        problems.push(
          `${a} (${formatPosition(real.get(a) as Position)}) is not ahead of ${b} (${formatPosition(real.get(b) as Position)}), the model has it ahead`,
        );
      if (order === 0 && level && realOrder !== 0)
        problems.push(
          `${b} (${formatPosition(real.get(b) as Position)}) has not received all the primary ${a} wrote (${formatPosition(real.get(a) as Position)})`,
        );
    }
  }
  if (primary !== null && real.has(primary)) problems.push(...(await divergedProblems(run, model, primary, real)));
  return problems;
}

/**
 * A standby has diverged when its WAL goes past the point where its timeline ended in the primary's
 * history (the primary's .history file), or when it is on a timeline the primary never had.
 */
async function divergedProblems(
  run: PathRun,
  model: ModelSnapshot,
  primary: string,
  real: ReadonlyMap<string, Position>,
): Promise<string[]> {
  const current = real.get(primary) as Position;
  const ends = await run.real.timelineEnds(primary, current.timeline);
  const problems: string[] = [];
  for (const [node, position] of real) {
    if (node === primary) continue;
    const end = ends.get(position.timeline);
    const diverged =
      position.timeline > current.timeline ||
      (position.timeline < current.timeline && (end === undefined || position.lsn > end));
    const expected = (factsOf(model.context, node) as NodeFacts).diverged;
    if (diverged !== expected)
      problems.push(
        `${node} has ${diverged ? '' : 'not '}diverged from ${primary}'s timeline, the model has it ${expected ? '' : 'not '}diverged`,
      );
  }
  return problems;
}

function parsed(text: string | null): NodeRecord | null {
  if (text === null) return null;
  try {
    return parseNodeRecord(text);
  } catch {
    return null;
  }
}

/** The hand-over record (on any node's copy) and its verdict; a plain demote's final position; publications. */
async function recordProblems(run: PathRun, model: ModelSnapshot): Promise<string[]> {
  const context = model.context;
  const published = await run.real.published();
  const records = [...published.values()].map((entry) => parsed(entry.record)).filter((r) => r !== null);
  const problems: string[] = [];
  const handover = freshHandover(context);
  if (handover?.final) {
    const copies = records
      .map((record) => record.handover)
      .filter(
        (copy) =>
          copy !== undefined &&
          copy.handover.source === handover.source &&
          copy.handover.target === handover.target &&
          copy.handover.final.timeline === handover.final?.timeline,
      );
    if (copies.length === 0)
      problems.push(`no node holds the hand-over ${handover.source}→${handover.target} the model has recorded`);
    const aborted = copies.some((copy) => copy?.verdict === 'aborted');
    const modelAborted = stateName(model.value) === 'switchover.aborted';
    const target = factsOf(context, handover.target) as NodeFacts;
    // A target that died without running an action could not record its own failure (see stepExecution).
    const unknowable = modelAborted && !aborted && isDown(target);
    if (copies.length > 0 && aborted !== modelAborted && !unknowable)
      problems.push(
        `the hand-over is recorded ${aborted ? 'aborted' : 'pending'}, the model has it ${modelAborted ? 'aborted' : 'pending'}`,
      );
  }
  if (context.demotedAt !== null) {
    const timeline = context.demotedAt.timeline;
    if (!records.some((record) => record.demoted?.timeline === timeline))
      problems.push(`no node holds the final position of the plain demote on timeline ${timeline}`);
  }
  for (const [node, entry] of published) {
    const publication = parsed(entry.position)?.position?.position;
    if (publication === undefined) continue;
    const row = await run.real.position(node);
    if (row !== null && comparePositions(publication, row.position) > 0)
      problems.push(
        `${node} published ${formatPosition(publication)}, past what it holds (${formatPosition(row.position)})`,
      );
  }
  return problems;
}

/**
 * With a primary, its score outranks every standby's (the next election starts from there). Without one,
 * a node whose promote the agents refused, and which the model still refuses, is at -INFINITY: no move
 * constraint can have it promoted before it caught up.
 */
async function scoreProblems(run: PathRun, model: ModelSnapshot, primary: string | null): Promise<string[]> {
  const scores = await run.real.promotionScores();
  const problems: string[] = [];
  if (primary !== null) {
    run.refused.clear();
    const own = scores.get(primary) ?? null;
    for (const [node, score] of scores) {
      if (node !== primary && score !== null && (own === null || score >= own))
        problems.push(`${node}'s promotion score ${score} is not below the primary ${primary}'s ${own ?? 'none'}`);
    }
    return problems;
  }
  for (const node of run.refused) {
    // A node that left (or whose instance is down) lost its transient attributes with it; nothing to check.
    if (isDown(factsOf(model.context, node) as NodeFacts) || isElectable(model.context, node)) continue;
    const score = scores.get(node) ?? null;
    if (score !== forbidden)
      problems.push(`${node} was refused and the model refuses it, but its score is ${score ?? 'none'}`);
  }
  return problems;
}

async function intentProblems(run: PathRun, model: ModelSnapshot): Promise<string[]> {
  const real = intentInForce(await run.real.intentText(), Date.now())?.target ?? null;
  const expected = model.context.intent?.target ?? null;
  return real === expected ? [] : [`the intent in force names ${real ?? 'no node'}, the model ${expected ?? 'none'}`];
}
