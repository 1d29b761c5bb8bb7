/**
 * What the gateways resource needs from the switches: sofia commands on gateways and their
 * registration state. src/freeswitch/switch-effects.ts implements it over the Event Socket.
 */

/** One gateway as a switch's `sofia xmlstatus gateway` reports it. */
export interface RunningGateway {
  switchName: string;
  name: string;
  profile: string;
  /** NOREG, TRYING, REGED, UNREGED, FAILED... */
  state: string;
  /** UP or DOWN. */
  status: string;
}

export interface GatewayStatusReport {
  /** Gateways running on the switches that answered. */
  running: RunningGateway[];
  /** How many switches answered; 0: nothing is known. */
  answered: number;
}

export type GatewayAction = 'startgw' | 'killgw' | 'register' | 'unregister';

export interface SofiaControl {
  /** `sofia profile PROFILE ACTION NAME` on every connected switch; a 503 when none is. */
  gatewayCommand(profile: string, action: GatewayAction, name: string): Promise<void>;
  gatewayStatus(): Promise<GatewayStatusReport>;
}
