/**
 * A standby pointed at the node it must stream from (when the database's agent manages that, as the pgsql
 * agent's primary_conninfo template does); never at itself. Shared by migrate_to, start and the pre-promote
 * notify, which differ only in how they know the node.
 */
import type { NodeName } from '../../models/types.ts';
import type { ActionContext } from '../ocf/runAgent.ts';
import type { PromotableDependencies } from './promotableAgent.ts';

export async function followPrimary(
  deps: PromotableDependencies,
  context: ActionContext,
  primary: NodeName | null,
): Promise<void> {
  if (primary !== null && primary !== deps.node && (await deps.database.follow(primary))) {
    context.log(`following ${primary}`);
  }
}
