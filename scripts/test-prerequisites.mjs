// `npm test`'s first half: the typecheck, the lint and the local package (which the test suites
// need: test/global-setup.ts then finds it built) side by side, as each is mostly single-threaded
// and CI has two cores. Each one's output is printed whole once it ends; any failure fails.
import { spawn } from 'node:child_process';

const checks = [
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['typecheck console', 'npx', ['tsc', '--noEmit', '-p', 'console/tsconfig.json']],
  ['lint', 'npx', ['eslint', '.']],
  ['package', 'npx', ['tsx', 'scripts/package-local.ts']],
];

const results = await Promise.all(
  checks.map(
    ([name, command, args]) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('close', (code) => resolve({ name, code, output, seconds: (Date.now() - started) / 1000 }));
      }),
  ),
);

for (const { name, code, output, seconds } of results) {
  process.stdout.write(`${name}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${seconds.toFixed(1)} s\n${output}`);
}
process.exit(results.some(({ code }) => code !== 0) ? 1 : 0);
