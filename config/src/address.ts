// "host:port" addresses as MOSN writes them (Go's net.SplitHostPort form): an IPv4 address or a
// host name followed by ":port", or an IPv6 address in brackets, "[::1]:8080".

import { isIP } from 'node:net';

export interface ParsedAddress {
  /** Without brackets, ready for net.listen / net.connect. */
  host: string;
  port: number;
}

export interface AddressRules {
  /** Port 0 asks the kernel for a free port: useful for a listener, meaningless for an upstream. */
  allowPortZero: boolean;
}

// RFC 1123 labels: letters, digits and inner hyphens, 1-63 characters each.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const PORT = /^\d{1,5}$/;

/** What a valid address looks like, for error messages. */
export function addressExpectation(rules: AddressRules): string {
  return `"host:port" with a port ${rules.allowPortZero ? 0 : 1}-65535`;
}

/** Returns undefined when `text` is not a valid address under `rules`. */
export function parseAddress(text: string, rules: AddressRules): ParsedAddress | undefined {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']:');
    if (close < 0) return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) return undefined;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) return undefined;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    // A bare IPv6 address has several colons and needs brackets to carry a port.
    if (host.includes(':')) return undefined;
    if (isIP(host) !== 4 && !HOST_NAME.test(host)) return undefined;
  }
  if (!PORT.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535 || (port === 0 && !rules.allowPortZero)) return undefined;
  return { host, port };
}

/** True for the addresses that mean "every local address" when listening. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}
