import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { parse } from 'yaml';
import { defineConfig, type Plugin } from 'vite';

const shim = (name: string) => fileURLToPath(new URL(`./src/browser-shims/${name}.ts`, import.meta.url));

/**
 * The state machines' ASL files become plain JSON modules at build time (anchors and merges
 * expanded, as statemachines/load.ts reads them): the graph the console draws is the deployed
 * definition itself, not a copy.
 */
function aslYaml(): Plugin {
  return {
    name: 'asl-yaml',
    transform(code, id) {
      if (!id.endsWith('.asl.yml')) return undefined;
      return { code: `export default ${JSON.stringify(parse(code, { merge: true }))};`, map: null };
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Vite's dev server is not used: the local system serves the built files with the API.
  logLevel: 'warn',
  plugins: [preact({ prerender: { enabled: false } }), aslYaml()],
  resolve: {
    // The request form validates with the API's own schema (functions/request/contract.ts), whose
    // few Node imports these stand in for in the browser.
    alias: { 'node:crypto': shim('node-crypto'), 'node:url': shim('node-url') },
  },
  // No source maps: the files are public on AWS.
  build: { emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
});
