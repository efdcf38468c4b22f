/**
 * OCF exit codes, mirroring Pacemaker's `enum ocf_exitcode` (include/crm/common/results.h). Agents return
 * these names, never bare numbers. Debian's resource-agents 4.12 shell library has OCF_RUNNING_MASTER but
 * no OCF_RUNNING_PROMOTED: the value is 8 either way.
 */
export const OcfExit = {
  SUCCESS: 0,
  /** Soft failure: Pacemaker retries and counts a failure. */
  ERR_GENERIC: 1,
  /** Hard error: the clone is banned from this node. */
  ERR_ARGS: 2,
  ERR_UNIMPLEMENTED: 3,
  ERR_PERM: 4,
  ERR_INSTALLED: 5,
  /** Fatal everywhere: the configuration is wrong. */
  ERR_CONFIGURED: 6,
  NOT_RUNNING: 7,
  RUNNING_PROMOTED: 8,
  FAILED_PROMOTED: 9,
  DEGRADED: 190,
  DEGRADED_PROMOTED: 191,
} as const;

export type OcfExitCode = (typeof OcfExit)[keyof typeof OcfExit];

/** An action's outcome: the exit code and, for failures, the one-line reason printed as `ocf-exit-reason:`. */
export interface OcfResult {
  readonly code: OcfExitCode;
  readonly reason?: string;
}

export function success(): OcfResult {
  return { code: OcfExit.SUCCESS };
}

export function failure(code: Exclude<OcfExitCode, 0 | 7 | 8>, reason: string): OcfResult {
  return { code, reason: reason.replace(/\s+/g, ' ').trim() };
}
