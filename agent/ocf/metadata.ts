/** OCF 1.1 meta-data XML, generated from the agent's declarations (never written by hand). */
import type { AgentDefinition, ParameterDeclaration } from './agentDefinition.ts';

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function parameterXml(parameter: ParameterDeclaration): string {
  const required = parameter.default === undefined ? ' required="1"' : '';
  const fallback = parameter.default === undefined ? '' : ` default="${escapeXml(parameter.default)}"`;
  return [
    `    <parameter name="${escapeXml(parameter.name)}"${required}>`,
    `      <longdesc lang="en">${escapeXml(parameter.longdesc)}</longdesc>`,
    `      <shortdesc lang="en">${escapeXml(parameter.shortdesc)}</shortdesc>`,
    `      <content type="${parameter.type}"${fallback}/>`,
    '    </parameter>',
  ].join('\n');
}

export function metadataXml(agent: AgentDefinition): string {
  const actions = agent.actions.map((action) => {
    const extras = [
      action.interval === undefined ? '' : ` interval="${action.interval}s"`,
      action.depth === undefined ? '' : ` depth="${action.depth}"`,
      action.role === undefined ? '' : ` role="${action.role}"`,
    ].join('');
    return `    <action name="${action.name}" timeout="${action.timeout}s"${extras}/>`;
  });
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">',
    `<resource-agent name="${escapeXml(agent.name)}" version="${escapeXml(agent.version)}">`,
    '  <version>1.1</version>',
    `  <longdesc lang="en">${escapeXml(agent.longdesc)}</longdesc>`,
    `  <shortdesc lang="en">${escapeXml(agent.shortdesc)}</shortdesc>`,
    '  <parameters>',
    ...agent.parameters.map(parameterXml),
    '  </parameters>',
    '  <actions>',
    ...actions,
    '  </actions>',
    '</resource-agent>',
    '',
  ].join('\n');
}
