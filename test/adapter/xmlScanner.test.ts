/**
 * The XML scanner, the one reader of every input: attribute values exactly as written (references decoded,
 * nothing trimmed) whatever else the document holds (comments, CDATA, a DOCTYPE), and every malformed
 * document refused with one clean error.
 */
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/adapter/inputError.ts';
import { child, children, parseXmlDocument, type XmlElement } from '../../src/adapter/xmlDocument.ts';
import { scanXml } from '../../src/adapter/xmlScanner.ts';

/** An element tree as plain data: attributes and children, for comparing the two readers. */
function plain(element: XmlElement): unknown {
  return {
    attributes: { ...element.attributes },
    children: Object.fromEntries(Object.entries(element.children).map(([name, list]) => [name, list.map(plain)])),
  };
}

const escapeXml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

interface Tree {
  name: string;
  attributes: Array<[string, string]>;
  children: Tree[];
}

const names = fc.constantFrom('cib', 'node', 'nvpair', 'rsc_op', 'attributes', 'a-b', 'x.y', 'CRM_meta');
function treeOfDepth(depth: number): fc.Arbitrary<Tree> {
  return fc.record({
    name: names,
    attributes: fc.uniqueArray(fc.tuple(names, fc.string()), { maxLength: 5, selector: ([key]) => key }),
    children: depth === 0 ? fc.constant([]) : fc.array(treeOfDepth(depth - 1), { maxLength: 3 }),
  });
}

const tree = treeOfDepth(3);

function render(node: Tree): string {
  const attributes = node.attributes.map(([key, value]) => ` ${key}="${escapeXml(value)}"`).join('');
  if (node.children.length === 0) return `<${node.name}${attributes}/>`;
  return `<${node.name}${attributes}>\n  ${node.children.map(render).join('\n  ')}\n</${node.name}>`;
}

function expected(node: Tree): unknown {
  const children: Record<string, unknown[]> = {};
  for (const child of node.children) {
    const list = children[child.name] ?? [];
    list.push(expected(child));
    children[child.name] = list;
  }
  return { attributes: Object.fromEntries(node.attributes), children };
}

describe('the XML scanner', () => {
  it('reads any well-formed tree of elements and attributes exactly', () => {
    fc.assert(
      fc.property(tree, (root) => {
        const text = `<?xml version="1.0"?>\n<!-- generated -->\n${render(root)}\n`;
        const scanned = scanXml(text);
        expect(scanned.root).toBe(root.name);
        expect(plain(scanned.element)).toEqual(expected(root));
      }),
      { numRuns: 300 },
    );
  });

  it('looks an attribute up without being fooled by a name inside another value', () => {
    const { element } = scanXml('<a x=" y=&quot;no&quot;" z="1" y="yes"/>');
    expect(element.attribute('y')).toBe('yes');
    const plainValues = scanXml('<a note=" y=" y="yes" w="2"/>').element;
    expect(plainValues.attribute('y')).toBe('yes');
    expect(plainValues.attribute('missing')).toBeUndefined();
    expect(scanXml('<a q=\'it&apos;s\' r="&#65;&#x42;"/>').element.attributes).toEqual({ q: "it's", r: 'AB' });
  });

  it.each([
    ['<a><b></a>', /closing tag 'a' does not match 'b'/],
    ['<a b="&amp;" b="2"/>', /attribute 'b' repeated/],
    ['<a b="&#99999999;"/>', /character reference &#99999999; names no XML character/],
    ['<a b="&#0;"/>', /names no XML character/],
    ['<a b="&#xD800;"/>', /names no XML character/],
    ['<a b="&#x110000;"/>', /names no XML character/],
    ['<a><![CDATA[x</a>', /unclosed CDATA section/],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a b="&e;"/>', /'&' that starts no entity/],
    ['<a/><!DOCTYPE a>', /a DOCTYPE must come once, before the root element/],
    ['<!ELEMENT a ANY><a/>', /'<!' that starts no comment, CDATA or DOCTYPE/],
    ['<a b=1/>', /malformed attributes/],
    ['<a b="x<y"/>', /malformed attributes/],
    ['<a b="&bogus;"/>', /'&' that starts no entity/],
    ['<a/><b/>', /a second root element/],
    ['text<a/>', /text outside the root element/],
    ['<a>', /unclosed tag 'a'/],
    ['<a><!-- open', /unclosed comment/],
  ])('rejects %j, and parseXmlDocument says so in one line', (text, message) => {
    expect(() => scanXml(text)).toThrow(message);
    expect(() => parseXmlDocument(text, 'r.xml')).toThrow(InputError);
    try {
      parseXmlDocument(text, 'r.xml');
    } catch (error) {
      expect((error as Error).message).toMatch(/^r\.xml: line \d+, column \d+: [^\n]+$/);
    }
  });

  it('refuses a repeated attribute when its element is read: one line, with line and column', () => {
    for (const text of ['<a b="1" b="2"/>', '<a>\n  <c x="1" y="2" x="3"/>\n</a>']) {
      const { element } = parseXmlDocument(text, 'd.xml');
      const read = () => child(element, 'c')?.attribute('x') ?? element.attribute('b');
      expect(read).toThrow(InputError);
      expect(read).toThrow(/^d\.xml: line \d+, column \d+: attribute '[bx]' repeated$/);
    }
  });

  it('reads every attribute value exactly, with references, CDATA, comments and a DOCTYPE around it', () => {
    // Any string of XML characters; written with character references for some, predefined entities for
    // the rest of what must be escaped. Read back: the same string (no trimming, no normalising).
    const xmlCharacter = fc
      .integer({ min: 0x9, max: 0x10ffff })
      .filter(
        (code) =>
          code === 0x9 ||
          code === 0xa ||
          code === 0xd ||
          (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          code >= 0x10000,
      )
      .map((code) => String.fromCodePoint(code));
    const value = fc.array(fc.oneof(xmlCharacter, fc.constantFrom(' ', '\t', 'é', '&', '<', '"', "'", 'a')), {
      maxLength: 20,
    });
    fc.assert(
      fc.property(value, fc.boolean(), fc.boolean(), fc.nat(), (characters, doctype, cdata, seed) => {
        const original = characters.join('');
        // Whitespace other than a space is normalised by XML in attribute values unless written as a reference.
        const written = characters
          .map((character, index) => {
            const code = character.codePointAt(0) as number;
            if (code < 0x20 || (index + seed) % 3 === 0)
              return (index + seed) % 2 === 0 ? `&#${code};` : `&#x${code.toString(16)};`;
            return escapeXml(character);
          })
          .join('');
        const text = `${doctype ? '<!DOCTYPE cib [<!ELEMENT cib ANY> <!ATTLIST cib v CDATA "x>y">]>\n' : ''}<cib v="${written}"><!-- a > b -->${cdata ? '<![CDATA[ <not> & "markup" ]]>' : ''}<node w='${written.replaceAll("'", '&apos;')}'/></cib>`;
        const { element } = parseXmlDocument(text, 'v.xml');
        expect(element.attribute('v')).toBe(original);
        expect(element.attributes.v).toBe(original);
        expect(child(element, 'node')?.attribute('w')).toBe(original);
      }),
      { numRuns: 500 },
    );
  });

  it('reports malformed documents with line and column, in the validator’s words when it has them', () => {
    const text = '<cib>\n  <configuration>\n    <nodes>\n</cib>\n';
    expect(XMLValidator.validate(text)).not.toBe(true);
    expect(() => parseXmlDocument(text, 'x.xml')).toThrow(/^x\.xml: line 4, column \d+: /);
    expect(() => parseXmlDocument('<a b="&bogus;"/>', 'y.xml')).toThrow(InputError);
  });

  it('reads past CDATA and a DOCTYPE itself (no second parser)', () => {
    expect(scanXml('<a><![CDATA[x]]></a>').root).toBe('a');
    const { root, element } = parseXmlDocument('<!DOCTYPE a>\n<a k="v"><b/></a>', 'z.xml');
    expect(root).toBe('a');
    expect(element.attribute('k')).toBe('v');
    expect(element.children.b).toHaveLength(1);
  });

  it('reads elements and attributes named like Object.prototype members as plain names', () => {
    const text = '<a constructor="c" __proto__="p"><constructor/><__proto__ valueOf="v"/><toString/></a>';
    const { element } = parseXmlDocument(text, 'p.xml');
    const protoName = '__proto__';
    expect(element.attribute('constructor')).toBe('c');
    expect(element.attribute('__proto__')).toBe('p');
    expect(element.attribute('valueOf')).toBeUndefined();
    expect(children(element, 'constructor')).toHaveLength(1);
    expect(child(element, protoName)?.attribute('valueOf')).toBe('v');
    expect(children(element, 'toString')).toHaveLength(1);
    expect(children(element, 'valueOf')).toEqual([]);
    expect(Object.getPrototypeOf(element.children)).toBe(Object.prototype);
    // With a CDATA section too: the same reader, the same reading.
    const withCdata = parseXmlDocument(text.replace('<toString/>', '<toString><![CDATA[x]]></toString>'), 'p.xml');
    expect(withCdata.element.attribute('constructor')).toBe('c');
    expect(child(withCdata.element, protoName)?.attribute('valueOf')).toBe('v');
  });
});
