/**
 * A fast, strict reader for the XML Pacemaker writes (CIBs, transition graphs): elements, attributes,
 * comments, CDATA sections and a DOCTYPE (skipped: text is not kept, and entities a DOCTYPE declares are
 * not expanded), the XML declaration. A busy cluster's graph is tens of megabytes of attributes (every
 * notify action carries every list), and a general parser spends seconds on it; this one does a single pass.
 * It is the only reader of attribute values, whatever the document holds: values exactly as written, the
 * five predefined entities and character references decoded, nothing trimmed, a repeated attribute refused.
 * Anything malformed is reported with its offset.
 */

import { InputError } from './inputError.ts';
import { getOwn, setOwn } from './ownRecord.ts';
import type { XmlElement } from './xmlDocument.ts';

export class XmlScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const name = '[A-Za-z_][\\w.:-]*';
const startTag = new RegExp(`<(${name})`, 'y');
const attributeRegion = new RegExp(`((?:\\s+${name}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(\\/?)>`, 'y');
const oneAttribute = new RegExp(`\\s+(${name})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');
const endTag = new RegExp(`</(${name})\\s*>`, 'y');
const entity = /&(?:(lt|gt|amp|quot|apos)|#(\d+)|#x([0-9A-Fa-f]+));/g;
const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML's Char production: what a character reference may name. */
function isXmlCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function decode(value: string, offset: number): string {
  if (!value.includes('&')) return value;
  const decoded = value.replace(
    entity,
    (match, word: string | undefined, decimal: string | undefined, hex?: string) => {
      if (word !== undefined) return named[word] as string;
      const code = decimal !== undefined ? Number(decimal) : Number.parseInt(hex as string, 16);
      if (!isXmlCharacter(code)) throw new XmlScanError(`character reference ${match} names no XML character`, offset);
      return String.fromCodePoint(code);
    },
  );
  if (/&/.test(value.replace(entity, ''))) {
    throw new XmlScanError("'&' that starts no entity (only the five XML predefines and &#N; are read)", offset);
  }
  return decoded;
}

/**
 * An element read by the scanner: its attribute text is kept as written (already checked for syntax by the
 * region's pattern) and decoded on demand. Entities and apostrophe quoting take the checked
 * path at scan time, so that every error is still an error of the parse.
 */
class ScannedElement implements XmlElement {
  readonly children: Record<string, XmlElement[]> = {};
  private record: Record<string, string> | null = null;
  private verified = false;

  constructor(
    private readonly raw: string,
    private readonly offset: number,
    private readonly document: ScannedDocument,
  ) {}

  /**
   * A repeated attribute is refused when the element is first read: checking every attribute of every
   * element as it is scanned cost a third of the adapter's time on a large graph (bench:adapter), where
   * most `attributes` elements are never read. Values with entities or apostrophes are checked at scan.
   */
  private verify(): void {
    if (this.verified) return;
    const repeated = this.needsCheck ? null : repeatedAttribute(this.raw);
    if (repeated !== null) {
      // Not marked verified: every later read is refused alike.
      const { line, column } = lineAndColumn(this.document.text, this.offset);
      throw new InputError(this.document.source, `line ${line}, column ${column}: attribute '${repeated}' repeated`);
    }
    this.verified = true;
  }

  get needsCheck(): boolean {
    return this.raw.includes('&') || this.raw.includes("'");
  }

  get attributes(): Readonly<Record<string, string>> {
    this.verify();
    if (this.record === null) this.record = this.needsCheck ? this.checkedRecord() : this.plainRecord();
    return this.record;
  }

  attribute(name: string): string | undefined {
    this.verify();
    if (this.record === null && !this.needsCheck) {
      // Walks the attributes from the start, so a name inside another attribute's value never matches.
      const match = lookupPattern(name).exec(this.raw);
      return match === null ? undefined : match[1];
    }
    const record = this.attributes;
    return Object.hasOwn(record, name) ? record[name] : undefined;
  }

  /** Only double-quoted values without entities: splitting at the quotes alternates names and values. */
  private plainRecord(): Record<string, string> {
    const parts = this.raw.split('"');
    const record: Record<string, string> = {};
    for (let index = 0; index + 1 < parts.length; index += 2) {
      const key = (parts[index] as string).trim().slice(0, -1).trimEnd();
      // Repeated names were refused before (verify).
      if (!Object.hasOwn(record, key)) setOwn(record, key, parts[index + 1] as string);
    }
    return record;
  }

  private checkedRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (const match of this.raw.matchAll(oneAttribute)) {
      const key = match[1] as string;
      if (Object.hasOwn(record, key)) throw new XmlScanError(`attribute '${key}' repeated`, this.offset);
      setOwn(record, key, decode(match[2] ?? match[3] ?? '', this.offset));
    }
    return record;
  }
}

/**
 * The first attribute name written twice in a double-quoted, entity-free region, or null. Splitting at the
 * quotes alternates names and values, so a name inside a value is never taken for one.
 */
function repeatedAttribute(raw: string): string | null {
  const parts = raw.split('"');
  if (parts.length < 5) return null;
  const seen = new Set<string>();
  for (let index = 0; index + 1 < parts.length; index += 2) {
    const key = (parts[index] as string).trim().slice(0, -1).trimEnd();
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return null;
}

const lookups = new Map<string, RegExp>();

function lookupPattern(attributeName: string): RegExp {
  let pattern = lookups.get(attributeName);
  if (pattern === undefined) {
    const escaped = attributeName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    pattern = new RegExp(`^(?:\\s+[\\w.:-]+\\s*=\\s*"[^"]*")*?\\s+${escaped}\\s*=\\s*"([^"]*)"`);
    lookups.set(attributeName, pattern);
  }
  return pattern;
}

function addChild(parent: XmlElement, tag: string, element: XmlElement): void {
  // An element named "constructor" or "__proto__" is just a child (ownRecord.ts).
  const existing = getOwn(parent.children, tag);
  if (existing !== undefined) existing.push(element);
  else setOwn(parent.children, tag, [element]);
}

/** Parses a whole document: the root element's name and its tree (children always in arrays). */
interface ScannedDocument {
  readonly text: string;
  readonly source: string;
}

export function scanXml(text: string, source = 'input'): { root: string; element: XmlElement } {
  const document: ScannedDocument = { text, source };
  const stack: Array<{ tag: string; element: XmlElement }> = [];
  let root: { tag: string; element: XmlElement } | null = null;
  let sawDoctype = false;
  let position = 0;
  while (position < text.length) {
    const next = text.indexOf('<', position);
    const textEnd = next === -1 ? text.length : next;
    if (textEnd > position) {
      const content = text.slice(position, textEnd);
      if ((stack.length === 0 && content.trim() !== '') || content.includes('&')) {
        if (stack.length === 0) throw new XmlScanError('text outside the root element', position);
        decode(content, position);
      }
    }
    if (next === -1) break;
    position = next;
    if (text.startsWith('<!--', position)) {
      const close = text.indexOf('-->', position + 4);
      if (close === -1) throw new XmlScanError('unclosed comment', position);
      position = close + 3;
      continue;
    }
    if (text.startsWith('<?', position)) {
      const close = text.indexOf('?>', position + 2);
      if (close === -1) throw new XmlScanError('unclosed processing instruction', position);
      position = close + 2;
      continue;
    }
    if (text.startsWith('<![CDATA[', position)) {
      if (stack.length === 0) throw new XmlScanError('CDATA outside the root element', position);
      const close = text.indexOf(']]>', position + 9);
      if (close === -1) throw new XmlScanError('unclosed CDATA section', position);
      position = close + 3;
      continue;
    }
    if (text.startsWith('<!DOCTYPE', position)) {
      if (root !== null || sawDoctype)
        throw new XmlScanError('a DOCTYPE must come once, before the root element', position);
      sawDoctype = true;
      position = doctypeEnd(text, position);
      continue;
    }
    if (text.startsWith('<!', position))
      throw new XmlScanError("'<!' that starts no comment, CDATA or DOCTYPE", position);
    if (text.startsWith('</', position)) {
      endTag.lastIndex = position;
      const match = endTag.exec(text);
      const open = stack.pop();
      if (match === null) throw new XmlScanError('malformed closing tag', position);
      if (open === undefined || open.tag !== match[1]) {
        throw new XmlScanError(`closing tag '${match[1]}' does not match '${open?.tag ?? ''}'`, position);
      }
      position = endTag.lastIndex;
      continue;
    }
    startTag.lastIndex = position;
    const start = startTag.exec(text);
    if (start === null) throw new XmlScanError("'<' that starts no tag", position);
    const tag = start[1] as string;
    // One native match for all attributes and the tag's end; each attribute is read when asked for.
    attributeRegion.lastIndex = startTag.lastIndex;
    const region = attributeRegion.exec(text);
    if (region === null) throw new XmlScanError(`malformed attributes in tag '${tag}'`, startTag.lastIndex);
    const element = new ScannedElement(region[1] as string, startTag.lastIndex, document);
    // Values with entities or apostrophes are decoded now, so that a bad one is an error of the parse.
    if (element.needsCheck) element.attributes;
    const selfClosing = region[2] === '/';
    position = attributeRegion.lastIndex;
    const parent = stack[stack.length - 1];
    if (parent !== undefined) addChild(parent.element, tag, element);
    else if (root !== null) throw new XmlScanError('a second root element', next);
    else root = { tag, element };
    if (!selfClosing) stack.push({ tag, element });
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed !== undefined) throw new XmlScanError(`unclosed tag '${unclosed.tag}'`, text.length);
  if (root === null) throw new XmlScanError('no root element', 0);
  return { root: root.tag, element: root.element };
}

/**
 * Where a DOCTYPE starting at `start` ends: its internal subset (in brackets) may hold '>' in declarations
 * and quoted literals, which do not end it.
 */
function doctypeEnd(text: string, start: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let index = start + 9; index < text.length; index++) {
    const character = text[index];
    if (quote !== null) {
      if (character === quote) quote = null;
    } else if (character === '"' || character === "'") quote = character;
    else if (character === '[') depth++;
    else if (character === ']') depth--;
    else if (character === '>' && depth <= 0) return index + 1;
  }
  throw new XmlScanError('unclosed DOCTYPE', start);
}

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
