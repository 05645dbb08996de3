import { SolutionReadError } from './solution-errors';
import { XmlFormatError, attribute, child, childText, children, parseXml } from './xml';

/** The most XML parsed at once from one file: a whole small file, or one `<connectionreferences>` block. */
export const MAX_PARSED_XML_CHARS = 16 * 1024 * 1024;

export interface SolutionConnectionReference {
  logicalName: string;
  /** e.g. /providers/Microsoft.PowerApps/apis/shared_office365; empty when the file has none. */
  connectorId: string;
  displayName?: string;
}

const OPENING = /<connectionreferences\b([^<>]*)>/gi;
const CLOSING = /<\/connectionreferences\s*>/gi;
const DTD = /<!DOCTYPE|<!ENTITY/i;
/** Characters kept between chunks so that a tag split across them is still found. */
const OVERLAP = 64;

/** Parses XML text of a solution file, refusing more than the cap; errors name the file. */
export function parseSolutionXml(xml: string, relativePath: string): ReturnType<typeof parseXml> {
  if (xml.length > MAX_PARSED_XML_CHARS) throw new SolutionReadError(tooLarge(relativePath, xml.length));
  try {
    return parseXml(xml);
  } catch (error) {
    if (error instanceof XmlFormatError) throw new SolutionReadError(`${relativePath}: ${error.message}`);
    throw error;
  }
}

function tooLarge(relativePath: string, size: number): string {
  return `${relativePath}: ${size} characters of XML would be parsed at once, more than the ${MAX_PARSED_XML_CHARS} allowed`;
}

/**
 * Finds the connection references in customizations.xml, fed as text chunks: only the
 * `<connectionreferences>` blocks are kept and parsed, so memory stays bounded by the largest
 * block and time is linear in the file's size, however large the rest (entities, forms, flows) is.
 */
export class ConnectionReferenceScanner {
  /** Outside a block: a possible start of a tag left at the end of the last chunk. */
  private tail = '';
  /** Inside a block: its text so far, in parts, and its last characters (a closing tag may be split). */
  private block: string[] | undefined;
  private blockLength = 0;
  private carry = '';
  private dtdCarry = '';
  private readonly seen = new Set<string>();
  readonly references: SolutionConnectionReference[] = [];

  constructor(private readonly relativePath: string) {}

  push(text: string): void {
    const dtdWindow = this.dtdCarry + text;
    if (DTD.test(dtdWindow)) throw new SolutionReadError(`${this.relativePath}: it contains a DTD (<!DOCTYPE or <!ENTITY), which solution files never have`);
    this.dtdCarry = dtdWindow.slice(-OVERLAP);

    let buffer = text;
    let position = 0;
    if (this.block) {
      const window = this.carry + text;
      CLOSING.lastIndex = 0;
      if (!CLOSING.exec(window)) {
        this.addToBlock(text);
        this.carry = window.slice(-OVERLAP);
        return;
      }
      // The carry held no whole closing tag, so this one ends inside `text`.
      const end = CLOSING.lastIndex - this.carry.length;
      this.addToBlock(text.slice(0, end));
      this.readBlock(this.block.join(''));
      this.block = undefined;
      position = end;
    } else {
      buffer = this.tail + text;
    }

    for (;;) {
      OPENING.lastIndex = position;
      const opening = OPENING.exec(buffer);
      if (!opening) {
        const lastTag = buffer.lastIndexOf('<');
        this.tail = lastTag >= position && buffer.length - lastTag <= 4096 ? buffer.slice(lastTag) : '';
        return;
      }
      position = OPENING.lastIndex;
      if (opening[1].trimEnd().endsWith('/')) continue;
      CLOSING.lastIndex = position;
      if (CLOSING.exec(buffer)) {
        this.readBlock(buffer.slice(opening.index, CLOSING.lastIndex));
        position = CLOSING.lastIndex;
        continue;
      }
      const start = buffer.slice(opening.index);
      this.block = [];
      this.blockLength = 0;
      this.addToBlock(start);
      this.carry = start.slice(-OVERLAP);
      this.tail = '';
      return;
    }
  }

  end(): SolutionConnectionReference[] {
    if (this.block) throw new SolutionReadError(`${this.relativePath}: <connectionreferences> is not closed`);
    return this.references;
  }

  private addToBlock(text: string): void {
    this.blockLength += text.length;
    if (this.blockLength > MAX_PARSED_XML_CHARS) throw new SolutionReadError(tooLarge(this.relativePath, this.blockLength));
    this.block!.push(text);
  }

  private readBlock(block: string): void {
    const document = parseSolutionXml(block, this.relativePath);
    for (const element of children(child(document, 'connectionreferences'), 'connectionreference')) {
      const logicalName = (attribute(element, 'connectionreferencelogicalname') ?? childText(element, 'connectionreferencelogicalname') ?? '').trim();
      if (!logicalName || this.seen.has(logicalName.toLowerCase())) continue;
      this.seen.add(logicalName.toLowerCase());
      // The direct child only: a custom connector nests its own <connectorid> inside <customconnectorid>.
      const connectorId = (childText(element, 'connectorid') ?? '').trim();
      const displayName = childText(element, 'connectionreferencedisplayname')?.trim();
      this.references.push({ logicalName, connectorId, ...(displayName ? { displayName } : {}) });
    }
  }
}

/** The connection references of customizations.xml text held whole. */
export function readConnectionReferences(customizationsXml: string, relativePath = 'customizations.xml'): SolutionConnectionReference[] {
  const scanner = new ConnectionReferenceScanner(relativePath);
  scanner.push(customizationsXml);
  return scanner.end();
}
