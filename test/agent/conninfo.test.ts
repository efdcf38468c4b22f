/** The managed primary_conninfo's template and host map: expansion and the checks on hostile values. */
import { describe, expect, it } from 'vitest';
import {
  conninfoTemplateProblem,
  followConninfo,
  nodeHostsProblem,
  parseNodeHosts,
  renderConninfo,
} from '../../agent/pgsql/conninfo.ts';

describe('the primary_conninfo template', () => {
  it('expands %h, %n and %% once each, left to right', () => {
    expect(renderConninfo('host=%h application_name=%n options=50%%h', 'db2', 'node1')).toBe(
      'host=db2 application_name=node1 options=50%h',
    );
  });

  it('follows the host the map gives, else the node name; nothing when unmanaged', () => {
    const hosts = parseNodeHosts(' node1=10.0.0.1\tnode2=db2.example ');
    expect(followConninfo('host=%h', hosts, 'node2', 'node1')).toBe('host=db2.example');
    expect(followConninfo('host=%h', hosts, 'node3', 'node1')).toBe('host=node3');
    expect(followConninfo('', hosts, 'node2', 'node1')).toBeNull();
  });

  it.each([
    ['host=%h port=5432 application_name=%n', null],
    ['', null],
    ['host=10.0.0.1', 'the template must name the primary’s host as %h'],
    ['host=%h %x', 'only %h, %n and %% may follow a % sign'],
    ['host=%h %', 'only %h, %n and %% may follow a % sign'],
    ['host=%h\nport=1', 'control characters are not allowed'],
  ])('template %j: %s', (template, problem) => {
    expect(conninfoTemplateProblem(template)).toBe(problem);
  });

  it.each([
    ['node1=10.0.0.1 node2=10.0.0.2', null],
    ['', null],
    ['node1', 'expected node=host pairs, found "node1"'],
    ['node1=a=b', 'expected node=host pairs, found "node1=a=b"'],
    ["node1='x'", 'quotes, backslashes and % are not allowed ("node1=\'x\'")'],
    ['node1=\u0007', 'control characters are not allowed'],
  ])('node_hosts %j: %s', (text, problem) => {
    expect(nodeHostsProblem(text)).toBe(problem);
  });
});
