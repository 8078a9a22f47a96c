/**
 * `node:crypto` for the API's request schema in the browser. Browsers have no synchronous X.509
 * parser, so the form only checks a TLS certificate's shape (one PEM block, nothing around it);
 * whether it parses and is valid now is checked by the API on submit, and its answer is shown next
 * to the same field. Hashing is only used to derive names, which the form never does.
 */
export class X509Certificate {
  readonly validFrom = 'Jan  1 00:00:00 1970 GMT';
  readonly validTo = 'Dec 31 23:59:59 9999 GMT';
  readonly subject = '';
  readonly issuer = '';
  readonly fingerprint256 = '';
  readonly ca = true;
  constructor(readonly pem: string) {}
}

export function createHash(): never {
  throw new Error('createHash is not available in the console');
}
