/**
 * What the extensions list needs from the switches: who is registered. src/freeswitch/switch-status.ts
 * implements it over the Event Socket.
 */
export interface RegistrationReport {
  /** `user@realm` of every registration the switches that answered hold. */
  users: Set<string>;
  /** How many switches answered; 0: nothing is known. */
  answered: number;
}

export interface RegistrationSource {
  registeredUsers(): Promise<RegistrationReport>;
}
