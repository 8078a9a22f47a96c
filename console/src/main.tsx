import { render } from 'preact';
import * as z from 'zod';
import { App } from './app.tsx';
import type { ConsoleConfig } from '../config.ts';
import './styles.css';

// zod's JIT probes eval, which the Content-Security-Policy (script-src 'self') refuses and reports.
z.config({ jitless: true });

const config = (await (await fetch('/console-config.json')).json()) as ConsoleConfig;
render(<App config={config} />, document.getElementById('app') as HTMLElement);
