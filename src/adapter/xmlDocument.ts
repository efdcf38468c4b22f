/** XML text → a tree of elements and their attributes; malformed input fails with line and column. */
import { XMLValidator } from 'fast-xml-parser';
import { InputError } from './inputError.ts';
import { getOwn } from './ownRecord.ts';
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

/**
 * Reads a document with the scanner (xmlScanner.ts), the one reader of every input. On anything it refuses,
 * the general parser's validator is asked first, for its precise wording of what is malformed; the
 * scanner's own error (offset → line and column) otherwise.
 */
export function parseXmlDocument(text: string, source: string): { root: string; element: XmlElement } {
  if (text.trim().length === 0) throw new InputError(source, 'empty input');
  try {
    return scanXml(text, source);
  } catch (error) {
    if (!(error instanceof XmlScanError)) throw error;
    const verdict = XMLValidator.validate(text);
    if (verdict !== true) {
      const { line, col, msg } = verdict.err;
      throw new InputError(source, `line ${line}, column ${col}: ${msg.replace(/\s+/g, ' ')}`);
    }
    const { line, column } = lineAndColumn(text, error.offset);
    throw new InputError(source, `line ${line}, column ${column}: ${error.message}`);
  }
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
