/**
 * migrate_from's catch-up check: the target waits, bounded below its action's timeout, until it has received
 * the source's final position. Its own module so that the lab can build the broken variant `check-history`
 * must flag (lab/brokenAgent), which skips it; the agents never do.
 */
import { comparePositions, type Position } from '../../models/position.ts';
import type { PromotableDependencies } from './promotableAgent.ts';

export interface CatchUpResult {
  readonly received: Position;
  readonly caughtUp: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits, bounded, until this standby has received `final`; returns what it has received. */
export async function catchUp(deps: PromotableDependencies, final: Position): Promise<CatchUpResult> {
  const bound = Math.min(deps.now() + deps.catchUpMs, deps.deadline);
  for (;;) {
    const received = await deps.database.received();
    if (comparePositions(received, final) >= 0) return { received, caughtUp: true };
    if (deps.now() >= bound) return { received, caughtUp: false };
    await sleep(10);
  }
}
