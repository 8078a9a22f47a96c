#!/usr/bin/env node
// `npx connection-broker`: runs the CLI's TypeScript (cli/main.ts) through tsx, as the repo's scripts do.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
