declare module '*.asl.yml' {
  const definition: { StartAt?: string; States?: Record<string, Record<string, unknown>> };
  export default definition;
}

declare module 'punycode/punycode.es6.js' {
  export function toUnicode(domain: string): string;
}
