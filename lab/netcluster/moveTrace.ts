/**
 * Where a move's time goes (pure): the controller's own log lines (every node's pacemaker.log: the DC's
 * `Initiating <op> operation <key> on <node>` and each node's `Result of <op> operation for <rsc> on <node>`,
 * stamped to the millisecond on this one machine's clock) and the write load's samples, as milestones
 * from the trigger (the `crm_resource` call): the transition's first action, the demote, the notify rounds,
 * the promote, the primary address up, the first standby streaming from the new primary, the old primary
 * streaming from it, the first write through the address.
 */

import { largestGap } from './loadMeasures.ts';
import type { LoadReport } from './loadRun.ts';

export interface ControllerEvent {
  readonly at: number;
  readonly kind: 'initiating' | 'result';
  /** The operation (demote, promote, notify, start…) and its key (`pgsql_pre_notify_promote_0`). */
  readonly operation: string;
  readonly key: string;
  readonly resource: string;
  readonly node: string;
  /** Results only: ok, error… */
  readonly result?: string;
}

const initiating = /^(\w{3} \d{2} \d{2}:\d{2}:\d{2}\.\d+) .*Initiating (\S+) operation (\S+) (?:locally )?on (\S+)/;
const result =
  /^(\w{3} \d{2} \d{2}:\d{2}:\d{2}\.\d+) .*Result of (\S+) operation for (\S+) on (\S+): ([^|]+?) \|.*key=(\S+)/;

/** A pacemaker.log stamp (`Dec 03 17:13:53.533`) in ms since the epoch; the nodes log in UTC. */
export function logStamp(stamp: string, year: number): number {
  return Date.parse(`${stamp} ${year} UTC`);
}

/** The resource of an operation key: `pgsql-vip_start_0` → pgsql-vip, `pgsql_pre_notify_promote_0` → pgsql. */
function keyResource(key: string, operation: string): string {
  const marker = operation === 'notify' ? key.search(/_(pre|post)_notify_/) : key.lastIndexOf(`_${operation}_`);
  return marker > 0 ? key.slice(0, marker) : key;
}

export function parseControllerLog(text: string, year: number): ControllerEvent[] {
  const events: ControllerEvent[] = [];
  for (const line of text.split('\n')) {
    const started = initiating.exec(line);
    if (started !== null) {
      const [, stamp, operation, key, node] = started as unknown as [string, string, string, string, string];
      events.push({
        at: logStamp(stamp, year),
        kind: 'initiating',
        operation,
        key,
        resource: keyResource(key, operation),
        node,
      });
      continue;
    }
    const done = result.exec(line);
    if (done !== null) {
      const [, stamp, operation, resource, node, outcome, key] = done as unknown as string[];
      events.push({
        at: logStamp(stamp as string, year),
        kind: 'result',
        operation: operation as string,
        key: key as string,
        resource: resource as string,
        node: node as string,
        result: (outcome as string).trim(),
      });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/** Milestones of one move, in ms from the trigger; null where it was not seen. */
export interface MoveSteps {
  readonly transitionStarted: number | null;
  readonly demoteStarted: number | null;
  readonly demoted: number | null;
  readonly prePromoteNotifyStarted: number | null;
  readonly promoteStarted: number | null;
  readonly promoted: number | null;
  readonly addressStarted: number | null;
  readonly addressUp: number | null;
  readonly firstStandbyStreaming: number | null;
  readonly oldPrimaryStreaming: number | null;
  readonly writesBack: number | null;
}

export const stepNames: Readonly<Record<keyof MoveSteps, string>> = {
  transitionStarted: 'transition’s first action (pre-demote notify)',
  demoteStarted: 'demote started',
  demoted: 'demote done',
  prePromoteNotifyStarted: 'pre-promote notify started',
  promoteStarted: 'promote started',
  promoted: 'promote done',
  addressStarted: 'address start begun',
  addressUp: 'address up',
  firstStandbyStreaming: 'first standby streaming from the new primary',
  oldPrimaryStreaming: 'old primary streaming from the new primary',
  writesBack: 'first write through the address',
};

interface MoveFacts {
  readonly trigger: number;
  readonly source: string;
  readonly target: string;
  /** The clone's primitive and the address's resource ids. */
  readonly resource: string;
  readonly address: string;
}

/** The source's half of a move: the emulation's demote, or the native interface's migrate_to. */
export const sourceHalf = (operation: string): boolean => operation === 'demote' || operation === 'migrate_to';
/** The target's half: the emulation's promote, or the native interface's migrate_from. */
export const targetHalf = (operation: string): boolean => operation === 'promote' || operation === 'migrate_from';

export function moveSteps(events: readonly ControllerEvent[], load: LoadReport, move: MoveFacts): MoveSteps {
  const after = events.filter((event) => event.at >= move.trigger);
  const from = (at: number | undefined) => (at === undefined ? null : at - move.trigger);
  const find = (match: (event: ControllerEvent) => boolean) => after.find(match)?.at;
  const ours = (event: ControllerEvent) => event.resource === move.resource;
  const promoted = find((e) => ours(e) && e.kind === 'result' && targetHalf(e.operation) && e.node === move.target);
  const streaming = (standby: (node: string) => boolean) =>
    load.samples.find(
      (sample) => sample.at >= move.trigger && (sample.streaming[move.target] ?? []).some((node) => standby(node)),
    )?.at;
  const gap = largestGap(load, move.trigger);
  return {
    transitionStarted: from(find((e) => e.kind === 'initiating' && ours(e))),
    demoteStarted: from(find((e) => ours(e) && e.kind === 'initiating' && sourceHalf(e.operation))),
    demoted: from(find((e) => ours(e) && e.kind === 'result' && sourceHalf(e.operation) && e.node === move.source)),
    prePromoteNotifyStarted: from(
      find((e) => ours(e) && e.kind === 'initiating' && /_pre_notify_promote_/.test(e.key)),
    ),
    promoteStarted: from(find((e) => ours(e) && e.kind === 'initiating' && targetHalf(e.operation))),
    promoted: from(promoted),
    addressStarted: from(
      find((e) => e.resource === move.address && e.kind === 'initiating' && e.operation === 'start'),
    ),
    addressUp: from(
      find(
        (e) => e.resource === move.address && e.kind === 'result' && e.operation === 'start' && e.node === move.target,
      ),
    ),
    firstStandbyStreaming: from(streaming(() => true)),
    oldPrimaryStreaming: from(streaming((node) => node === move.source)),
    writesBack: gap === null ? null : gap.to - move.trigger,
  };
}
