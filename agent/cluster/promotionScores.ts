/**
 * The promotion score of this node's instance, through Pacemaker's own `crm_attribute --promotion`
 * (`master-<resource>`, lifetime reboot). The scheduler promotes the instance with the highest score;
 * Pacemaker treats any value above 1,000,000 as INFINITY, so scores are kept within ±1,000,000.
 * Argument arrays only, never a shell; the tool finds the resource and node in the OCF environment.
 */
import { join } from 'node:path';
import { execa } from 'execa';

export interface PromotionScores {
  set(score: number): Promise<void>;
  /** Null when no score is set. */
  get(): Promise<number | null>;
  remove(): Promise<void>;
}

export interface ClusterToolsOptions {
  /** The primitive's id (OCF_RESOURCE_INSTANCE without a clone suffix). */
  readonly resource: string;
  /** This node's name (OCF_RESKEY_CRM_meta_on_node). */
  readonly node: string;
  /** Where Pacemaker's tools live (HA_SBIN_DIR); /usr/sbin by default. */
  readonly sbinDir?: string;
  /** Extra environment, e.g. CIB_file for a CIB held in a file. */
  readonly env?: Readonly<Record<string, string>>;
}

/** No such attribute: crm_attribute's exit status for ENXIO. */
const noSuchAttribute = 105;
const infinity = 1_000_000;

export class ClusterToolError extends Error {}

export function promotionScores(options: ClusterToolsOptions): PromotionScores {
  const tool = join(options.sbinDir ?? '/usr/sbin', 'crm_attribute');
  const run = async (args: string[]) => {
    const result = await execa(tool, ['--promotion', ...args], {
      env: { ...options.env, OCF_RESOURCE_INSTANCE: options.resource, OCF_RESKEY_CRM_meta_on_node: options.node },
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
    });
    return result;
  };
  const fail = (what: string, result: Awaited<ReturnType<typeof run>>) =>
    new ClusterToolError(`${what}: ${result.command}: ${String(result.stderr || result.shortMessage).split('\n')[0]}`);
  return {
    async set(score) {
      if (!Number.isInteger(score)) throw new ClusterToolError(`promotion score must be an integer, got ${score}`);
      const bounded = Math.max(-infinity, Math.min(infinity, score));
      const result = await run(['--update', String(bounded)]);
      if (result.failed) throw fail(`setting the promotion score of ${options.node}`, result);
    },
    async get() {
      const result = await run(['--query', '--quiet']);
      if (result.exitCode === noSuchAttribute) return null;
      if (result.failed) throw fail(`reading the promotion score of ${options.node}`, result);
      const text = String(result.stdout).trim();
      if (/^[+-]?INFINITY$/i.test(text)) return text.startsWith('-') ? -infinity : infinity;
      const score = Number(text);
      if (!Number.isInteger(score)) throw new ClusterToolError(`unreadable promotion score ${JSON.stringify(text)}`);
      return score;
    },
    async remove() {
      const result = await run(['--delete']);
      if (result.failed && result.exitCode !== noSuchAttribute)
        throw fail(`removing the promotion score of ${options.node}`, result);
    },
  };
}
