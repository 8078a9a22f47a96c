import { fileURLToPath } from 'node:url';
import { ensureLocalPackage } from '../infra/local/runtime/local-package.ts';

// The local stage's package (osls package), built once per change of the sources; the test suites
// and `npm start` reuse it. `npm test` builds it alongside the typecheck and the lint.
await ensureLocalPackage(fileURLToPath(new URL('..', import.meta.url)), { stage: 'local', region: 'us-east-1', log: (line) => console.log(line) });
