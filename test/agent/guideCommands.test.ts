/**
 * docs/guide.md's pcs (0.11) and crm (crmsh 4.4) configuration blocks, run exactly as written with Debian's
 * pcs and crmsh on a CIB file of three nodes (CIB_file: every Pacemaker tool reads and writes that file
 * instead of a cluster's CIB; crm works in its shadow CIB), with the agents installed where pcs and crm look
 * for their meta-data (an overlay on /usr/lib/ocf in a private mount namespace: the machine's stays
 * untouched). The CIB each tool produces must hold what the guide's XML says: the clone, its parameters and
 * operations, the primary address with its colocation and orders, and a fence device per node.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attribute, child, children, parseXmlDocument, type XmlElement } from '../../src/adapter/xmlDocument.ts';
import { guideBlock, guideXmlBlocks } from '../fixtures/guideBlocks.ts';

const nvpairs = (element: XmlElement | undefined, set: string) =>
  Object.fromEntries(
    children(child(element, set), 'nvpair').map((pair) => [attribute(pair, 'name'), attribute(pair, 'value')]),
  );

/** The operations of a primitive as name/interval/timeout/role, ids and defaults aside. */
const operations = (primitive: XmlElement | undefined) =>
  children(child(primitive, 'operations'), 'op').map((op) => ({
    name: attribute(op, 'name'),
    interval: attribute(op, 'interval'),
    timeout: attribute(op, 'timeout'),
    role: attribute(op, 'role'),
  }));

function primitiveIn(resources: XmlElement | undefined, id: string): XmlElement | undefined {
  for (const primitive of children(resources, 'primitive')) if (attribute(primitive, 'id') === id) return primitive;
  for (const clone of children(resources, 'clone')) {
    const inner = child(clone, 'primitive');
    if (attribute(inner, 'id') === id) return inner;
  }
  return undefined;
}

/** What the guide says a configuration holds, read from a CIB's configuration (or the guide's XML). */
function configuration(resources: XmlElement | undefined, constraints: XmlElement | undefined) {
  const clone = children(resources, 'clone').find((each) => attribute(each, 'id') === 'pgsql-ha');
  const pgsql = primitiveIn(resources, 'pgsql');
  const vip = primitiveIn(resources, 'pgsql-vip');
  const constraint = (kind: string, keys: string[]) =>
    children(constraints, kind)
      .map((each) => Object.fromEntries(keys.map((key) => [key, attribute(each, key)])))
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return {
    clone: {
      promotable: nvpairs(clone, 'meta_attributes').promotable,
      notify: nvpairs(clone, 'meta_attributes').notify,
    },
    pgsql: {
      agent: `${attribute(pgsql, 'class')}:${attribute(pgsql, 'provider')}:${attribute(pgsql, 'type')}`,
      parameters: nvpairs(pgsql, 'instance_attributes'),
      operations: operations(pgsql),
    },
    vip: {
      agent: `${attribute(vip, 'class')}:${attribute(vip, 'provider')}:${attribute(vip, 'type')}`,
      parameters: nvpairs(vip, 'instance_attributes'),
      operations: operations(vip),
    },
    colocations: constraint('rsc_colocation', ['id', 'rsc', 'with-rsc', 'with-rsc-role', 'score']),
    orders: constraint('rsc_order', ['id', 'first', 'first-action', 'then', 'then-action', 'symmetrical', 'kind']),
    fencing: children(resources, 'primitive')
      .filter((each) => attribute(each, 'class') === 'stonith')
      .map((each) => ({ type: attribute(each, 'type'), host: nvpairs(each, 'instance_attributes').pcmk_host_list }))
      .sort((a, b) => String(a.host).localeCompare(String(b.host))),
  };
}

function fromCib(text: string) {
  const { element } = parseXmlDocument(text, 'cib');
  const config = child(element, 'configuration');
  return configuration(child(config, 'resources'), child(config, 'constraints'));
}

describe("the guide's pcs and crm commands", () => {
  let dir: string;
  let expected: ReturnType<typeof configuration>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-guide-tools-'));
    // The guide's XML: the clone, the address and its constraints, and the fence device example per node.
    const [clone, address, fence] = await guideXmlBlocks('## Cluster configuration');
    const [resources, constraints] = [
      `${clone}${(address as string).replace(/<rsc_(colocation|order)[^>]*\/>/g, '')}${['1', '2', '3']
        .map((n) => (fence as string).replaceAll('node1', `node${n}`).replaceAll('10.0.0.101', `10.0.0.10${n}`))
        .join('')}`,
      (address as string).match(/<rsc_(colocation|order)[^>]*\/>/g)?.join('') ?? '',
    ];
    const guide = parseXmlDocument(
      `<cib><configuration><resources>${resources}</resources><constraints>${constraints}</constraints></configuration></cib>`,
      'guide',
    ).element;
    expected = configuration(
      child(child(guide, 'configuration'), 'resources'),
      child(child(guide, 'configuration'), 'constraints'),
    );
    // The directory of crm's shadow CIBs (on a cluster node /var/lib/pacemaker/cib).
    await mkdir(join(dir, 'shadow'));
  });

  /** A cluster's CIB of three nodes, as pcs and crm find it: one per tool. */
  async function clusterCib(name: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, (await execa('cibadmin', ['--empty'])).stdout);
    for (const n of [1, 2, 3]) {
      await execa('cibadmin', ['--create', '--scope', 'nodes', '--xml-text', `<node id="${n}" uname="node${n}"/>`], {
        env: { CIB_file: path },
      });
    }
    return path;
  }
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Runs a guide block as a shell script in `dir`, the built agents overlaid on /usr/lib/ocf. */
  async function run(label: string, cib: string): Promise<void> {
    await writeFile(join(dir, `${label}.sh`), await guideBlock(label));
    const ocf = [resolve('dist/packaged/ocf'), resolve('dist/ocf'), '/usr/lib/ocf'].join(':');
    const script = `mount -t overlay overlay -o lowerdir=${ocf} /usr/lib/ocf && cd ${dir} && exec sh -e ${label}.sh`;
    const result = await execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      reject: false,
      stdin: 'ignore',
      env: { CIB_file: cib, CIB_shadow_dir: join(dir, 'shadow') },
      timeout: 120_000,
    });
    expect(result.exitCode, `${label}: ${result.stdout}\n${result.stderr}`).toBe(0);
  }

  it('the guide names what these tests check', () => {
    expect(expected.pgsql.agent).toBe('ocf:promigrate:pgsql');
    expect(expected.fencing).toHaveLength(3);
    expect(expected.orders).toHaveLength(2);
  });

  it('pcs: the CIB pushed holds the guide’s configuration (pcs adds the agent’s default operations)', async () => {
    const cib = await clusterCib('pcs.xml');
    await run('pcs-configure', cib);
    const made = fromCib(await readFile(cib, 'utf8'));
    expect({ ...made, pgsql: { ...made.pgsql, operations: [] }, vip: { ...made.vip, operations: [] } }).toEqual({
      ...expected,
      pgsql: { ...expected.pgsql, operations: [] },
      vip: { ...expected.vip, operations: [] },
    });
    expect(made.pgsql.operations).toEqual(expect.arrayContaining(expected.pgsql.operations));
    expect(made.vip.operations).toEqual(expect.arrayContaining(expected.vip.operations));
  }, 180_000);

  it('crm: the shadow CIB holds the guide’s configuration', async () => {
    await run('crm-configure', await clusterCib('crm.xml'));
    const made = fromCib(await readFile(join(dir, 'shadow', 'shadow.promigrate'), 'utf8'));
    // crm writes interval="0" on operations given without one; the guide's XML says 0s.
    const zero = (list: ReturnType<typeof operations>) =>
      list.map((op) => ({ ...op, interval: op.interval === '0' ? '0s' : op.interval }));
    expect({ ...made, pgsql: { ...made.pgsql, operations: zero(made.pgsql.operations) } }).toEqual(expected);
  }, 180_000);
});
