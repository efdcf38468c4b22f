/** The OCF shell: meta-data, parameters, dispatch, exit codes and exit reasons, on a small test agent. */
import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../agent/ocf/agentDefinition.ts';
import { OcfExit, success } from '../../agent/ocf/exitCodes.ts';
import { exitReasonText, runAgent } from '../../agent/ocf/runAgent.ts';
import { parseXmlDocument } from '../../src/adapter/xmlDocument.ts';

const agent: AgentDefinition = {
  name: 'example',
  version: '0.1.0',
  shortdesc: 'An example & test agent',
  longdesc: 'Declares <one> of each kind of parameter.',
  parameters: [
    { name: 'datadir', type: 'string', shortdesc: 'data directory', longdesc: 'Where the data lives.' },
    {
      name: 'port',
      type: 'integer',
      shortdesc: 'port',
      longdesc: 'TCP port.',
      default: '5432',
      check: (value) => (Number(value) > 0 && Number(value) < 65536 ? null : 'a port from 1 to 65535'),
    },
    { name: 'rewind', type: 'boolean', shortdesc: 'pg_rewind', longdesc: 'Allow pg_rewind.', default: 'false' },
  ],
  actions: [
    { name: 'start', timeout: 60 },
    { name: 'monitor', timeout: 10, interval: 15, role: 'Promoted' },
    { name: 'monitor', timeout: 10, interval: 16, role: 'Unpromoted' },
    { name: 'meta-data', timeout: 5 },
  ],
};

async function run(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const seen: Array<Record<string, string>> = [];
  const code = await runAgent(
    agent,
    {
      start: async ({ parameters, log }) => {
        seen.push({ ...parameters });
        log('started because the test asked');
        return success();
      },
      monitor: async () => {
        throw new Error('pg_ctl: not found');
      },
    },
    argv,
    env,
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
  );
  return { code, stdout, stderr, seen };
}

describe('the OCF shell', () => {
  it('prints OCF 1.1 meta-data that parses, with every parameter and action', async () => {
    const { code, stdout } = await run(['meta-data'], {});
    expect(code).toBe(OcfExit.SUCCESS);
    const { root, element } = parseXmlDocument(stdout, 'meta-data');
    expect(root).toBe('resource-agent');
    expect(element.children.version?.[0]).toBeDefined();
    expect(stdout).toContain('<version>1.1</version>');
    expect(stdout).toContain('An example &amp; test agent');
    const parameters = element.children.parameters?.[0]?.children.parameter ?? [];
    expect(parameters.map((parameter) => parameter.attribute('name'))).toEqual(['datadir', 'port', 'rewind']);
    expect(parameters[0]?.attribute('required')).toBe('1');
    expect(parameters[1]?.children.content?.[0]?.attribute('default')).toBe('5432');
    const actions = element.children.actions?.[0]?.children.action ?? [];
    expect(actions.map((action) => action.attributes)).toContainEqual({
      name: 'monitor',
      timeout: '10s',
      interval: '16s',
      role: 'Unpromoted',
    });
  });

  it('applies defaults and passes values as data', async () => {
    const hostile = "/srv/my data; rm -rf / $(id) 'quoted'\nnext";
    const { code, seen, stderr } = await run(['start'], {
      OCF_RESKEY_datadir: hostile,
      OCF_RESOURCE_INSTANCE: 'example:0',
    });
    expect(code).toBe(OcfExit.SUCCESS);
    expect(seen).toEqual([{ datadir: hostile, port: '5432', rewind: 'false' }]);
    expect(stderr).toBe('example(example:0)[start]: started because the test asked\n');
  });

  it.each([
    [{}, 'ocf-exit-reason:parameter datadir is required\n'],
    [
      { OCF_RESKEY_datadir: '/d', OCF_RESKEY_port: '54x' },
      'ocf-exit-reason:parameter port="54x": expected an integer\n',
    ],
    [
      { OCF_RESKEY_datadir: '/d', OCF_RESKEY_port: '70000' },
      'ocf-exit-reason:parameter port="70000": a port from 1 to 65535\n',
    ],
    [
      { OCF_RESKEY_datadir: '/d', OCF_RESKEY_rewind: 'maybe' },
      'ocf-exit-reason:parameter rewind="maybe": expected a boolean\n',
    ],
  ])('refuses bad parameters with OCF_ERR_CONFIGURED and a reason: %j', async (env, reason) => {
    const { code, stderr } = await run(['start'], env);
    expect(code).toBe(OcfExit.ERR_CONFIGURED);
    expect(stderr).toBe(reason);
  });

  it('answers an unknown action with OCF_ERR_UNIMPLEMENTED, and a failing one with OCF_ERR_GENERIC', async () => {
    const unknown = await run(['reload-agent'], { OCF_RESKEY_datadir: '/d' });
    expect(unknown.code).toBe(OcfExit.ERR_UNIMPLEMENTED);
    expect(unknown.stderr).toBe('ocf-exit-reason:action "reload-agent" is not implemented by example\n');
    const broken = await run(['monitor'], { OCF_RESKEY_datadir: '/d' });
    expect(broken.code).toBe(OcfExit.ERR_GENERIC);
    expect(broken.stderr).toBe('ocf-exit-reason:monitor failed: pg_ctl: not found\n');
    expect((await run([], {})).code).toBe(OcfExit.ERR_UNIMPLEMENTED);
  });
});

describe('exit reasons as pacemaker-controld can store them', () => {
  it('replaces the characters it does not escape (<, >, &)', () => {
    expect(exitReasonText('received 0/1 < final 0/2 & more > less')).toBe('received 0/1 ‹ final 0/2 + more › less');
  });
});
