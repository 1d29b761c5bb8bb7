/**
 * Gateways as a routing stage: a call that leaves through a gateway (a route's or time segment's
 * FS_DEST_GATEWAY destination, dest_uuid the gateway's id) has the gateway's own sdnc and dnc
 * applied last, after the route's dnc/sdnc and the DOD, so the far end sees the gateway's
 * translation. Trunks and trunk groups dial addresses, not gateways: none applies to them, nor
 * to calls arriving from a gateway. Pure: the caller loads it.
 */

/** A gateway's number rules, "" for none (number-transform.ts, or a translation table). */
export interface GatewayRules {
  id: number;
  name: string;
  dnc: string;
  sdnc: string;
}

/** The destination type that leaves through the gateway its dest_uuid names. */
export const GATEWAY_DESTINATION = 'FS_DEST_GATEWAY';

export class GatewayIndex {
  private byId = new Map<number, GatewayRules>();

  get size(): number {
    return this.byId.size;
  }

  replaceAll(gateways: Iterable<GatewayRules>): void {
    this.byId = new Map([...gateways].map((gateway) => [gateway.id, gateway]));
  }

  /** The gateway the destination leaves through, or null (another type, or no such gateway). */
  through(destination: { destType: string; destUuid: string }): GatewayRules | null {
    if (destination.destType !== GATEWAY_DESTINATION) return null;
    return this.byId.get(Number(destination.destUuid)) ?? null;
  }
}
