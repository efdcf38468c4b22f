/**
 * Running one of Pacemaker's command-line tools for an agent: argument arrays only (never a shell), the
 * resource and node in the OCF environment the tools read, and failures as one line naming the command.
 */
import { join } from 'node:path';
import { complaint, type ProgramResult, runProgram } from '../process/runProgram.ts';

export interface ClusterToolsOptions {
  /** The primitive's id (OCF_RESOURCE_INSTANCE without a clone suffix). */
  readonly resource: string;
  /** This node's name (OCF_RESKEY_CRM_meta_on_node). */
  readonly node: string;
  /** Where Pacemaker's tools live (HA_SBIN_DIR); /usr/sbin by default. */
  readonly sbinDir?: string | undefined;
  /** Extra environment, e.g. CIB_file for a CIB held in a file. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * When the running action must be done (ms since the epoch): no tool may run past it. Without it, a
   * tool gets its own 30 s.
   */
  readonly deadline?: number;
}

export class ClusterToolError extends Error {}

const toolTimeoutMs = 30_000;
/** A tool started right at the deadline still gets this long: the answer may be what decides the action. */
const minimumToolMs = 1_000;

export type ToolResult = ProgramResult;

/**
 * The caller's environment is passed on (CIB_file, PATH, and a test double's settings live there).
 * `everyNode` leaves OCF_RESKEY_CRM_meta_on_node out: Pacemaker's tools take it as the node to ask about,
 * and `attrd_updater --query --all` then answers for that one node only (measured on a real 2.1.5 cluster:
 * an agent saw no other node's record).
 */
export function runClusterTool(
  options: ClusterToolsOptions,
  tool: string,
  args: readonly string[],
  scope: { readonly everyNode?: boolean } = {},
): Promise<ToolResult> {
  const inherited: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) inherited[name] = value;
  const env: Record<string, string> = {
    ...inherited,
    ...options.env,
    OCF_RESOURCE_INSTANCE: options.resource,
    OCF_RESKEY_CRM_meta_on_node: options.node,
  };
  if (scope.everyNode === true) delete env.OCF_RESKEY_CRM_meta_on_node;
  const left = options.deadline === undefined ? toolTimeoutMs : options.deadline - Date.now();
  return runProgram(join(options.sbinDir ?? '/usr/sbin', tool), args, {
    env,
    timeoutMs: Math.max(minimumToolMs, Math.min(toolTimeoutMs, left)),
  });
}

/** `<what failed>: <command>: <the tool's first line of complaint>`. */
export function toolFailure(what: string, result: ToolResult): ClusterToolError {
  return new ClusterToolError(`${what}: ${result.command}: ${complaint(result)}`);
}
