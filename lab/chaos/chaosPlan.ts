/**
 * The campaign's plan (pure): which events, in which order, with which replication mode, where each fault
 * falls. Faults come in two timings: `random` — at a random moment (while a controlled switchover runs, or
 * not) — and `states` — at each state of the statechart a switchover passes through, as the agents'
 * actions show it on the real cluster (the source's demote running: switchover.demotingSource; between the
 * two halves: switchover.handedOver; the target's promote running: switchover.catchingUp; the target
 * promoted, the source not yet streaming from it: switchover.rejoining; settled: promoted).
 */
import type { ReplicationMode } from '../netcluster/nodePostgres.ts';
import type { SeededRandom } from './seededRandom.ts';

export const faultKinds = [
  'agent-killed-in-demote',
  'agent-killed-in-promote',
  'agent-killed-in-start',
  'postgres-killed-primary',
  'postgres-killed-target',
  'postgres-killed-standby',
  'partition-primary',
  'partition-target',
  'partition-standby',
  'replication-delay',
  'packet-loss',
  'attrd-restart',
  'pacemaker-restart',
  'cluster-tools-failing',
] as const;
export type FaultKind = (typeof faultKinds)[number];

/** Faults that are about a switchover: a switchover always runs with them. */
export const needsSwitchover: ReadonlySet<FaultKind> = new Set([
  'agent-killed-in-demote',
  'agent-killed-in-promote',
  'postgres-killed-target',
  'partition-target',
]);

/** The statechart states a switchover passes through, as the real cluster shows them (see above). */
export const switchoverStates = [
  'switchover.demotingSource',
  'switchover.handedOver',
  'switchover.catchingUp',
  'switchover.rejoining',
  'promoted',
] as const;
export type SwitchoverState = (typeof switchoverStates)[number];

export type SwitchoverCommand = 'crm_resource' | 'promigrate';
/** `mixed`: every other fault at a random moment, the others at the states of a switchover. */
export type FaultTiming = 'random' | 'states' | 'mixed';

export interface PlannedSwitchover {
  readonly type: 'switchover';
  readonly mode: ReplicationMode;
  readonly command: SwitchoverCommand;
}

export interface PlannedFault {
  readonly type: 'fault';
  readonly mode: ReplicationMode;
  readonly kind: FaultKind;
  /** A controlled switchover started just before the fault, and by which command; null: none in flight. */
  readonly switchover: SwitchoverCommand | null;
  /** Where the fault falls: a state of the switchover in flight, or a delay after it started (ms). */
  readonly at: { readonly state: SwitchoverState } | { readonly afterMs: number };
  /** How long a fault that can be healed lasts (a partition, a slow or lossy link, failing tools). */
  readonly holdMs: number;
}

export type PlannedEvent = PlannedSwitchover | PlannedFault;

export interface PlanSpec {
  readonly switchovers: number;
  readonly faults: number;
  readonly modes: readonly ReplicationMode[];
  readonly timing: FaultTiming;
}

/** Kinds whose fault is made at a moment chosen by the plan (the agent kills wait for their action). */
const timedByAction: ReadonlySet<FaultKind> = new Set([
  'agent-killed-in-demote',
  'agent-killed-in-promote',
  'agent-killed-in-start',
]);

/**
 * Every kind equally often (round robin over a shuffled order), switchovers spread between them, the modes
 * in equal halves one after the other (one mode change per run: changing it restarts no node).
 */
export function planCampaign(spec: PlanSpec, random: SeededRandom): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  const perMode = (total: number, index: number) =>
    Math.floor(total / spec.modes.length) + (index < total % spec.modes.length ? 1 : 0);
  let stateIndex = 0;
  spec.modes.forEach((mode, modeIndex) => {
    const kinds: FaultKind[] = [];
    const faultCount = perMode(spec.faults, modeIndex);
    while (kinds.length < faultCount) kinds.push(...random.shuffle(faultKinds));
    const faults: PlannedEvent[] = kinds.slice(0, faultCount).map((kind, index) => {
      const timing = spec.timing === 'mixed' ? (index % 2 === 0 ? 'random' : 'states') : spec.timing;
      const inFlight = needsSwitchover.has(kind) || timing === 'states' || random.chance(0.4);
      const command: SwitchoverCommand | null = inFlight ? random.pick(['crm_resource', 'promigrate'] as const) : null;
      const at =
        timing === 'states' && command !== null && !timedByAction.has(kind)
          ? { state: switchoverStates[stateIndex++ % switchoverStates.length] as SwitchoverState }
          : { afterMs: command === null ? 0 : random.between(0, 600) };
      // A partition shorter than corosync's token + consensus (about 6.6 s here) is healed before anyone
      // notices; a longer one has the node fenced. Both happen.
      const holdMs = kind.startsWith('partition-') ? random.between(500, 12_000) : random.between(500, 6000);
      return { type: 'fault', mode, kind, switchover: command, at, holdMs };
    });
    const switchovers: PlannedEvent[] = Array.from({ length: perMode(spec.switchovers, modeIndex) }, () => ({
      type: 'switchover',
      mode,
      command: random.pick(['crm_resource', 'promigrate'] as const),
    }));
    events.push(...random.shuffle([...faults, ...switchovers]));
  });
  return events;
}
