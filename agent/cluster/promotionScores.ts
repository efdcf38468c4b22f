/**
 * The promotion score of this node's instance, through Pacemaker's own `crm_attribute --promotion`
 * (`master-<resource>`, lifetime reboot). The scheduler promotes the instance with the highest score;
 * Pacemaker treats any value above 1,000,000 as INFINITY, so scores are kept within ±1,000,000.
 */
import { ClusterToolError, type ClusterToolsOptions, runClusterTool, toolFailure } from './clusterTool.ts';

export interface PromotionScores {
  set(score: number): Promise<void>;
  /** Null when no score is set. */
  get(): Promise<number | null>;
  remove(): Promise<void>;
}

/** No such attribute: crm_attribute's exit status for ENXIO. */
const noSuchAttribute = 105;
const infinity = 1_000_000;

/** `crm_attribute --promotion --query --quiet`'s answer: an integer, or ±INFINITY as ±1,000,000. */
export function parsePromotionScore(output: string): number {
  const text = output.trim();
  if (/^[+-]?INFINITY$/i.test(text)) return text.startsWith('-') ? -infinity : infinity;
  const score = Number(text);
  if (!Number.isInteger(score)) throw new ClusterToolError(`unreadable promotion score ${JSON.stringify(text)}`);
  return score;
}

export function promotionScores(options: ClusterToolsOptions): PromotionScores {
  const run = (args: string[]) => runClusterTool(options, 'crm_attribute', ['--promotion', ...args]);
  return {
    async set(score) {
      if (!Number.isInteger(score)) throw new ClusterToolError(`promotion score must be an integer, got ${score}`);
      const bounded = Math.max(-infinity, Math.min(infinity, score));
      const result = await run(['--update', String(bounded)]);
      if (result.failed) throw toolFailure(`setting the promotion score of ${options.node}`, result);
    },
    async get() {
      const result = await run(['--query', '--quiet']);
      if (result.exitCode === noSuchAttribute) return null;
      if (result.failed) throw toolFailure(`reading the promotion score of ${options.node}`, result);
      return parsePromotionScore(String(result.stdout));
    },
    async remove() {
      const result = await run(['--delete']);
      if (result.failed && result.exitCode !== noSuchAttribute)
        throw toolFailure(`removing the promotion score of ${options.node}`, result);
    },
  };
}
