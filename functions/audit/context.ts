import { BrokerStore } from '../request/store.ts';
import { clients } from '../adapters/aws-clients.ts';
import { perContainer } from '../shell/per-container.ts';
import { metrics } from '../shell/powertools.ts';
import { slackBotClient } from '../adapters/slack/credentials.ts';
import { auditClients } from './audit-clients.ts';
import type { AuditDependencies } from './run-audit.ts';
import { readAuditSettings } from './settings.ts';
import { AuditStore } from './store.ts';

/** Built on first use and kept for the container's life (shell/per-container.ts), like the other functions' contexts. */
export const auditDependencies = perContainer((broker): AuditDependencies => {
  const settings = readAuditSettings();
  const { documents } = clients();
  return {
    settings,
    auditStore: new AuditStore(documents, broker.tableName, settings.reportRetentionDays),
    requestStore: new BrokerStore(documents, broker.tableName),
    clientsFor: auditClients,
    // Slack is optional: without credentials the stored report is the only output.
    postToSlack: async (channel, message) => {
      const slack = await slackBotClient('background');
      if (slack) await slack.postMessage(channel, message);
    },
    metrics,
  };
});
