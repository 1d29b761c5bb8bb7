/**
 * Which source answers which mod_xml_curl fetch: one per section (dialplan, directory…) and, for
 * the configuration section, one per configuration file (sofia.conf, ivr.conf…). Each issue that
 * serves a part of the switch's configuration adds its source here; a fetch nobody serves is
 * answered with the "not found" document.
 */

/** The form fields of a fetch, read on demand: a call's fetch has some 200, a source reads a few. */
export interface FormFields {
  /** The field's first value, or undefined when it was not sent. */
  get(name: string): string | undefined;
}

/** One mod_xml_curl request. */
export interface XmlFetch {
  section: string;
  tagName: string;
  keyName: string;
  keyValue: string;
  /** Every form field: Hunt-*, Caller-*, variable_*, and the configuration's own (profile, gateway…). */
  fields: FormFields;
}

/** The document for a fetch, or null for "not found". */
export type XmlSource = (fetch: XmlFetch) => Promise<string | null>;

export class XmlSources {
  private readonly sections = new Map<string, XmlSource>();
  private readonly configurations = new Map<string, XmlSource>();

  /** Serves every fetch of `section` (not `configuration`: use `addConfiguration`). */
  addSection(section: string, source: XmlSource): void {
    if (section === 'configuration') throw new Error('configuration is served per file: use addConfiguration');
    if (this.sections.has(section)) throw new Error(`section ${section} is already served`);
    this.sections.set(section, source);
  }

  /** Serves the configuration file `name` (the fetch's key_value, e.g. `sofia.conf`). */
  addConfiguration(name: string, source: XmlSource): void {
    if (this.configurations.has(name)) throw new Error(`configuration ${name} is already served`);
    this.configurations.set(name, source);
  }

  find(fetch: XmlFetch): XmlSource | undefined {
    return fetch.section === 'configuration' ? this.configurations.get(fetch.keyValue) : this.sections.get(fetch.section);
  }
}
