/**
 * The agent's parameters from its environment (`OCF_RESKEY_<name>`), with defaults applied and every value
 * checked. Values are data: they are passed to programs as separate arguments, never through a shell.
 */
import type { AgentDefinition } from './agentDefinition.ts';
import { failure, OcfExit, type OcfResult } from './exitCodes.ts';

export type ParameterValues = Readonly<Record<string, string>>;

export type ParameterReading =
  | { readonly ok: true; readonly values: ParameterValues }
  | { readonly ok: false; readonly result: OcfResult };

function typeProblem(type: string, value: string): string | null {
  if (type === 'integer' && !/^-?\d+$/.test(value)) return 'an integer';
  if (type === 'boolean' && !/^(true|false|yes|no|on|off|1|0)$/i.test(value)) return 'a boolean';
  return null;
}

export function readParameters(
  agent: AgentDefinition,
  env: Readonly<Record<string, string | undefined>>,
): ParameterReading {
  const values: Record<string, string> = {};
  for (const parameter of agent.parameters) {
    const given = env[`OCF_RESKEY_${parameter.name}`];
    const value = given === undefined || given === '' ? parameter.default : given;
    if (value === undefined) {
      return { ok: false, result: failure(OcfExit.ERR_CONFIGURED, `parameter ${parameter.name} is required`) };
    }
    const expected = typeProblem(parameter.type, value);
    const problem = expected === null ? (parameter.check?.(value) ?? null) : `expected ${expected}`;
    if (problem !== null) {
      return {
        ok: false,
        result: failure(OcfExit.ERR_CONFIGURED, `parameter ${parameter.name}=${JSON.stringify(value)}: ${problem}`),
      };
    }
    values[parameter.name] = value;
  }
  return { ok: true, values };
}
