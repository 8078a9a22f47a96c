import { fileURLToPath } from 'node:url';
import { ensureLocalPackage } from '../infra/local/runtime/local-package.ts';

/**
 * The local system reads each function's role from the packaged template (and the packaged-mode
 * suite runs the bundles), so package once before any test file starts one: test files then share
 * the cached package instead of racing to build it.
 */
export default async function setup(): Promise<void> {
  await ensureLocalPackage(fileURLToPath(new URL('..', import.meta.url)), { stage: 'local', region: 'us-east-1' });
}
