import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { ClientProvider } from '../aws-clients.ts';
import { traced } from './traced.ts';

export const pipelinesClient: ClientProvider<'pipelines'> = { name: 'pipelines', build: (options = {}) => traced(new CodePipelineClient(options)) };
