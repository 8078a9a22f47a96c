import { config, type BrokerConfig } from './config.ts';

/**
 * What a function builds from its settings once per Lambda container (stores, idempotency layers):
 * built on first use and kept while the settings are the same object. Tests that change the
 * environment call resetConfig(), which makes a new settings object, so the next use rebuilds;
 * `reset()` forces that too.
 */
export function perContainer<Built>(build: (settings: BrokerConfig) => Built): (() => Built) & { reset(): void } {
  let built: { settings: BrokerConfig; value: Built } | undefined;
  const get = () => {
    const settings = config();
    if (built?.settings !== settings) built = { settings, value: build(settings) };
    return built.value;
  };
  return Object.assign(get, { reset: () => (built = undefined) });
}
