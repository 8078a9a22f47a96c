import { AccountStore } from '../accounts/store.ts';
import { clients } from '../adapters/aws-clients.ts';
import { spokeAccessOf, spokeCredentials } from '../adapters/aws/target-clients.ts';
import { slackBotClient } from '../adapters/slack/credentials.ts';
import { BrokerStore } from '../request/store.ts';
import { perContainer } from '../shell/per-container.ts';
import { metrics } from '../shell/powertools.ts';
import { ShareableConnectionStore } from '../sharing/store.ts';
import { auditClients } from './audit-clients.ts';
import { isHome } from './places.ts';
import type { AuditDependencies } from './run-audit.ts';
import { readAuditSettings } from './settings.ts';
import { AuditStore } from './store.ts';

/** Built on first use and kept for the container's life (shell/per-container.ts), like the other functions' contexts. */
export const auditDependencies = perContainer((broker): AuditDependencies => {
  const settings = readAuditSettings();
  const { documents } = clients();
  const home = { accountId: broker.accountId, region: broker.region };
  const access = spokeAccessOf(broker);
  return {
    settings,
    home,
    auditStore: new AuditStore(documents, broker.tableName, settings.reportRetentionDays),
    requestStore: new BrokerStore(documents, broker.tableName),
    accounts: new AccountStore(documents, broker.tableName),
    offered: new ShareableConnectionStore(documents, broker.tableName),
    // A spoke is read as its spoke role (infra/spoke-role.yml grants the audit's reads); each place gets its own paced clients.
    clientsFor: (place, pacers, stats) =>
      isHome(place, home)
        ? auditClients(pacers, stats)
        : auditClients(pacers, stats, { region: place.region, ...(place.accountId === home.accountId ? {} : { credentials: spokeCredentials(place.accountId, access) }) }),
    // Slack is optional: without credentials the stored report is the only output.
    postToSlack: async (channel, message) => {
      const slack = await slackBotClient('background');
      if (slack) await slack.postMessage(channel, message);
    },
    metrics,
  };
});
