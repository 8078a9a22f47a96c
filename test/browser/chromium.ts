/**
 * Finds the Chromium the browser tests drive: CHROMIUM_PATH, else Debian's `chromium` package
 * (/usr/bin/chromium). When it is missing and this runs as root on Debian (CI, a fresh machine),
 * it installs the package with apt-get: Playwright's own browser downloads are not reachable
 * here, Debian's packages are. Anywhere else it says what to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  const fromEnvironment = process.env.CHROMIUM_PATH;
  if (fromEnvironment) return existsSync(fromEnvironment) ? fromEnvironment : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

export function ensureChromium(log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): string {
  const found = findChromium();
  if (found) return found;
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    throw new Error('The browser tests need Chromium: install Debian\'s package (sudo apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium or Chrome binary.');
  }
  log('installing Debian\'s chromium for the browser tests (apt-get install -y chromium), once per machine…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 600_000 });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-liberation'], { stdio: 'ignore', env, timeout: 900_000 });
  const installed = findChromium();
  if (!installed) throw new Error('apt-get installed chromium, but /usr/bin/chromium is not there');
  return installed;
}
