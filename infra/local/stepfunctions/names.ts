/**
 * AWS's rule for state machine and execution names: 1 to 80 characters, none of them white space,
 * brackets `< > { } [ ]`, wildcards `? *`, the characters `" # % \ ^ | ~ ` $ & , ; : /`, or control
 * characters (U+0000-001F, U+007F-009F).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function isValidResourceName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !FORBIDDEN.test(name);
}
