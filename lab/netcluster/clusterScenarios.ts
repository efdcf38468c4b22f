/**
 * The end-to-end scenarios on a real cluster, each under the write load through the primary address; after
 * each, every acknowledged write must be on the final primary and no sampling round may have seen two
 * writable nodes. Shared by the cluster tests (promigrate's agent) and the benchmark (both agents).
 */

import { primitiveId, vipId } from './clusterResources.ts';
import { maxWritable, streamingAgainMs, writeGapMs, writesBackMs } from './loadMeasures.ts';
import type { LoadRun } from './loadRun.ts';
import { type MoveSteps, moveSteps, targetHalf } from './moveTrace.ts';
import type { ReplicationMode } from './nodePostgres.ts';
import { clusterNodes, type PostgresCluster } from './postgresCluster.ts';

export interface ScenarioResult {
  readonly name: string;
  /** The replication the scenario ran with: asynchronous or synchronous. */
  readonly replication: ReplicationMode;
  readonly passed: boolean;
  /** The node that was primary at the end (promoted by the scenario, or kept). */
  readonly promoted: string | null;
  /**
   * Acknowledged writes missing on the final primary that a surviving node had: avoidable, must be 0.
   */
  readonly lostWrites: number;
  /**
   * Acknowledged writes missing on the final primary that no surviving node had: with asynchronous
   * replication a primary lost with WAL it had not sent takes them along, and no agent can prevent it.
   */
  readonly inevitableLosses: number;
  /** Successful fencing actions during the scenario. */
  readonly fenceEvents: number;
  readonly maxWritablePrimaries: number;
  /** From the trigger (command or fault) to the write that closed the largest gap: writes are back. */
  readonly switchoverMs: number | null;
  readonly writeGapMs: number;
  /** From the trigger to the old primary streaming from the new one (moves only). */
  readonly oldPrimaryStreamingMs?: number | null;
  /** Where a move's time went: milestones from the trigger (moves only; moveTrace.ts). */
  readonly steps?: MoveSteps;
  readonly acknowledged: number;
  readonly problems: readonly string[];
  /** What happened beside the figures, such as a rejoin refused (and the node recloned by the harness). */
  readonly notes?: readonly string[];
}

interface Outcome {
  readonly trigger: number;
  readonly final: string;
  readonly oldPrimary?: string;
  readonly problems?: readonly string[];
  readonly notes?: readonly string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Writes the final primary must acknowledge after the trigger before a scenario ends. */
const writesAfter = 50;

export async function primaryOf(cluster: PostgresCluster): Promise<string> {
  return cluster.waitSettled('a settled cluster before the scenario');
}

export async function others(cluster: PostgresCluster, primary: string): Promise<string[]> {
  const status = await cluster.status();
  return clusterNodes.filter((node) => node !== primary && status.online.includes(node));
}

/** Runs `body` under the write load and measures it; a thrown error is the scenario's failure. */
export async function underLoad(
  cluster: PostgresCluster,
  name: string,
  body: (load: LoadRun) => Promise<Outcome>,
): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const load = cluster.startLoad();
  let outcome: Outcome | null = null;
  const problems: string[] = [];
  try {
    await load.warmUp();
    outcome = await body(load);
    problems.push(...(outcome.problems ?? []));
    // A scenario ends with the final primary taking writes (with synchronous replication: a standby
    // streaming from it), so that "nothing lost" is also about writes made after the trigger.
    if (!(await load.acknowledgedBy(outcome.final, outcome.trigger, writesAfter, 10_000))) {
      problems.push(`${outcome.final} did not acknowledge ${writesAfter} writes within 10 s of the scenario`);
    }
  } catch (error) {
    problems.push((error as Error).message.split('\n')[0] as string);
  }
  const report = await load.stop().catch((error: Error) => {
    problems.push(error.message);
    return { acknowledged: [], samples: [] };
  });
  const acknowledged = report.acknowledged.map((ack) => ack.id);
  let final = outcome?.final;
  if (final === undefined) final = (await cluster.status().catch(() => null))?.promoted[0];
  let missing = acknowledged;
  if (final !== undefined) {
    missing = await cluster.lostWrites(final, acknowledged).catch(() => acknowledged);
  } else problems.push('no primary at the end to check the writes on');
  const held = await cluster.heldBySurvivors(final ?? null, missing);
  const lost = missing.filter((id) => held.has(id)).length;
  const inevitable = missing.length - lost;
  const trigger = outcome?.trigger ?? report.acknowledged[0]?.at ?? 0;
  const writable = maxWritable(report);
  const replication = cluster.replicationMode();
  if (lost > 0) problems.push(`${lost} acknowledged writes missing on ${final} that a surviving node had`);
  if (inevitable > 0 && replication === 'sync') {
    problems.push(`${inevitable} acknowledged writes on no survivor despite synchronous replication`);
  }
  if (writable > 1) problems.push(`${writable} nodes were writable at once`);
  const fenceEvents = await cluster.fenceEventsSince(startedAt).catch((error: Error) => {
    problems.push(error.message);
    return 0;
  });
  return {
    name,
    replication,
    passed: problems.length === 0,
    promoted: final ?? null,
    lostWrites: lost,
    inevitableLosses: inevitable,
    fenceEvents,
    maxWritablePrimaries: writable,
    switchoverMs: writesBackMs(report, trigger),
    writeGapMs: writeGapMs(report, trigger),
    ...(outcome?.oldPrimary === undefined || final === undefined
      ? {}
      : {
          oldPrimaryStreamingMs: streamingAgainMs(report, trigger, final, outcome.oldPrimary),
          steps: moveSteps(await cluster.controllerEvents().catch(() => []), report, {
            trigger,
            source: outcome.oldPrimary,
            target: final,
            resource: primitiveId,
            address: vipId,
          }),
        }),
    acknowledged: acknowledged.length,
    problems,
    ...withNotes([
      ...(outcome?.notes ?? []),
      ...(inevitable > 0 ? [`${inevitable} acknowledged writes were on no survivor (asynchronous replication)`] : []),
    ]),
  };
}

function withNotes(notes: readonly string[]): { notes?: readonly string[] } {
  return notes.length === 0 ? {} : { notes };
}

/** Notes how `node` came back: refused (and recloned by the harness) or streaming at once. */
export function withRejoin(result: ScenarioResult, node: string, refused: string | null): ScenarioResult {
  const note = refused === null ? `${node} rejoined as a standby` : `${node}'s rejoin refused (${refused}); recloned`;
  return { ...result, notes: [...(result.notes ?? []), note] };
}

/** 1. `crm_resource --move --promoted` to `target`, then `--clear`: the old primary streams from the new. */
/** An operator's move as shell command lines run on a cluster node (the guide's pcs or crm lines). */
export interface MoveCommands {
  readonly name: string;
  readonly move: string;
  readonly clear: string;
}

export function moveTo(cluster: PostgresCluster, target: string, commands?: MoveCommands): Promise<ScenarioResult> {
  const how = commands?.name ?? 'crm_resource --move --promoted';
  return underLoad(cluster, `move to ${target} (${how})`, async () => {
    const source = await primaryOf(cluster);
    const trigger = Date.now();
    if (commands === undefined) await cluster.move(target);
    else await cluster.shell(commands.move);
    try {
      await cluster.waitSettled(`${target} promoted and ${source} streaming from it`, { primary: target });
    } finally {
      if (commands === undefined) await cluster.clear();
      else await cluster.shell(commands.clear);
    }
    return { trigger, final: target, oldPrimary: source };
  });
}

/** 2a. `--ban --promoted` of the primary's node: another node takes over; the ban is then cleared. */
export function banPrimary(cluster: PostgresCluster): Promise<ScenarioResult> {
  return underLoad(cluster, 'ban --promoted of the primary', async () => {
    const source = await primaryOf(cluster);
    const trigger = Date.now();
    await cluster.ban(source);
    let final: string;
    try {
      final = await cluster.waitSettled(`a new primary other than ${source}`, { not: [source] });
    } finally {
      await cluster.clear();
    }
    return { trigger, final, oldPrimary: source };
  });
}

/** 2b. Standby mode for the primary's node: another node takes over; the node comes back as a standby. */
export function standbyPrimaryNode(cluster: PostgresCluster): Promise<ScenarioResult> {
  return underLoad(cluster, 'standby of the primary node, then back', async () => {
    const source = await primaryOf(cluster);
    const trigger = Date.now();
    await cluster.standby(source, true);
    let final: string;
    try {
      final = await cluster.waitSettled(`a new primary while ${source} is in standby`, { not: [source], standbys: 1 });
    } finally {
      await cluster.standby(source, false);
    }
    await cluster.waitSettled(`${source} back as a standby of ${final}`, { primary: final });
    return { trigger, final, oldPrimary: source };
  });
}

/**
 * 3. A switchover to a standby whose replication was cut before the move: refused, the source primary
 * again; then the source's node dies and the election must promote the third node, never the lagging one.
 */
export async function cutTarget(cluster: PostgresCluster): Promise<ScenarioResult[]> {
  const source = await primaryOf(cluster);
  const [target, third] = (await others(cluster, source)) as [string, string];
  await cluster.cutReplication(target);
  await cluster.waitFor(
    `${target} no longer streaming`,
    async () => !(await cluster.streamingFrom(source)).includes(target),
  );
  const aborted = await underLoad(cluster, 'switchover to a cut target (aborted)', async () => {
    await sleep(300); // the target falls behind
    const trigger = Date.now();
    await cluster.move(target);
    const problems: string[] = [];
    try {
      // Refused by the target's promote, or the source demoted and promoted again without the target being
      // tried (its score can have dropped meanwhile): either way the switchover was aborted.
      let demoted = false;
      await cluster.waitStatus(`${target}'s refusal`, (status) => {
        demoted ||= !status.promoted.includes(source);
        const refused = status.failures.some((failure) => failure.node === target && targetHalf(failure.task));
        return refused || (demoted && status.promoted.includes(source)) || status.promoted.includes(target);
      });
    } finally {
      await cluster.clear();
    }
    const final = await cluster.waitSettled(`${source} primary again`, { lagging: [target] });
    if (final !== source) problems.push(`${final} was promoted instead of ${source}`);
    return { trigger, final, problems };
  });
  await cluster.cleanup();
  // The refusals pointed the scores away from the target and the third node; the source, primary again,
  // ranks its streaming standbys afresh at its first monitor. Only then is there something to elect.
  await cluster.waitFor(
    `${third} electable again`,
    async () => ((await cluster.promotionScore(third)) ?? 0) > 0,
    20_000,
  );
  const election = await underLoad(cluster, 'election after the aborted switchover (source node killed)', async () => {
    const trigger = Date.now();
    await cluster.killNode(source);
    const problems: string[] = [];
    let final: string;
    try {
      final = await cluster.waitSettled(`a new primary after ${source} died`, {
        not: [source],
        standbys: 1,
        lagging: [target],
        ms: 60_000,
      });
    } finally {
      // Once the election is over, whatever its outcome, so that no later scenario starts with a cut node.
      await cluster.restoreReplication(target);
    }
    if (final !== third) problems.push(`the lagging ${final} was promoted instead of ${third}`);
    // Commits wait for one standby (synchronous replication): the new primary takes writes again once the
    // lagging node, its only standby left, follows it.
    await cluster.waitSettled(`${target} streaming from ${final}`, { primary: final, standbys: 1 });
    return { trigger, final, problems };
  });
  await cluster.bootNode(source);
  const refused = await cluster.rejoin(source);
  await cluster.cleanup();
  return [aborted, withRejoin(election, source, refused)];
}

/**
 * 4. kill -9 of the primary's postgres, then of the primary's whole node: failover to the most advanced
 * standby; the node comes back and rejoins (or is refused cleanly when it diverged).
 */
export async function kills(cluster: PostgresCluster): Promise<ScenarioResult[]> {
  const killPostgres = await underLoad(cluster, 'kill -9 of the primary postgres', async () => {
    const source = await primaryOf(cluster);
    const trigger = Date.now();
    await cluster.killPostgres(source);
    await cluster.waitStatus(
      'the failure noticed',
      (status) => !status.promoted.includes(source) || status.failures.length > 0,
    );
    const final = await cluster.waitSettled('a primary again after the kill', { ms: 60_000 });
    return { trigger, final };
  });
  await cluster.cleanup();
  let killed = '';
  const killNode = await underLoad(cluster, 'kill -9 of the primary node', async () => {
    const source = await primaryOf(cluster);
    killed = source;
    const trigger = Date.now();
    await cluster.killNode(source);
    const final = await cluster.waitSettled(`a new primary after ${source} died`, {
      not: [source],
      standbys: 1,
      ms: 60_000,
    });
    return { trigger, final };
  });
  await cluster.bootNode(killed);
  // Rejoined as a standby, or refused cleanly (it had written what nobody received: diverged) and then
  // recloned by the harness, so that the next scenario starts from three streaming nodes again.
  const refused = await cluster.rejoin(killed);
  await cluster.cleanup();
  return [killPostgres, withRejoin(killNode, killed, refused)];
}

/** 5. The move split over two transitions: a promotion score changes while the source is demoting. */
export function splitMove(cluster: PostgresCluster, target: string): Promise<ScenarioResult> {
  return underLoad(cluster, `move to ${target} split over two transitions`, async (load) => {
    const source = await primaryOf(cluster);
    const [third] = (await others(cluster, source)).filter((node) => node !== target) as [string];
    const acknowledgedBefore = load.soFar.length;
    const trigger = Date.now();
    await cluster.move(target);
    const problems: string[] = [];
    try {
      // The source's writes stop when its demote (the clean shutdown) begins: the score changes then.
      await cluster.waitFor(
        'the source to stop taking writes',
        async () => {
          const acks = load.soFar;
          return acks.length > acknowledgedBefore && Date.now() - (acks.at(-1)?.at ?? 0) > 30;
        },
        10_000,
      );
      await cluster.changePromotionScore(third);
      await cluster.waitSettled(`${target} promoted`, { primary: target });
    } finally {
      await cluster.clear();
    }
    const demote = await cluster.lastOperation(source);
    const promote = await cluster.lastOperation(target);
    if (!(demote.operation === 'demote' && promote.operation === 'promote' && promote.transition > demote.transition)) {
      problems.push(
        `not split: ${source}'s ${demote.operation} in transition ${demote.transition}, ${target}'s ${promote.operation} in ${promote.transition}`,
      );
    }
    return { trigger, final: target, oldPrimary: source, problems };
  });
}

/**
 * 6. The operator's command: `promigrate switchover` to a healthy standby (exit 0, JSON result), then to a
 * standby whose replication is cut (exit 1 with the reason); never a constraint or intent left behind.
 */
interface StatusJson {
  primary: string | null;
  nodes: { node: string; role: string; lagBytes: number | null; promotionScore: number | null }[];
  unknown: string[];
}

interface DryRunJson {
  blockers: string[];
  schedulerPromotesTarget: boolean;
  caughtUp: boolean | null;
  actions: { promote: string[]; demote: string[] } | null;
  migrations: { kind: string; from: string | null; to: string | null; cause: string }[];
}

function parsedJson<T>(output: { stdout: string; stderr: string }, problems: string[], what: string): T | null {
  try {
    return JSON.parse(output.stdout) as T;
  } catch {
    problems.push(`${what}: no JSON (${output.stdout.trim()} ${output.stderr.trim()})`);
    return null;
  }
}

/**
 * `promigrate status` on the primary's node and on a standby's, and `switchover --dry-run` to a standby and
 * (with `cut` cut off) to the cut one, under the write load: each says what the cluster is, and none of them
 * changes it (the CIB's epoch is the same before and after, the primary stays).
 */
export async function statusAndDryRun(cluster: PostgresCluster, cli: string): Promise<ScenarioResult> {
  const primary = await primaryOf(cluster);
  const [target, cut] = (await others(cluster, primary)) as [string, string];
  return underLoad(cluster, 'promigrate status and switchover --dry-run change nothing', async () => {
    const trigger = Date.now();
    const problems: string[] = [];
    const epoch = await cluster.cibEpoch();
    const roles = await cluster.status();
    const onPrimary = await cluster.promigrate(['status', '--json'], cli, primary);
    const report = parsedJson<StatusJson>(onPrimary, problems, 'status --json');
    if (onPrimary.exitCode !== 0) problems.push(`status exit ${onPrimary.exitCode}: ${onPrimary.stderr.trim()}`);
    if (report !== null) {
      if (report.primary !== primary) problems.push(`status names ${report.primary} primary, not ${primary}`);
      for (const node of roles.unpromoted) {
        const shown = report.nodes.find((each) => each.node === node);
        if (shown?.role !== 'unpromoted') problems.push(`status shows ${node} as ${shown?.role}`);
        if (typeof shown?.lagBytes !== 'number') problems.push(`status on the primary has no live lag for ${node}`);
        const primaryScore = report.nodes.find((each) => each.node === primary)?.promotionScore ?? null;
        if (
          primaryScore === null ||
          (shown?.promotionScore ?? null) === null ||
          primaryScore <= (shown?.promotionScore ?? 0)
        )
          problems.push(
            `status: ${primary}'s promotion score ${primaryScore} does not outrank ${node}'s ${shown?.promotionScore}`,
          );
      }
      if (report.unknown.length > 0) problems.push(`status left unknown: ${report.unknown.join('; ')}`);
    }
    const onStandby = await cluster.promigrate(['status', 'pgsql-ha'], cli, target);
    if (onStandby.exitCode !== 0 || !onStandby.stdout.includes(`promoted on ${primary}`))
      problems.push(
        `status on ${target}: exit ${onStandby.exitCode}, ${onStandby.stdout.trim()} ${onStandby.stderr.trim()}`,
      );
    const dry = await cluster.promigrate(
      ['switchover', 'pgsql-ha', '--to', target, '--dry-run', '--json'],
      cli,
      primary,
    );
    const verdict = parsedJson<DryRunJson>(dry, problems, 'switchover --dry-run --json');
    if (dry.exitCode !== 0)
      problems.push(`dry run to ${target}: exit ${dry.exitCode} ${dry.stdout.trim()} ${dry.stderr.trim()}`);
    if (verdict !== null) {
      if (verdict.blockers.length > 0) problems.push(`dry run to ${target} blocked: ${verdict.blockers.join('; ')}`);
      if (!verdict.actions?.promote.includes(target) || !verdict.actions?.demote.includes(primary))
        problems.push(
          `dry run: Pacemaker's transition is not demote ${primary}, promote ${target}: ${JSON.stringify(verdict.actions)}`,
        );
      const move = verdict.migrations.find((each) => each.kind === 'switchover' && each.cause === 'move');
      if (move?.from !== primary || move?.to !== target)
        problems.push(`dry run: no switchover by move: ${JSON.stringify(verdict.migrations)}`);
      if (verdict.caughtUp === null)
        problems.push('dry run on the primary could not tell whether the target caught up');
    }
    await cluster.cutReplication(cut);
    await cluster.waitFor(
      `${cut} no longer streaming`,
      async () => !(await cluster.streamingFrom(primary)).includes(cut),
    );
    const toCut = await cluster.promigrate(['switchover', 'pgsql-ha', '--to', cut, '--dry-run'], cli, primary);
    if (toCut.exitCode !== 1 || !/blocked: .*not streaming from/.test(toCut.stdout))
      problems.push(`dry run to the cut ${cut}: exit ${toCut.exitCode}, ${toCut.stdout.trim()}`);
    await cluster.restoreReplication(cut);
    if ((await cluster.cibEpoch()) !== epoch)
      problems.push(`the CIB changed: epoch ${epoch} → ${await cluster.cibEpoch()}`);
    problems.push(...(await cluster.leftovers()).map((left) => `left behind: ${left}`));
    const final = await cluster.waitSettled(`${cut} streaming again`);
    if (final !== primary) problems.push(`${final} is the primary after the dry runs, not ${primary}`);
    return { trigger, final, problems };
  });
}

export async function operatorCommand(cluster: PostgresCluster, cli: string): Promise<ScenarioResult[]> {
  const run = async (target: string, expectSwitched: boolean) => {
    const trigger = Date.now();
    const result = await cluster.promigrate(['switchover', 'pgsql-ha', '--to', target, '--json'], cli);
    const problems: string[] = [];
    let parsed: { outcome?: string; reason?: string | null; primary?: string | null; phases?: { phase: string }[] } =
      {};
    try {
      parsed = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '');
    } catch {
      problems.push(`no JSON result: ${result.stdout.trim()} ${result.stderr.trim()}`);
    }
    if (expectSwitched) {
      if (result.exitCode !== 0 || parsed.outcome !== 'switched')
        problems.push(`exit ${result.exitCode}, outcome ${parsed.outcome}: ${result.stderr.trim()}`);
      const phases = (parsed.phases ?? []).map((phase) => phase.phase).join(',');
      if (phases !== 'hand-over,catch-up,promote,rejoin') problems.push(`phases ${phases}`);
    } else {
      if (result.exitCode !== 1 || parsed.outcome !== 'refused' || !parsed.reason)
        problems.push(`expected a refusal with a reason, got exit ${result.exitCode}, ${result.stdout.trim()}`);
      if (result.stderr.trim().split('\n').length !== 1) problems.push(`stderr is not one line: ${result.stderr}`);
    }
    problems.push(...(await cluster.leftovers()).map((left) => `left behind: ${left}`));
    return { trigger, problems, primary: parsed.primary ?? null };
  };
  const source = await primaryOf(cluster);
  const [target, cut] = (await others(cluster, source)) as [string, string];
  const switched = await underLoad(cluster, `promigrate switchover --to ${target}`, async () => {
    const { trigger, problems } = await run(target, true);
    await cluster.waitSettled(`${source} streaming from ${target}`, { primary: target });
    return { trigger, final: target, oldPrimary: source, problems };
  });
  await cluster.cutReplication(cut);
  await cluster.waitFor(`${cut} no longer streaming`, async () => !(await cluster.streamingFrom(target)).includes(cut));
  const refused = await underLoad(cluster, `promigrate switchover --to ${cut} (cut: refused)`, async () => {
    await sleep(300);
    const { trigger, problems } = await run(cut, false);
    const final = await cluster.waitSettled(`${target} primary again`, { lagging: [cut] });
    if (final !== target) problems.push(`${final} is the primary, not ${target}`);
    return { trigger, final, problems };
  });
  await cluster.restoreReplication(cut);
  await cluster.cleanup();
  await cluster.waitSettled(`${cut} streaming again`);
  return [switched, refused];
}
