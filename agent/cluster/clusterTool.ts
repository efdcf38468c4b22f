/**
 * Running one of Pacemaker's command-line tools for an agent: argument arrays only (never a shell), the
 * resource and node in the OCF environment the tools read, and failures as one line naming the command.
 */
import { join } from 'node:path';
import { execa, type Result } from 'execa';

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

export class ClusterToolError extends Error {}

export type ToolResult = Result<{ reject: false; stdin: 'ignore' }>;

export function runClusterTool(
  options: ClusterToolsOptions,
  tool: string,
  args: readonly string[],
): Promise<ToolResult> {
  return execa(join(options.sbinDir ?? '/usr/sbin', tool), [...args], {
    env: { ...options.env, OCF_RESOURCE_INSTANCE: options.resource, OCF_RESKEY_CRM_meta_on_node: options.node },
    reject: false,
    stdin: 'ignore',
    timeout: 30_000,
  });
}

/** `<what failed>: <command>: <the tool's first line of complaint>`. */
export function toolFailure(what: string, result: ToolResult): ClusterToolError {
  return new ClusterToolError(
    `${what}: ${result.command}: ${String(result.stderr || result.shortMessage).split('\n')[0]}`,
  );
}
