/**
 * The broken variant of migrate_from's catch-up check, for `promigrate check-history`'s test only (built into
 * dist/lab-broken-ocf, never installed): it reports the target caught up at the source's final position
 * without reading what the target received — the defect of an agent that promotes a lagging standby. The
 * agent's model is told CAUGHT_UP and promotes; PostgreSQL's own timeline history records where the target
 * really was, which is what check-history reads.
 */

import type { CatchUpResult } from '../../agent/promotable/catchUp.ts';
import type { PromotableDependencies } from '../../agent/promotable/promotableAgent.ts';
import type { Position } from '../../models/position.ts';

export async function catchUp(_deps: PromotableDependencies, final: Position): Promise<CatchUpResult> {
  return { received: final, caughtUp: true };
}
