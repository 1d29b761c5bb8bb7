/**
 * A call to one extension (FS_DEST_USER) as its do-not-disturb and forwards make it: an
 * unconditional forward sends the call on without ringing; do-not-disturb refuses it as busy
 * (USER_BUSY: 486 Busy Here to a SIP caller), so a busy forward takes it; busy and no-answer
 * forwards take over when the bridge to the phone fails for their causes. A forward is a
 * `transfer` of the call to the number in the called extension's context, routed afresh.
 */
import type { ExtensionFeatures } from '../../resources/extension-features/features.js';
import type { DialplanLine } from '../../routing/dialplan-values.js';

/** The called extension, as its features need it. */
export interface CalledExtension {
  features: ExtensionFeatures;
  extn: string;
  domain: string;
  /** Where its forwards are routed: the extension's own context. */
  context: string;
  /** What its callers hear while it rings (a checked sound), '' for the route's or the switch's. */
  ringback: string;
}

/**
 * The mod_hash realm where a call to an extension leaves its caller's uuid while it rings and
 * talks (`<extn>@<domain>`, and `last@<domain>` for the latest), so that the pickup and listen-in
 * codes find it: function-codes.ts reads it back.
 */
export const RINGING_REALM = 'switchboard_ringing';

/** mod_voicemail's profile of the extensions' mailboxes (freeswitch/autoload_configs/voicemail.conf.xml). */
export const VOICEMAIL_PROFILE = 'default';

const action = (application: string, data = ''): DialplanLine => ({ application, data });

/** Bridge failures a busy forward takes. */
const BUSY_CAUSES = ['USER_BUSY'];
/** Bridge failures a no-answer forward takes: ringing out, a phone that does not respond, one that is not registered. */
const NO_ANSWER_CAUSES = ['NO_ANSWER', 'NO_USER_RESPONSE', 'USER_NOT_REGISTERED'];

export function userBridgeActions(dialString: string, called: CalledExtension | undefined): DialplanLine[] {
  const bridge = action('bridge', dialString);
  if (!called) return [bridge];
  // Features and pickup apply to Switchboard's extensions only (a number it does not know is bridged as dialled).
  const { features, context } = called;
  const remember = [
    action('hash', `insert/${RINGING_REALM}/${called.extn}@${called.domain}/\${uuid}`),
    action('hash', `insert/${RINGING_REALM}/last@${called.domain}/\${uuid}`),
  ];
  const forwardTo = (number: string) => action('transfer', `${number} XML ${context}`);
  // How long the bridge rings the phone before it fails with NO_ANSWER.
  const rings = [
    ...(features.ringTimeout > 0 ? [action('set', `call_timeout=${features.ringTimeout}`)] : []),
    // Set after the route's own ringback: the called extension's choice wins for calls to it.
    ...(called.ringback ? [action('set', `ringback=${called.ringback}`), action('set', `transfer_ringback=${called.ringback}`)] : []),
  ];
  if (features.forwardAlways) return [forwardTo(features.forwardAlways)];
  if (features.dnd) return [features.forwardBusy ? forwardTo(features.forwardBusy) : action('hangup', 'USER_BUSY')];
  const forwards = [
    ...(features.forwardBusy ? BUSY_CAUSES.map((cause) => [cause, features.forwardBusy] as const) : []),
    ...(features.forwardNoanswer ? NO_ANSWER_CAUSES.map((cause) => [cause, features.forwardNoanswer] as const) : []),
  ];
  if (forwards.length === 0) return [...remember, ...rings, bridge];
  // Only the listed causes go on past the bridge; the forward is picked by the cause the bridge failed with.
  return [
    action('set', `continue_on_fail=${forwards.map(([cause]) => cause).join(',')}`),
    action('set', 'hangup_after_bridge=true'),
    ...forwards.map(([cause, number]) => action('set', `switchboard_forward_${cause}=${number}`)),
    ...remember,
    ...rings,
    bridge,
    forwardTo('${switchboard_forward_${originate_disposition}}'),
  ];
}
