import { RAMClient } from '@aws-sdk/client-ram';
import type { ClientProvider } from '../aws-clients.ts';
import { traced } from './traced.ts';

/** RAM in the hub: connections are global resources, shared from us-east-1 (the connections-share guide). */
export const ramClient: ClientProvider<'ram'> = { name: 'ram', build: (options = {}) => traced(new RAMClient({ region: 'us-east-1', ...options })) };
