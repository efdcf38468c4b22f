/** XML text → a plain object tree, validated first so that malformed input fails with line and column. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InputError } from './inputError.ts';
import { getOwn, setOwn } from './ownRecord.ts';
import { lineAndColumn, scanXml, XmlScanError } from './xmlScanner.ts';

/**
 * An element: its attributes (names as written) and its child elements by name. Text is not kept.
 * `attribute(name)` reads one attribute without building the whole record (large graphs read few of many).
 */
export interface XmlElement {
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: Record<string, XmlElement[]>;
  attribute(name: string): string | undefined;
}

/** An element whose attributes are already a record. */
export class RecordElement implements XmlElement {
  readonly children: Record<string, XmlElement[]> = {};
  constructor(readonly attributes: Record<string, string> = {}) {}
  attribute(name: string): string | undefined {
    return Object.hasOwn(this.attributes, name) ? this.attributes[name] : undefined;
  }
}

type ParsedValue = string | ParsedObject | ParsedObject[];
type ParsedObject = { [name: string]: ParsedValue };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

/**
 * Parses with the fast scanner (xmlScanner.ts); on anything it rejects, the general parser's validator
 * gives the precise error (or, for what the scanner does not support, the general parser reads it).
 */
export function parseXmlDocument(text: string, source: string): { root: string; element: XmlElement } {
  if (text.trim().length === 0) throw new InputError(source, 'empty input');
  try {
    return scanXml(text);
  } catch (error) {
    if (!(error instanceof XmlScanError)) throw error;
    const verdict = XMLValidator.validate(text);
    if (verdict !== true) {
      const { line, col, msg } = verdict.err;
      throw new InputError(source, `line ${line}, column ${col}: ${msg.replace(/\s+/g, ' ')}`);
    }
    if (!error.unsupported) {
      const { line, column } = lineAndColumn(text, error.offset);
      throw new InputError(source, `line ${line}, column ${column}: ${error.message}`);
    }
  }
  return parseGeneral(text, source);
}

/** fast-xml-parser's tree (attributes prefixed with '@') → XmlElement. */
function fromParsed(value: ParsedObject): XmlElement {
  const attributes: Record<string, string> = {};
  const element = new RecordElement(attributes);
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('@')) {
      if (typeof child === 'string') setOwn(attributes, key.slice(1), child);
    } else if (typeof child === 'object') {
      setOwn(element.children, key, (Array.isArray(child) ? child : [child]).map(fromParsed));
    } else if (key !== '#text') {
      setOwn(element.children, key, [new RecordElement()]);
    }
  }
  return element;
}

function parseGeneral(text: string, source: string): { root: string; element: XmlElement } {
  let tree: ParsedObject;
  try {
    tree = parser.parse(text) as ParsedObject;
  } catch (error) {
    // fast-xml-parser refuses some names it validated (e.g. "constructor", as a guard against prototype pollution).
    throw new InputError(source, (error as Error).message.replace(/\s+/g, ' '));
  }
  const roots = Object.keys(tree).filter((key) => !key.startsWith('?'));
  const root = roots[0];
  if (root === undefined || roots.length !== 1) throw new InputError(source, 'no single root element');
  const element = tree[root];
  const parsed = Array.isArray(element) ? element[0] : element;
  return { root, element: fromParsed(typeof parsed === 'object' && parsed !== null ? parsed : {}) };
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return (element === undefined ? undefined : getOwn(element.children, name)) ?? [];
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(element, name)[0];
}

export function attribute(element: XmlElement | undefined, name: string): string | undefined {
  return element?.attribute(name);
}

/** Every attribute of an element (the element's own record: do not modify). */
export function attributes(element: XmlElement | undefined): Readonly<Record<string, string>> {
  return element?.attributes ?? {};
}
