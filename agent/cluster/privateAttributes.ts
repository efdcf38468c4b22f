/**
 * Private node attributes through Pacemaker's `attrd_updater --private`: kept by pacemaker-attrd, never
 * written to the CIB, so the scheduler does not react (no transition is aborted). This is where the
 * hand-over record lives between migrate_to on the source and migrate_from on the target.
 * Query output, one line per node: `name="N" host="H" value="V"`.
 */
import {
  ClusterToolError,
  type ClusterToolsOptions,
  runClusterTool,
  type ToolResult,
  toolFailure,
} from './clusterTool.ts';

export interface PrivateAttributes {
  set(name: string, value: string): Promise<void>;
  /** The attribute on every node that has it. */
  queryAll(name: string): Promise<Map<string, string>>;
  remove(name: string): Promise<void>;
}

/**
 * attrd_updater's exit status (2.1.5) when the attribute exists on no node: CRM_EX_CONFIG, from
 * pcmk_rc_schema_validation ("Could not query value of X: attribute does not exist"). Every other
 * failure (102: attrd unreachable, a timeout) is an error, never "no value".
 */
export const attributeDoesNotExist = 78;

const queryLine = /^name="([^"]*)" host="([^"]*)" value="(.*)"$/;

export function parseAttributeQuery(output: string, name: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = queryLine.exec(line.trim());
    // A node without the attribute is answered with an empty value: it has none.
    if (match !== null && match[1] === name && match[3] !== '') values.set(match[2] as string, match[3] as string);
  }
  return values;
}

export function privateAttributes(options: ClusterToolsOptions): PrivateAttributes {
  const run = (args: string[], everyNode = false) =>
    runClusterTool(options, 'attrd_updater', ['--private', ...args], { everyNode });
  const check = (what: string, result: ToolResult) => {
    if (result.failed) throw toolFailure(what, result);
  };
  return {
    async set(name, value) {
      if (/[\n"]/.test(value))
        throw new ClusterToolError(`private attribute ${name}: a value may not hold quotes or newlines`);
      check(
        `setting ${name} on ${options.node}`,
        await run(['--node', options.node, '--name', name, '--update', value]),
      );
    },
    async queryAll(name) {
      const result = await run(['--name', name, '--query', '--all'], true);
      if (result.exitCode === attributeDoesNotExist && String(result.stdout).trim() === '') return new Map();
      check(`reading ${name}`, result);
      return parseAttributeQuery(String(result.stdout), name);
    },
    async remove(name) {
      check(`removing ${name} on ${options.node}`, await run(['--node', options.node, '--name', name, '--delete']));
    },
  };
}
