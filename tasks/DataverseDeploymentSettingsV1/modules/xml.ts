import { XMLParser } from 'fast-xml-parser';

/** An element as fast-xml-parser gives it: attributes as `@_name`, text as `#text`, children as arrays. */
export type XmlElement = Record<string, unknown>;

export class XmlFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlFormatError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Entities are never expanded: solution files have no DTD, and a DTD is refused before parsing.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
});

/** Parses XML text into a document whose every element is in an array; refuses DTDs. */
export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlFormatError('it contains a DTD (<!DOCTYPE or <!ENTITY), which solution files never have');
  try {
    return parser.parse(text) as XmlElement;
  } catch (error) {
    throw new XmlFormatError(`it is not well-formed XML (${(error as Error).message})`);
  }
}


const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined XML entities and character references, decoded in one pass. */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (match, name: string) => {
    if (name[0] !== '#') return PREDEFINED[name];
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

function asElement(value: unknown): XmlElement {
  if (value !== null && typeof value === 'object') return value as XmlElement;
  return { '#text': value === undefined || value === null ? '' : String(value) };
}

/** Child elements with this name, compared case-insensitively. */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  if (!element) return [];
  const wanted = name.toLowerCase();
  const result: XmlElement[] = [];
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith('@_') || key === '#text' || key.toLowerCase() !== wanted) continue;
    for (const item of Array.isArray(value) ? value : [value]) result.push(asElement(item));
  }
  return result;
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(element, name)[0];
}

/** Decoded text content of an element; undefined for a missing element or `xsi:nil="true"`. */
export function text(element: XmlElement | undefined): string | undefined {
  if (!element) return undefined;
  if (attribute(element, 'nil')?.toLowerCase() === 'true') return undefined;
  const value = element['#text'];
  if (value === undefined || value === null) return '';
  return decodeXmlEntities(Array.isArray(value) ? value.join('') : String(value));
}

export function childText(element: XmlElement | undefined, name: string): string | undefined {
  return text(child(element, name));
}

/** Attribute value, compared case-insensitively, decoded. */
export function attribute(element: XmlElement | undefined, name: string): string | undefined {
  if (!element) return undefined;
  const wanted = `@_${name}`.toLowerCase();
  const key = Object.keys(element).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : decodeXmlEntities(String(element[key]));
}
