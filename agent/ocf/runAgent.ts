/**
 * The OCF shell around an agent: one dispatch table, meta-data without validation, parameters read and
 * checked for every other action, unknown actions answered with OCF_ERR_UNIMPLEMENTED, and failures reported
 * on stderr as `ocf-exit-reason:` lines, as pacemaker-execd expects.
 */
import type { AgentDefinition } from './agentDefinition.ts';
import { failure, OcfExit, type OcfExitCode, type OcfResult } from './exitCodes.ts';
import { metadataXml } from './metadata.ts';
import { type ParameterValues, readParameters } from './parameters.ts';

export interface AgentIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface ActionContext {
  readonly action: string;
  readonly parameters: ParameterValues;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One line per decision, on stderr (captured by pacemaker-execd); debug lines only with HA_debug=1. */
  readonly log: (line: string) => void;
  readonly debug: (line: string) => void;
}

export type ActionHandler = (context: ActionContext) => Promise<OcfResult>;

/**
 * pacemaker-controld 2.1.5 puts the exit reason into XML without escaping it: a `<` cut the reason short and
 * logged parse errors (seen in the cluster: "received … < final …"). Those characters are replaced.
 */
export function exitReasonText(reason: string): string {
  return reason.replaceAll('<', '‹').replaceAll('>', '›').replaceAll('&', '+');
}

export async function runAgent(
  agent: AgentDefinition,
  handlers: Readonly<Record<string, ActionHandler>>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: AgentIo,
): Promise<OcfExitCode> {
  const action = argv[0] ?? '';
  const report = (result: OcfResult): OcfExitCode => {
    if (result.reason !== undefined) io.stderr(`ocf-exit-reason:${exitReasonText(result.reason)}\n`);
    return result.code;
  };
  if (action === 'meta-data') {
    io.stdout(metadataXml(agent));
    return OcfExit.SUCCESS;
  }
  const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
  if (handler === undefined) {
    return report(
      failure(OcfExit.ERR_UNIMPLEMENTED, `action ${JSON.stringify(action)} is not implemented by ${agent.name}`),
    );
  }
  const parameters = readParameters(agent, env);
  if (!parameters.ok) return report(parameters.result);
  const prefix = `${agent.name}(${env.OCF_RESOURCE_INSTANCE ?? '?'})[${action}]`;
  const debugging = env.HA_debug === '1';
  try {
    return report(
      await handler({
        action,
        parameters: parameters.values,
        env,
        log: (line) => io.stderr(`${prefix}: ${line}\n`),
        debug: (line) => {
          if (debugging) io.stderr(`${prefix}: debug: ${line}\n`);
        },
      }),
    );
  } catch (error) {
    return report(failure(OcfExit.ERR_GENERIC, `${action} failed: ${(error as Error).message}`));
  }
}
