/** XML text → a plain object tree, validated first so that malformed input fails with line and column. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InputError } from './inputError.ts';

export type XmlElement = { [name: string]: XmlValue };
export type XmlValue = string | XmlElement | XmlElement[];

/** Elements that may repeat anywhere in a CIB or a transition graph: always arrays. */
const repeated = new Set([
  'synapse',
  'trigger',
  'rsc_op',
  'pseudo_event',
  'crm_event',
  'node',
  'node_state',
  'lrm_resource',
  'lrm_rsc_op',
  'nvpair',
  'primitive',
  'clone',
  'master',
  'group',
  'rsc_location',
  'rsc_colocation',
  'rsc_order',
  'meta_attributes',
  'instance_attributes',
  'utilization',
  'transient_attributes',
  'cluster_property_set',
  'op',
  'rule',
  'expression',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => repeated.has(name),
});

export function parseXmlDocument(text: string, source: string): { root: string; element: XmlElement } {
  if (text.trim().length === 0) throw new InputError(source, 'empty input');
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { line, col, msg } = verdict.err;
    throw new InputError(source, `line ${line}, column ${col}: ${msg.replace(/\s+/g, ' ')}`);
  }
  const tree = parser.parse(text) as XmlElement;
  const roots = Object.keys(tree).filter((key) => !key.startsWith('?'));
  const root = roots[0];
  if (root === undefined || roots.length !== 1) throw new InputError(source, 'no single root element');
  const element = tree[root];
  return { root, element: typeof element === 'object' && !Array.isArray(element) ? element : {} };
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  const value = element?.[name];
  if (value === undefined || typeof value === 'string') return [];
  return Array.isArray(value) ? value : [value];
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(element, name)[0];
}

export function attribute(element: XmlElement | undefined, name: string): string | undefined {
  const value = element?.[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Every attribute of an element, names without the parser's prefix. */
export function attributes(element: XmlElement | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(element ?? {})) {
    if (key.startsWith('@') && typeof value === 'string') result[key.slice(1)] = value;
  }
  return result;
}
