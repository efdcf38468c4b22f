/** The fast XML scanner reads what the general parser reads, and rejects what it rejects. */
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/adapter/inputError.ts';
import { child, children, parseXmlDocument, type XmlElement } from '../../src/adapter/xmlDocument.ts';
import { scanXml, XmlScanError } from '../../src/adapter/xmlScanner.ts';

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
    ['<a b="1" b="2"/>', null],
    ['<a b=1/>', /malformed attributes/],
    ['<a b="x<y"/>', /malformed attributes/],
    ['<a b="&bogus;"/>', /'&' that starts no entity/],
    ['<a/><b/>', /a second root element/],
    ['text<a/>', /text outside the root element/],
    ['<a>', /unclosed tag 'a'/],
    ['<a><!-- open', /unclosed comment/],
  ])('rejects %j', (text, message) => {
    if (message === null) {
      // A repeated attribute keeps its first value (the general parser's validator rejects it: see below).
      expect(scanXml(text).element.attribute('b')).toBe('1');
      return;
    }
    expect(() => scanXml(text)).toThrow(message);
  });

  it('reports malformed documents with line and column, in the validator’s words when it has them', () => {
    const text = '<cib>\n  <configuration>\n    <nodes>\n</cib>\n';
    expect(XMLValidator.validate(text)).not.toBe(true);
    expect(() => parseXmlDocument(text, 'x.xml')).toThrow(/^x\.xml: line 4, column \d+: /);
    expect(() => parseXmlDocument('<a b="&bogus;"/>', 'y.xml')).toThrow(InputError);
  });

  it('hands CDATA and DOCTYPE to the general parser', () => {
    expect(() => scanXml('<a><![CDATA[x]]></a>')).toThrow(XmlScanError);
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
    // Through the general parser (a CDATA section sends it there), which refuses such names: one clean error.
    const general = text.replace('<toString/>', '<toString><![CDATA[x]]></toString>');
    expect(() => parseXmlDocument(general, 'p.xml')).toThrow(InputError);
    expect(() => parseXmlDocument(general, 'p.xml')).toThrow(/^p\.xml: [^\n]*constructor/);
  });
});
