/**
 * The world's events of a model path made for real by the test: writes, faults, membership, the operator's
 * intent; REJOIN observed; and a switchover's source held from rejoining while a path needs a fault made in
 * `switchover.rejoining` first.
 */
import { factsOf, freshHandover, primaryOf } from '../../models/cluster.ts';
import type { NodeFacts } from '../../models/types.ts';
import { formatEvent } from '../../src/format/formatEvent.ts';
import { follows, PathFailure, type PathRun } from './pathRun.ts';

/** Faults after which a standby holds only what it had received: replication must have caught up first. */
const faultsOnReceived = new Set(['REPLICATION_CUT', 'INSTANCE_FAILED', 'NODE_LOST']);

export async function performWorld(run: PathRun, index: number): Promise<void> {
  const real = run.real;
  const event = run.step(index).event;
  const context = run.before(index).context;
  run.note(`  step ${index + 1}: ${formatEvent(event)} (made by the test)`);
  // The model's WRITE reaches every streaming standby at once; the real one lags a little. Writes do not
  // wait for it, but a fault that freezes what a standby holds does: the model has the rows received.
  if (faultsOnReceived.has(event.type)) await real.awaitReceived(streamingStandbys(run, index));
  switch (event.type) {
    case 'WRITE':
      await real.write(primaryOf(context) as string);
      return;
    case 'REPLICATION_CUT': {
      run.cut.add(event.node);
      const receiver = run.stalled.get(event.node);
      run.stalled.delete(event.node);
      return receiver === undefined ? real.cut(event.node) : real.cutStalled(event.node, receiver);
    }
    case 'REPLICATION_RESTORED': {
      run.cut.delete(event.node);
      const upstream = primaryOf(context) === null ? (freshHandover(context)?.source ?? null) : null;
      if (upstream !== null) run.restoredToSource.add(event.node);
      return real.restore(event.node, upstream);
    }
    case 'INSTANCE_FAILED':
      return real.killInstance(event.node);
    case 'NODE_LOST':
      real.controller.abort();
      return real.loseNode(event.node);
    case 'NODE_JOINED':
      return real.joinNode(event.node);
    case 'INTENT':
      return real.setIntent(event.target, Date.now() + 600_000);
    case 'INTENT_EXPIRED': {
      const target = context.intent?.target as string;
      return real.setIntent(target, Date.now() - 1000);
    }
    default:
      throw new PathFailure(`${event.type} is not made by the test`);
  }
}

/** The primary and the standbys the model has receiving its writes before step `index`. */
function streamingStandbys(run: PathRun, index: number): { primary: string | null; standbys: string[] } {
  const context = run.before(index).context;
  const primary = primaryOf(context);
  const standbys = run.nodes.filter((node) => node !== primary && follows(factsOf(context, node) as NodeFacts));
  return { primary, standbys: [...standbys].filter((node) => !run.stalled.has(node)) };
}

export async function observeRejoin(run: PathRun, index: number): Promise<void> {
  const real = run.real;
  const event = run.step(index).event;
  if (event.type !== 'REJOIN') return;
  const primary = primaryOf(run.after(index).context);
  if (primary === null) throw new PathFailure('REJOIN without a primary in the model');
  await real.postgres.waitFor(`${event.node} streaming from ${primary}`, () =>
    real.postgres.streamsFrom(primary, event.node),
  );
  run.note(`  step ${index + 1}: ${formatEvent(event)} (observed: ${event.node} streams from ${primary})`);
}

/**
 * The source of a switchover rejoins (streams from the new primary) as soon as that one is promoted; a
 * path that makes a fault in `rejoining` before REJOIN needs the source held back until the fault is made:
 * its link is held cut meanwhile (the model has it not streaming there), then given back.
 */
export async function holdRejoin(run: PathRun, index: number): Promise<void> {
  for (let k = index; k < run.steps.length; k++) {
    const step = run.step(k);
    if (k > index && run.kindOf(k) === 'scheduled') return;
    const after = run.steps[k + 1];
    if (step.state !== 'switchover.rejoining' || after === undefined || after.event.type === 'REJOIN') continue;
    const source = run.after(k).context.handover?.source ?? null;
    if (source === null) return;
    await run.real.cut(source);
    run.heldSource = source;
    return;
  }
}

export async function releaseRejoin(run: PathRun): Promise<void> {
  if (run.heldSource === null) return;
  const source = run.heldSource;
  run.heldSource = null;
  if (await run.real.isRunning(source)) await run.real.restore(source, null);
}
