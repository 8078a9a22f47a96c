import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import type { RecordedSlackEvent } from '../../infra/local/sandbox/services/slack/state.ts';
import { control } from './sandbox.ts';

/** The fake Slack's default bot token and workspace (see services/slack/state.ts). */
export const BOT_TOKEN = 'xoxb-sandbox-bot-token';
export const TEAM_ID = 'T0SANDBOX';
export const APP_ID = 'A0SANDBOX';
export const APPROVALS_CHANNEL = 'C0APPROVALS';

/** What `@slack/web-api` takes as `slackApiUrl` to reach the fake Slack. */
export function slackApiUrl(sandbox: Sandbox): string {
  return `${sandbox.url}/slack/api/`;
}

export async function recordedSlackEvents(sandbox: Sandbox, query = ''): Promise<RecordedSlackEvent[]> {
  return (await control<{ messages: RecordedSlackEvent[] }>(sandbox, 'GET', `/slack/messages${query}`)).messages;
}

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  rawBody: string;
}

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** A tiny HTTP server standing in for our interactivity endpoint; `answer` decides each response. */
export async function startReceiver(
  answer: (request: ReceivedRequest, response: ServerResponse) => void | Promise<void> = (_request, response) => {
    response.writeHead(200).end();
  },
): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, rawBody: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      void Promise.resolve(answer(entry, response)).catch(() => response.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slack/interactivity`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
