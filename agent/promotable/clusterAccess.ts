/**
 * What the agent reads from and writes to the cluster: the published node records and election positions
 * (private attributes, no cluster reaction) and promotion scores (crm_attribute --promotion, which the
 * scheduler reads). Scores are written only when they change: a write aborts the running transition, and
 * a monitor that rewrote them every time would cost a process per standby.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { intentAttribute, intentProperty } from '../../src/policy/intent.ts';
import type { ClusterToolsOptions } from '../cluster/clusterTool.ts';
import { runClusterTool, toolFailure } from '../cluster/clusterTool.ts';
import { privateAttributes } from '../cluster/privateAttributes.ts';
import { promotionScores } from '../cluster/promotionScores.ts';

/** crm_attribute's exit status when the attribute does not exist (ENXIO). */
const noSuchAttribute = 105;

export interface ClusterAccess {
  /** Every node's published record (`promigrate-<resource>`). */
  readRecords(): Promise<Map<string, string>>;
  /** Every node's election position (`promigrate-position-<resource>`). */
  readPositions(): Promise<Map<string, string>>;
  writeRecord(node: string, text: string): Promise<void>;
  writePosition(text: string): Promise<void>;
  /** Sets promotion scores, skipping those already set to the same value by this node. */
  setScores(scores: Readonly<Record<string, number>>): Promise<string[]>;
  /**
   * Sets this node's score to `score` when it has none at all; true when it did. The cluster is asked at
   * most once a minute: what this node last saw or set is remembered like the scores it set.
   */
  ensureOwnScore(score: number): Promise<boolean>;
  /** The promotion scores of `nodes` as the CIB has them (null: none). */
  readScores(nodes: readonly string[]): Promise<Map<string, number | null>>;
  /** The operator's intent property of this resource (see src/policy/intent.ts), null when there is none. */
  readIntent(): Promise<string | null>;
  /**
   * Forgets which scores this node last set, so that the next setScores writes them all: other nodes'
   * refusals set scores this node's cache does not know of (a refused third node's -INFINITY would
   * otherwise outlive the switchover that refused it by up to a minute, and block the next election).
   */
  forgetScores(): Promise<void>;
}

interface CachedScore {
  readonly score: number;
  readonly at: number;
}

/**
 * The cache belongs to one run of Pacemaker on this node. Pacemaker erases a node's transient attributes
 * (its promotion scores) when the node leaves the cluster, but a restart of Pacemaker without a reboot
 * leaves the state directory (/run) in place: a cache that outlived the scores made the agent believe its
 * score was set, and a restarted cluster elected nobody for up to a minute. The owner is the agent's
 * parent, pacemaker-execd (the shell entry point execs the bundle), by PID and start time.
 */
interface ScoreCacheFile {
  readonly owner: string;
  readonly scores: Record<string, CachedScore>;
}

async function cacheOwner(): Promise<string> {
  const stat = await readFile(`/proc/${process.ppid}/stat`, 'utf8').catch(() => '');
  // Field 22 (start time) comes after the parenthesised command name, which may hold spaces.
  const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  return `${process.ppid}@${startTime}`;
}

/** Other nodes may have set a score since (a refused promotion does): rewrite unchanged scores now and then. */
const scoreRefreshMs = 60_000;

export function recordAttribute(resource: string): string {
  return `promigrate-${resource}`;
}

export function positionAttribute(resource: string): string {
  return `promigrate-position-${resource}`;
}

export function clusterAccess(options: ClusterToolsOptions & { readonly stateDir: string }): ClusterAccess {
  const attributes = privateAttributes(options);
  const forNode = (node: string) => privateAttributes({ ...options, node });
  const cacheFile = join(options.stateDir, `${options.resource}@${options.node}.scores.json`);
  const readCache = async (): Promise<Record<string, CachedScore>> => {
    const [text, owner] = await Promise.all([readFile(cacheFile, 'utf8').catch(() => '{}'), cacheOwner()]);
    try {
      const file = JSON.parse(text) as Partial<ScoreCacheFile>;
      return file.owner === owner && typeof file.scores === 'object' && file.scores !== null ? file.scores : {};
    } catch {
      return {};
    }
  };
  const writeCache = async (cached: Record<string, CachedScore>) => {
    await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
    const temporary = `${cacheFile}.${process.pid}`;
    const file: ScoreCacheFile = { owner: await cacheOwner(), scores: cached };
    await writeFile(temporary, JSON.stringify(file));
    await rename(temporary, cacheFile);
  };
  return {
    readRecords: () => attributes.queryAll(recordAttribute(options.resource)),
    readPositions: () => attributes.queryAll(positionAttribute(options.resource)),
    writeRecord: (node, text) => forNode(node).set(recordAttribute(options.resource), text),
    writePosition: (text) => attributes.set(positionAttribute(options.resource), text),
    async setScores(scores) {
      const cached = await readCache();
      const now = Date.now();
      const changed = Object.entries(scores).filter(([node, score]) => {
        const entry = cached[node];
        return entry === undefined || entry.score !== score || now - entry.at > scoreRefreshMs;
      });
      if (changed.length === 0) return [];
      // One after the other: offline (CIB_file) the tool rewrites the whole file, and concurrent writers clash.
      for (const [node, score] of changed) await promotionScores({ ...options, node }).set(score);
      for (const [node, score] of changed) cached[node] = { score, at: now };
      await writeCache(cached);
      return changed.map(([node, score]) => `${node}=${score}`);
    },
    async ensureOwnScore(score) {
      const cached = await readCache();
      const now = Date.now();
      const own = cached[options.node];
      if (own !== undefined && now - own.at <= scoreRefreshMs) return false;
      const scores = promotionScores(options);
      const current = await scores.get();
      if (current === null) await scores.set(score);
      cached[options.node] = { score: current ?? score, at: now };
      await writeCache(cached);
      return current === null;
    },
    async readScores(nodes) {
      // Reads may run side by side (only writers clash on a CIB file).
      const values = await Promise.all(nodes.map((node) => promotionScores({ ...options, node }).get()));
      return new Map(nodes.map((node, index) => [node, values[index] ?? null]));
    },
    async forgetScores() {
      await rm(cacheFile, { force: true });
    },
    async readIntent() {
      const name = intentProperty(options.resource);
      const result = await runClusterTool(options, 'crm_attribute', [
        ...intentAttribute(options.resource),
        '--query',
        '--quiet',
      ]);
      if (result.exitCode === noSuchAttribute) return null;
      if (result.failed) throw toolFailure(`reading the operator's intent ${name}`, result);
      return String(result.stdout).trim();
    },
  };
}
