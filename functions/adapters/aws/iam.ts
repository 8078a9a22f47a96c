import { IAMClient } from '@aws-sdk/client-iam';
import type { ClientProvider } from '../aws-clients.ts';
import { traced } from './traced.ts';

export const iamClient: ClientProvider<'iam'> = { name: 'iam', build: (options = {}) => traced(new IAMClient(options)) };
