/**
 * DODs as a routing stage: a call placed by an extension that leaves through a gateway or trunk
 * on which the extension has a DOD presents the DOD's line number as its caller number (before
 * the route's sdnc, which may still reformat it for that carrier). Pure: the caller loads it.
 */

/** The way out a DOD is for, as its `type` names it. */
export type DodWayOut = 'GATEWAY' | 'TRUNKS';

export interface Dod {
  id: number;
  /** The extension placing the call: its extn and domain ('' for the default domain). */
  extn: string;
  domain: string;
  type: DodWayOut;
  /** Id of the gateway or trunk. */
  refId: number;
  lineNumber: string;
}

/** The extension a call comes from, as the switch authenticated it (FreeSWITCH's user_name and domain_name). */
export interface CallerExtension {
  extn: string;
  domain: string;
}

/** The destination types that leave through one gateway or one trunk named by dest_uuid. */
const WAY_OUT_OF: Readonly<Record<string, DodWayOut>> = { FS_DEST_GATEWAY: 'GATEWAY', FS_DEST_CLUSTER_TRUNK: 'TRUNKS' };

export class DodIndex {
  private byExtn = new Map<string, Dod[]>();

  get size(): number {
    let count = 0;
    for (const list of this.byExtn.values()) count += list.length;
    return count;
  }

  replaceAll(dods: Iterable<Dod>): void {
    const byExtn = new Map<string, Dod[]>();
    for (const dod of dods) {
      const list = byExtn.get(dod.extn);
      if (list) list.push(dod);
      else byExtn.set(dod.extn, [dod]);
    }
    this.byExtn = byExtn;
  }

  /**
   * The DOD of `caller` on the gateway or trunk the destination leaves through, or null. The
   * extension of the caller's domain first, else the one of the default domain ('').
   */
  lineFor(caller: CallerExtension, destination: { destType: string; destUuid: string }): Dod | null {
    const type = WAY_OUT_OF[destination.destType];
    if (type === undefined) return null;
    const refId = Number(destination.destUuid);
    const onThisWay = (this.byExtn.get(caller.extn) ?? []).filter((dod) => dod.type === type && dod.refId === refId);
    return onThisWay.find((dod) => dod.domain === caller.domain) ?? onThisWay.find((dod) => dod.domain === '') ?? null;
  }
}
