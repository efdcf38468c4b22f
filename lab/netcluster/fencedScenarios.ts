/**
 * The scenarios only a fenced cluster has (issue 14), each under the write load through the primary
 * address: an election after the primary's node is fenced while a standby is cut off and the promotion
 * scores still favour it; the same after a failed primary monitor with migration-threshold=1; the source's
 * or the target's node lost between migrate_to and migrate_from; and a restart of the whole cluster with a
 * lagging standby (PAF#225's data-loss case). The checks are underLoad's: no acknowledged write that a
 * survivor had is lost, never two writable nodes.
 */
import { others, primaryOf, type ScenarioResult, underLoad, withRejoin } from './clusterScenarios.ts';
import type { PostgresCluster } from './postgresCluster.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `lagging` cut off from the primary and left behind while the load goes on. */
async function cutOff(cluster: PostgresCluster, primary: string, lagging: string): Promise<void> {
  await cluster.cutReplication(lagging);
  await cluster.waitFor(
    `${lagging} no longer streaming`,
    async () => !(await cluster.streamingFrom(primary)).includes(lagging),
  );
}

/**
 * The scores as the primary's last monitors may leave them (they are hints, up to one monitor interval
 * old): the cut standby first. The primary's monitor rewrites only scores it changes, so they stay.
 */
function staleScores(cluster: PostgresCluster, primary: string, lagging: string, current: string) {
  return cluster.setPromotionScores({ [primary]: 1001, [lagging]: 1000, [current]: 990 });
}

/** The node of a failed primary comes back (it was fenced or killed): booted, rejoined or recloned. */
async function bringBack(cluster: PostgresCluster, node: string, result: ScenarioResult): Promise<ScenarioResult> {
  await cluster.bootNode(node);
  const refused = await cluster.rejoin(node);
  await cluster.cleanup();
  return withRejoin(result, node, refused);
}

/**
 * 7. The primary's node is cut from the others (a partition, its processes running), one standby is cut
 * off and the scores favour it: the majority fences the primary and elects — the current standby, never the
 * cut one, with every acknowledged write it had.
 */
export async function fencedPrimary(cluster: PostgresCluster): Promise<ScenarioResult> {
  const source = await primaryOf(cluster);
  const [lagging, current] = (await others(cluster, source)) as [string, string];
  await cutOff(cluster, source, lagging);
  const result = await underLoad(cluster, 'fenced primary, cut standby favoured by stale scores', async () => {
    await sleep(300); // the cut standby falls behind
    await staleScores(cluster, source, lagging, current);
    const trigger = Date.now();
    await cluster.partition(source);
    const problems: string[] = [];
    let final: string;
    try {
      await cluster.waitFenced(source);
      final = await cluster.waitSettled(`a new primary after ${source} was fenced`, {
        not: [source],
        standbys: 1,
        lagging: [lagging],
        ms: 60_000,
      });
    } finally {
      await cluster.restoreReplication(lagging);
    }
    if (final !== current) problems.push(`the lagging ${final} was promoted instead of ${current}`);
    await cluster.waitSettled(`${lagging} streaming from ${final}`, { primary: final, standbys: 1 });
    return { trigger, final, problems };
  });
  return bringBack(cluster, source, result);
}

/**
 * 8. The same shape without a lost node: migration-threshold=1 and a failed primary monitor (kill -9 of its
 * postgres). Pacemaker demotes and stops the primary and promotes elsewhere: an election, never the cut one.
 */
export async function failedPrimaryThreshold1(cluster: PostgresCluster): Promise<ScenarioResult> {
  const source = await primaryOf(cluster);
  const [lagging, current] = (await others(cluster, source)) as [string, string];
  await cluster.migrationThreshold(1);
  await cutOff(cluster, source, lagging);
  try {
    const result = await underLoad(
      cluster,
      'failed primary monitor, migration-threshold=1, cut standby favoured',
      async () => {
        await sleep(300);
        await staleScores(cluster, source, lagging, current);
        const trigger = Date.now();
        await cluster.killPostgres(source);
        const problems: string[] = [];
        let final: string;
        try {
          // With migration-threshold=1 a refused promote is a failure too: the cut standby may be stopped for
          // it (banned like the failed primary) until the threshold goes. So: any new primary, then who.
          const status = await cluster.waitStatus(
            `a new primary after ${source}'s monitor failed`,
            (each) => each.promoted.length === 1 && each.promoted[0] !== source && each.vip[0] === each.promoted[0],
            60_000,
          );
          final = status.promoted[0] as string;
        } finally {
          // The default threshold lets the banned nodes run the clone again (one failure is far below it).
          await cluster.migrationThreshold(null);
          await cluster.restoreReplication(lagging);
        }
        if (final !== current) problems.push(`the lagging ${final} was promoted instead of ${current}`);
        await cluster.waitFor(
          `${lagging} streaming from ${final}`,
          async () => (await cluster.streamingFrom(final)).includes(lagging),
          60_000,
        );
        return { trigger, final, problems };
      },
    );
    // The cluster recovers the failed primary by itself; a cleanup now would cancel that recovery's start in
    // flight, and a cancelled start counts as a failed one (fail-count INFINITY): clean up once it settled.
    const refused = await cluster.rejoin(source);
    await cluster.cleanup();
    return withRejoin(result, source, refused);
  } finally {
    await cluster.migrationThreshold(null).catch(() => undefined);
  }
}

/**
 * Kills `victim`'s node as soon as the source's demote (migrate_to) has completed — not while it is pending
 * (Pacemaker records pending operations too): killed during migrate_to, the source never reached its
 * shutdown checkpoint, and the model's answer is a failover. Returns whether the target's promote ran first.
 */
async function killAfterMigrateTo(cluster: PostgresCluster, source: string, target: string, victim: string) {
  const before = await cluster.lastOperation(source);
  await cluster.move(target);
  await cluster.waitFor(
    `${source}'s demote completed`,
    async () => {
      const last = await cluster.lastOperation(source);
      return last.operation === 'demote' && last.done && last.transition !== before.transition;
    },
    30_000,
  );
  const promotedFirst = (await cluster.lastOperation(target)).operation === 'promote';
  await cluster.killNode(victim);
  return promotedFirst;
}

/**
 * 9. A move whose source's node dies right after migrate_to: the hand-over record outlives the source's
 * node (copied onto the other nodes' records; attrd forgets the source's own), and the target, which
 * received the shutdown checkpoint, is promoted.
 */
export async function sourceLostAfterMigrateTo(cluster: PostgresCluster): Promise<ScenarioResult> {
  const source = await primaryOf(cluster);
  const [target] = (await others(cluster, source)) as [string, string];
  const result = await underLoad(cluster, "move whose source's node is lost after migrate_to", async () => {
    const trigger = Date.now();
    let promotedFirst = false;
    try {
      promotedFirst = await killAfterMigrateTo(cluster, source, target, source);
    } finally {
      await cluster.clear();
    }
    const problems: string[] = [];
    const final = await cluster.waitSettled(`${target} primary after ${source} died`, {
      not: [source],
      standbys: 1,
      ms: 60_000,
    });
    if (final !== target) problems.push(`${final} was promoted instead of the target ${target}`);
    return {
      trigger,
      final,
      problems,
      ...(promotedFirst ? { notes: [`${target}'s promote ran before the kill`] } : {}),
    };
  });
  return bringBack(cluster, source, result);
}

/**
 * 10. A move whose target's node dies right after migrate_to: the switchover is aborted and only the source
 * (or a node holding its final position) may be promoted — never a node behind it.
 */
export async function targetLostAfterMigrateTo(cluster: PostgresCluster): Promise<ScenarioResult> {
  const source = await primaryOf(cluster);
  const [target] = (await others(cluster, source)) as [string, string];
  let promotedFirst = false;
  const result = await underLoad(cluster, "move whose target's node is lost after migrate_to", async () => {
    const trigger = Date.now();
    try {
      promotedFirst = await killAfterMigrateTo(cluster, source, target, target);
    } finally {
      await cluster.clear();
    }
    const problems: string[] = [];
    const final = await cluster.waitSettled(`a primary after ${target} died`, {
      not: [target],
      standbys: 1,
      ms: 60_000,
    });
    if (!promotedFirst && final !== source) problems.push(`${final} was promoted instead of the source ${source}`);
    return { trigger, final, problems };
  });
  const noted = promotedFirst
    ? { ...result, notes: [...(result.notes ?? []), `${target}'s promote ran before the kill`] }
    : result;
  return bringBack(cluster, target, noted);
}

/**
 * 11. The whole cluster restarted (Pacemaker stopped and started on every node, no reboot: /run stays) with
 * one standby cut off and behind: the new cluster elects a node that has every acknowledged write, never
 * the lagging one (PAF#225), and elects one at all (no score cache that outlived the scores).
 */
export async function fullRestart(cluster: PostgresCluster): Promise<ScenarioResult> {
  const source = await primaryOf(cluster);
  const [lagging] = (await others(cluster, source)) as [string, string];
  await cutOff(cluster, source, lagging);
  return underLoad(cluster, 'full cluster restart with a lagging standby', async () => {
    await sleep(300);
    const trigger = Date.now();
    const problems: string[] = [];
    let final: string;
    try {
      await cluster.restartAll();
      final = await cluster.waitSettled('a primary after the restart', { lagging: [lagging], ms: 90_000 });
    } finally {
      await cluster.restoreReplication(lagging).catch(() => undefined);
    }
    if (final === lagging) problems.push(`the lagging ${lagging} was promoted`);
    await cluster.waitSettled(`${lagging} streaming from ${final}`, { primary: final });
    return { trigger, final, problems };
  });
}
