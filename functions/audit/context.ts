import { BrokerStore } from '../request/store.ts';
import { clients } from '../adapters/aws-clients.ts';
import { config } from '../shell/config.ts';
import { metrics } from '../shell/powertools.ts';
import { slackBotClient } from '../adapters/slack/credentials.ts';
import { auditClients } from './audit-clients.ts';
import type { AuditDependencies } from './run-audit.ts';
import { readAuditSettings } from './settings.ts';
import { AuditStore } from './store.ts';

let cached: AuditDependencies | undefined;

/** Built on first use and kept for the container's life, like the other functions' contexts. */
export function auditDependencies(): AuditDependencies {
  if (cached) return cached;
  const settings = readAuditSettings();
  const { documents } = clients();
  cached = {
    settings,
    auditStore: new AuditStore(documents, config().tableName, settings.reportRetentionDays),
    requestStore: new BrokerStore(documents, config().tableName),
    clientsFor: auditClients,
    // Slack is optional: without credentials the stored report is the only output.
    postToSlack: async (channel, message) => {
      const slack = await slackBotClient('background');
      if (slack) await slack.postMessage(channel, message);
    },
    metrics,
  };
  return cached;
}
