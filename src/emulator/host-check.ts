/**
 * DNS rebinding protection: a web page whose name an attacker re-points at 127.0.0.1 would be same-origin with the
 * emulator and could drive its API from a browser. Such requests carry the attacker's name in Host, so the emulator
 * answers only Host values it serves: IP literals, localhost, and the names it is told about (--hostname). Remote
 * agents reaching it by IP keep working; a name needs to be given.
 */
import { isIP } from 'node:net';

/** The host part of a Host header value (brackets of an IPv6 literal removed), lowercased. */
export function hostOf(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** undefined when the Host is one the emulator serves, else the refusal message. */
export function refuseHost(header: string | undefined, names: readonly string[]): string | undefined {
  // HTTP/1.0 clients may send none; there is then no name to rebind.
  if (header === undefined || header === '') return undefined;
  const host = hostOf(header);
  if (isIP(host) !== 0 || host === 'localhost' || names.some((n) => n.toLowerCase() === host)) return undefined;
  return `Host '${host}' is not a name this emulator serves (DNS rebinding protection): use an IP address or localhost, or start the emulator with --hostname ${host}`;
}
