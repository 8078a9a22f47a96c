import { describe, expect, it } from 'vitest';
import { diffDeclarations, valueAt } from '../../functions/pipelines/declaration-diff.ts';

describe('declaration diff (JSON Pointer paths, for the auditor)', () => {
  it('lists changed, added and removed leaves, and ignores the version', () => {
    const before = { version: 3, stages: [{ name: 'S', actions: [{ configuration: { A: '1', 'x/y': 'z' } }] }], triggers: [{ a: 1 }] };
    const after = { version: 4, stages: [{ name: 'S', actions: [{ configuration: { A: '2', B: '3' } }] }], triggers: [{ a: 1 }, { b: 2 }] };
    expect(diffDeclarations(before, after)).toEqual([
      { path: '/stages/0/actions/0/configuration/A', before: '1', after: '2' },
      { path: '/stages/0/actions/0/configuration/x~1y', before: 'z' },
      { path: '/stages/0/actions/0/configuration/B', after: '3' },
      { path: '/triggers/1', after: { b: 2 } },
    ]);
    expect(diffDeclarations(before, structuredClone(before))).toEqual([]);
  });

  it('reads a value back at a path, so drift is a comparison', () => {
    const document = { stages: [{ actions: [{ configuration: { 'x/y': 'z', 'a~b': 1 } }] }] };
    expect(valueAt(document, '/stages/0/actions/0/configuration/x~1y')).toBe('z');
    expect(valueAt(document, '/stages/0/actions/0/configuration/a~0b')).toBe(1);
    expect(valueAt(document, '/stages/1/actions')).toBeUndefined();
    expect(valueAt(document, '')).toBe(document);
  });
});
