// asl-validator 4 ships no type declarations.
declare module 'asl-validator' {
  interface ValidationError {
    'Error code': string;
    Message: string;
  }
  interface ValidationResult {
    isValid: boolean;
    errors: ValidationError[];
    errorsText(separator?: string): string;
  }
  // Mutates its input (adds QueryLanguage to every state): pass a clone.
  // Pass no options: a partial options object silently disables the path checks.
  function validator(definition: unknown): ValidationResult;
  export = validator;
}
