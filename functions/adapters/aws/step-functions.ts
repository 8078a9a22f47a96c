import { SFNClient } from '@aws-sdk/client-sfn';
import type { ClientProvider } from '../aws-clients.ts';
import { traced } from './traced.ts';

export const stepFunctionsClient: ClientProvider<'stepFunctions'> = { name: 'stepFunctions', build: () => traced(new SFNClient({})) };
