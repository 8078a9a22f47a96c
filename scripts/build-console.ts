/**
 * `npm run build:console [-- --out <dir>]`: the web console's static files (default .local/console,
 * what `npm start` serves; it rebuilds by itself when the sources change).
 */
import { parseArgs } from 'node:util';
import { buildConsole, ensureConsoleBuilt } from '../console/build.ts';
import { parseCommandLine } from './cli.ts';

const USAGE = 'usage: npm run build:console [-- --out <dir>]';
const values = parseCommandLine(USAGE, () => parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
const started = performance.now();
if (values.out !== undefined) await buildConsole({ outDir: values.out });
else await ensureConsoleBuilt();
console.log(`console built in ${Math.round(performance.now() - started)} ms → ${values.out ?? '.local/console'}`);
