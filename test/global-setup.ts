import { fileURLToPath } from 'node:url';
import { ensureConsoleBuilt } from '../console/build.ts';
import { ensureChromium } from './browser/chromium.ts';
import { ensureLocalPackage } from '../infra/local/runtime/local-package.ts';

/**
 * The local system reads each function's role from the packaged template (and the packaged-mode
 * suite runs the bundles), so package once before any test file starts one: test files then share
 * the cached package instead of racing to build it.
 */
export default async function setup(): Promise<void> {
  // The local system serves the web console's build (the browser tests drive it).
  await ensureConsoleBuilt();
  // …in a real Chromium (test/browser), Debian's package, installed here if missing.
  process.env.CHROMIUM_PATH = ensureChromium();
  await ensureLocalPackage(fileURLToPath(new URL('..', import.meta.url)), { stage: 'local', region: 'us-east-1' });
}
