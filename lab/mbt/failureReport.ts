/**
 * What a failed path prints: where it failed, the model's path, the real state at the end, the transitions
 * and the agents' decisions as they happened, and the tail of each server log.
 */
import { formatEvent } from '../../src/format/formatEvent.ts';
import type { PathRun } from './pathRun.ts';

export async function failureReport(run: PathRun): Promise<string> {
  const real = run.system;
  if (run.failure === null) return '';
  // The real system did not come up (a port in use, a failed bootstrap): the reason is all there is.
  if (real === null) return `path ${run.path.name} (${run.nodes.length} nodes)\nfailure: ${run.failure}`;
  const state = await Promise.all(
    run.nodes.map(async (node) => {
      const running = await real.isRunning(node);
      const recovery = running ? await real.inRecovery(node) : false;
      return `${node}: ${running ? (recovery ? 'standby' : 'primary') : 'down'}`;
    }),
  );
  const logs = await Promise.all(
    run.nodes.map(async (node) => `--- ${node} server log\n${await real.serverLogTail(node)}`),
  );
  return [
    `path ${run.path.name} (${run.nodes.length} nodes)`,
    `failure: ${run.failure}`,
    'model path:',
    ...run.steps.map((step, index) => `  ${index + 1}. ${formatEvent(step.event)} → ${step.state}`),
    `real state: ${state.join(', ')}; Pacemaker sees promoted: ${(await real.promotedInCib()).join(',') || 'none'}`,
    'what happened (transitions, agent actions and their logs):',
    ...run.transcript,
    ...logs,
  ].join('\n');
}
