import type { SandboxDeps, SandboxModule } from '../../service.ts';
import { configView, slackControlRoutes } from './control-routes.ts';
import { responseUrlRoute } from './response-urls.ts';
import { SLACK_SLICE, type SlackState } from './state.ts';
import { webApiRoute } from './web-api.ts';

/**
 * A fake Slack workspace: the Web API methods the broker calls (at `/slack/api/<method>`, for
 * `@slack/web-api` with `slackApiUrl`), response URLs, and a control API that clicks buttons the
 * way Slack does, with a signed `block_actions` POST to the app's Interactivity URL.
 */
export function createSlackModule(deps: SandboxDeps): SandboxModule {
  return {
    httpRoutes: [webApiRoute(deps), responseUrlRoute(deps)],
    controlRoutes: slackControlRoutes(deps),
    inventory: () => {
      const state = deps.store.slicesOf<SlackState>(SLACK_SLICE)[0]?.data;
      if (!state) return {};
      const live = state.messages.filter((message) => !message.deleted);
      return { slack: { config: configView(state.config), messages: live.length, recordedEvents: state.events.length } };
    },
  };
}
