/**
 * DIDs (the spec's hotlines) as a routing stage: in a context with hotline_enabled, a call whose
 * dialled number is a DID's line number rings that DID's extensions, all at once, and no route is
 * consulted (the DID names the very number; routes are prefix rules). Pure: the caller loads it.
 */

export interface Hotline {
  id: number;
  lineNumber: string;
  /** The extension numbers (extn) the DID lists, in its order. */
  numbers: readonly string[];
  /** The extensions they name, each in its domain (one extn may exist in several domains). */
  extensions: readonly { extn: string; domain: string }[];
}

/** The DID whose line number a call dialled, and whether its context lets it apply. */
export interface HotlineMatch {
  hotline: Hotline;
  applied: boolean;
  detail: string;
}

export class HotlineIndex {
  private byLine = new Map<string, Hotline>();
  private enabledContexts = new Set<string>();

  get size(): number {
    return this.byLine.size;
  }

  /** Replaces every DID and the set of context keys with hotline_enabled. */
  replaceAll(hotlines: Iterable<Hotline>, enabledContexts: Iterable<string>): void {
    this.byLine = new Map([...hotlines].map((hotline) => [hotline.lineNumber, hotline]));
    this.enabledContexts = new Set(enabledContexts);
  }

  /** The DID of `destNumber`, applied when `context` has hotline_enabled; null when no DID has that line number. */
  match(context: string, destNumber: string): HotlineMatch | null {
    const hotline = this.byLine.get(destNumber);
    if (hotline === undefined) return null;
    return this.enabledContexts.has(context)
      ? { hotline, applied: true, detail: `DID ${hotline.lineNumber} rings ${hotline.numbers.join(', ')} at once; routes are not consulted` }
      : { hotline, applied: false, detail: `context ${context} does not have hotline_enabled: routes decide` };
  }
}
