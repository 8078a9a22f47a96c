import { ControlApiError } from '../errors.ts';
import type { FaultRule } from '../faults.ts';
import type { ControlRoute } from '../service.ts';
import type { Sandbox } from '../server.ts';
import { optionalNumber, requiredString } from './router.ts';

/** Routes that concern the sandbox as a whole: inventory, reset, faults, clock, call counts, config. */
export function coreControlRoutes(sandbox: Sandbox): ControlRoute[] {
  return [
    {
      method: 'GET',
      path: '/',
      summary: 'List the control routes',
      handle: () => ({ routes: sandbox.controlRoutes() }),
    },
    {
      method: 'GET',
      path: '/state',
      summary: 'Everything the sandbox holds, per service, account and Region',
      handle: () => sandbox.inventory(),
    },
    {
      method: 'POST',
      path: '/reset',
      summary: 'Delete every resource, fault rule and call count (the clock keeps its time)',
      handle: () => {
        sandbox.store.reset();
        sandbox.faults.clear();
        sandbox.calls.reset();
        return { ok: true };
      },
    },
    {
      method: 'GET',
      path: '/iam/enforcement',
      summary: 'Whether calls with the functions\' credentials are authorised (IAM), the principals, and the latest refusals',
      handle: () => ({ enabled: sandbox.authorizer.enabled, refusals: sandbox.authorizer.recentRefusals() }),
    },
    {
      method: 'PUT',
      path: '/iam/enforcement',
      summary: 'Switch IAM enforcement on or off: {"enabled": boolean}',
      handle: (request) => {
        if (typeof request.body.enabled !== 'boolean') throw new ControlApiError(400, 'InvalidParameter', 'enabled must be true or false', 'enabled');
        sandbox.authorizer.enabled = request.body.enabled;
        return { enabled: sandbox.authorizer.enabled };
      },
    },
    {
      method: 'GET',
      path: '/faults',
      summary: 'List fault-injection rules',
      handle: () => ({ rules: sandbox.faults.list() }),
    },
    {
      method: 'PUT',
      path: '/faults',
      summary: 'Set a rule {service, operation|"*", throttleRate, errorRate, latencyMs, tps, seed?}',
      handle: ({ body }) => {
        const service = requiredString(body, 'service');
        const operation = typeof body.operation === 'string' && body.operation !== '' ? body.operation : '*';
        const rule: FaultRule = {
          throttleRate: optionalNumber(body, 'throttleRate', { min: 0, max: 1 }),
          errorRate: optionalNumber(body, 'errorRate', { min: 0, max: 1 }),
          latencyMs: optionalNumber(body, 'latencyMs', { min: 0, max: 60_000 }),
          tps: optionalNumber(body, 'tps', { min: 0, max: 100_000 }),
        };
        const seed = optionalNumber(body, 'seed', { min: 0, max: 2 ** 32 - 1 });
        if (seed !== undefined) sandbox.faults.seed(seed);
        sandbox.faults.set(service, operation, rule);
        return { rules: sandbox.faults.list() };
      },
    },
    {
      method: 'DELETE',
      path: '/faults',
      summary: 'Remove every fault rule',
      handle: () => {
        sandbox.faults.clear();
        return { rules: [] };
      },
    },
    {
      method: 'GET',
      path: '/clock',
      summary: 'The sandbox time',
      handle: () => clockView(sandbox),
    },
    {
      method: 'PUT',
      path: '/clock',
      summary: 'Freeze the sandbox time ({"frozen": true}: it moves only when advanced) or let real time move it again',
      handle: ({ body }) => {
        if (typeof body.frozen !== 'boolean') throw new ControlApiError(400, 'InvalidParameter', 'frozen must be true or false', 'frozen');
        sandbox.clock.freeze(body.frozen);
        return clockView(sandbox);
      },
    },
    {
      method: 'POST',
      path: '/clock/advance',
      summary: 'Move the sandbox time forward by {seconds}',
      handle: async ({ body }) => {
        const seconds = optionalNumber(body, 'seconds', { min: 0 });
        if (seconds === undefined) throw new ControlApiError(400, 'InvalidParameter', 'seconds is required', 'seconds');
        await sandbox.settleBeforeClockMoves();
        sandbox.clock.advance(seconds * 1000);
        return clockView(sandbox);
      },
    },
    {
      method: 'GET',
      path: '/calls',
      summary: 'Calls served, per service, operation and outcome; ?by=account: per account too',
      handle: ({ query }) => {
        const by = query.get('by');
        if (by === null || by === '') return { calls: sandbox.calls.snapshot() };
        if (by === 'account') return { calls: sandbox.calls.snapshotByAccount() };
        throw new ControlApiError(400, 'InvalidParameter', 'by must be account (or left out)', 'by');
      },
    },
    {
      method: 'GET',
      path: '/calls/trail',
      summary: 'The changes made, in order: each successful non-read call, what it acted on, and the connection ARNs its input named',
      handle: () => ({ trail: sandbox.calls.trail() }),
    },
    {
      method: 'DELETE',
      path: '/calls',
      summary: 'Reset the call counts',
      handle: () => {
        sandbox.calls.reset();
        return { calls: [] };
      },
    },
    {
      method: 'GET',
      path: '/config',
      summary: 'Quotas and behaviour settings',
      handle: () => sandbox.config,
    },
    {
      method: 'PUT',
      path: '/config',
      summary: 'Change quotas or behaviour {hostQuota, connectionQuota, pipelineQuota, vpcInitializationSeconds, iamPropagationSeconds, ramAssociationSeconds}',
      handle: ({ body }) => {
        for (const field of ['hostQuota', 'connectionQuota', 'pipelineQuota', 'vpcInitializationSeconds', 'iamPropagationSeconds', 'ramAssociationSeconds'] as const) {
          const value = optionalNumber(body, field, { min: 0, max: 1_000_000 });
          if (value !== undefined) sandbox.config[field] = value;
        }
        return sandbox.config;
      },
    },
  ];
}

function clockView(sandbox: Sandbox): { now: string; epochSeconds: number; frozen: boolean } {
  return { now: new Date(sandbox.clock.nowMs()).toISOString(), epochSeconds: sandbox.clock.nowEpochSeconds(), frozen: sandbox.clock.frozen };
}
