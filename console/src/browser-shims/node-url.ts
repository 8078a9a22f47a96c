/**
 * `node:url`'s IDNA helpers for the API's endpoint check (functions/request/endpoint.ts) in the
 * browser: the WHATWG URL parser does UTS #46 to ASCII as Node does, and punycode.js decodes.
 */
import { toUnicode } from 'punycode/punycode.es6.js';

export function domainToASCII(domain: string): string {
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return '';
  }
}

export function domainToUnicode(domain: string): string {
  try {
    return toUnicode(domain);
  } catch {
    return '';
  }
}
