import { isIPv4, isIPv6 } from 'node:net';

/** An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 at most. */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.');
  // An all-numeric last label is an IPv4 address or nothing (RFC 1123 §2.1), never a name.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) => LABEL.test(label));
}

/** The host[:port] part of a trunk address, or a sentence saying what is wrong with it. */
function hostAndPortProblem(text: string): string | null {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : (() => {
    const colon = text.lastIndexOf(':');
    return colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
  })();
  if (bracketed ? !isIPv6(host) : !(isIPv4(host) || isHostName(host))) {
    return bracketed ? `"${host}" is not an IPv6 address` : `"${host}" is not an IPv4 address or a host name (IPv6 goes in brackets)`;
  }
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return `port "${port}" is not a number from 1 to 65535`;
  }
  return null;
}

const SCHEME = /^sips?:/i;

/**
 * Why `address` is not a trunk address, or null: `host[:port]` or a `sip:`/`sips:` URI of one
 * (`sip:192.168.1.100:8081`, as the spec's examples send), with no user part or URI parameters,
 * since the dialplan appends the called number and the transport itself.
 */
export function trunkAddressProblem(address: string): string | null {
  const hostPart = address.replace(SCHEME, '');
  if (hostPart === '') return 'must be host[:port] or sip:host[:port]';
  const problem = hostAndPortProblem(hostPart);
  return problem ? `${problem} (expected host[:port] or sip:host[:port])` : null;
}

/** The host[:port] a call to the trunk is sent to: the address without its URI scheme. */
export const dialAddress = (address: string): string => address.replace(SCHEME, '');
