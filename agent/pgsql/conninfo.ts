/**
 * The agent-managed `primary_conninfo`: the operator's template with `%h` the host of the node to follow
 * (from `node_hosts`, else the node's name), `%n` this node's name (for application_name) and `%%` a percent
 * sign. The shell entry point (agent/pgsql/prePromoteNotify.sh) expands templates the same way; a test holds
 * the two to the same answer.
 */
import type { NodeName } from '../../models/types.ts';
import { noControlCharacters } from '../ocf/parameterChecks.ts';

/** `node1=10.0.0.1 node2=db2.example` → node → host. */
export function parseNodeHosts(text: string): Map<NodeName, string> {
  const hosts = new Map<NodeName, string>();
  for (const pair of text.split(/\s+/).filter((word) => word !== '')) {
    const equals = pair.indexOf('=');
    hosts.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  return hosts;
}

export function nodeHostsProblem(text: string): string | null {
  const problem = noControlCharacters(text.replaceAll(/[\t\n]/g, ' '));
  if (problem !== null) return problem;
  for (const pair of text.split(/\s+/).filter((word) => word !== '')) {
    if (!/^[^=]+=[^=]+$/.test(pair)) return `expected node=host pairs, found ${JSON.stringify(pair)}`;
    if (/['"\\%]/.test(pair)) return `quotes, backslashes and % are not allowed (${JSON.stringify(pair)})`;
  }
  return null;
}

export function conninfoTemplateProblem(template: string): string | null {
  if (template === '') return null;
  const problem = noControlCharacters(template);
  if (problem !== null) return problem;
  if (!template.includes('%h')) return 'the template must name the primary’s host as %h';
  return /%[^hn%]|%$/.test(template) ? 'only %h, %n and %% may follow a % sign' : null;
}

export function renderConninfo(template: string, host: string, self: NodeName): string {
  return template.replaceAll(/%[hn%]/g, (token) => (token === '%h' ? host : token === '%n' ? self : '%'));
}

/** The primary_conninfo that follows `primary`, or null when the operator manages primary_conninfo (no template). */
export function followConninfo(
  template: string,
  hosts: ReadonlyMap<NodeName, string>,
  primary: NodeName,
  self: NodeName,
): string | null {
  if (template === '') return null;
  return renderConninfo(template, hosts.get(primary) ?? primary, self);
}
