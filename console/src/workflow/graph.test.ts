import { describe, expect, it } from 'vitest';
import { loadStateMachine } from '../../../statemachines/load.ts';
import { edgeKey, layoutGraph, lightGraph, stateGraph } from './graph.ts';

const provisioning = stateGraph(loadStateMachine('provisioning'));

describe('stateGraph', () => {
  it('has every state of the provisioning machine and its transitions, catches included', () => {
    expect(provisioning.startAt).toBe('IsCancel');
    expect(provisioning.nodes.map((node) => node.id)).toEqual(expect.arrayContaining(['AcquireHost', 'AwaitHostSetup', 'AwaitHandshake', 'RollBack', 'Provisioned']));
    expect(provisioning.edges).toContainEqual({ from: 'IsHostAvailable', to: 'AwaitHostSetup', kind: expect.stringMatching(/choice|default/) });
    expect(provisioning.edges).toContainEqual({ from: 'AcquireHost', to: 'RollBack', kind: 'catch' });
    // Every transition ends at a state that exists.
    const ids = new Set(provisioning.nodes.map((node) => node.id));
    for (const edge of provisioning.edges) expect(ids.has(edge.to)).toBe(true);
  });
});

describe('lightGraph', () => {
  it('lights the current state, the states and transitions taken, and leaves the rest idle', () => {
    const light = lightGraph(provisioning, { steps: [{ state: 'IsCancel' }, { state: 'IsShared' }, { state: 'AcquireHost' }, { state: 'IsHostAvailable' }, { state: 'AwaitHostSetup' }], current: 'AwaitHostSetup', executionStatus: 'RUNNING' });
    expect(light.nodes.get('AwaitHostSetup')).toBe('current');
    expect(light.nodes.get('AcquireHost')).toBe('visited');
    expect(light.nodes.get('CreateConnection')).toBe('idle');
    expect(light.edgesTaken.has(edgeKey('IsHostAvailable', 'AwaitHostSetup'))).toBe(true);
    expect(light.edgesTaken.has(edgeKey('AwaitHostSetup', 'CreateConnection'))).toBe(false);
  });

  it('marks the last state of a failed execution as failed', () => {
    const light = lightGraph(provisioning, { steps: [{ state: 'AcquireHost' }, { state: 'RollBack' }, { state: 'NotProvisioned' }], executionStatus: 'FAILED' });
    expect(light.nodes.get('NotProvisioned')).toBe('failed');
  });
});

describe('layoutGraph', () => {
  it('places every state without overlap and routes every transition', () => {
    const layout = layoutGraph(provisioning);
    expect(layout.nodes).toHaveLength(provisioning.nodes.length);
    for (const a of layout.nodes) {
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
    }
    for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
    expect(layout.width).toBeGreaterThan(0);
  });
});
