/**
 * The documents FreeSWITCH fetches over mod_xml_curl, built from plain data. Every value goes
 * through `xmlEscape`, attribute or text alike.
 */
import { XML_UNREPRESENTABLE } from '../../routing/dialplan-values.js';

/** What FreeSWITCH understands as "I have nothing for this fetch": it then uses its own files. */
export const NOT_FOUND_DOCUMENT = '<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>';

/** A value that XML cannot carry; writes refuse such values, so meeting one here is a bug or an old row. */
export class UnrenderableValueError extends Error {}

const REFERENCES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // In attribute values a parser turns raw whitespace into spaces; references keep it.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

const NEEDS_REFERENCE = /[&<>"'\t\n\r]/;
const NEEDS_REFERENCES = new RegExp(NEEDS_REFERENCE.source, 'g');

/** Escapes text for an XML attribute value or element content. */
export function xmlEscape(value: string): string {
  if (XML_UNREPRESENTABLE.test(value)) throw new UnrenderableValueError(`${JSON.stringify(value)} has characters XML cannot carry`);
  // Most values need no reference: testing first spares the dialplan (every fetch) a copy per value.
  return NEEDS_REFERENCE.test(value) ? value.replace(NEEDS_REFERENCES, (character) => REFERENCES[character]!) : value;
}

export interface XmlElement {
  name: string;
  attributes?: Record<string, string>;
  children?: XmlElement[];
}

/**
 * The element and its children, indented two spaces per level, one element per line. Built by
 * concatenation: the dialplan serializes a document per call, and arrays joined per level cost
 * more than the rest of its rendering.
 */
export function serialize(element: XmlElement, depth = 0): string {
  const indent = '  '.repeat(depth);
  let text = `${indent}<${element.name}`;
  const attributes = element.attributes ?? {};
  for (const name of Object.keys(attributes)) text += ` ${name}="${xmlEscape(attributes[name]!)}"`;
  const children = element.children ?? [];
  if (children.length === 0) return `${text}/>`;
  text += '>';
  for (const child of children) text += `\n${serialize(child, depth + 1)}`;
  return `${text}\n${indent}</${element.name}>`;
}

/** A whole document answering a fetch of `section`. */
export function freeswitchDocument(section: string, children: XmlElement[]): string {
  return `${serialize({
    name: 'document',
    attributes: { type: 'freeswitch/xml' },
    children: [{ name: 'section', attributes: { name: section }, children }],
  })}\n`;
}
