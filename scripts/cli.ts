/**
 * The scripts' command lines: `--help`/`-h` prints the usage on stdout and exits 0; an unknown flag,
 * a missing value or a stray argument prints what is wrong and the usage on stderr and exits 2.
 * Never a stack trace.
 */
export function usageError(usage: string, message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

/** Runs `parse` (a strict `parseArgs` whose options include `help`), handling help and errors. */
export function parseCommandLine<V extends { help?: boolean | undefined }>(usage: string, parse: () => { values: V }): V {
  let values: V;
  try {
    ({ values } = parse());
  } catch (error) {
    usageError(usage, (error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}
