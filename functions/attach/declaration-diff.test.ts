import { describe, expect, it } from 'vitest';
import { diffDeclarations, valueAt } from './declaration-diff.ts';

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

describe('declaration diff: edges', () => {
  it('reports removed array items and keys, and a value that changed kind, at their own paths', () => {
    expect(diffDeclarations({ triggers: [{ a: 1 }, { b: 2 }] }, { triggers: [{ a: 1 }] })).toEqual([{ path: '/triggers/1', before: { b: 2 } }]);
    expect(diffDeclarations({ a: [1] }, { a: { 0: 1 } })).toEqual([{ path: '/a', before: [1], after: { 0: 1 } }]);
    expect(diffDeclarations({ a: { 0: 1 } }, { a: [1] })).toEqual([{ path: '/a', before: { 0: 1 }, after: [1] }]);
    expect(diffDeclarations({ a: null }, { a: {} })).toEqual([{ path: '/a', before: null, after: {} }]);
    expect(diffDeclarations({ a: {} }, { a: null })).toEqual([{ path: '/a', before: {}, after: null }]);
    expect(diffDeclarations({ a: 1 }, {})).toEqual([{ path: '/a', before: 1 }]);
  });

  it('tells a key set to undefined from a missing one, and leaves the absent side out', () => {
    expect(diffDeclarations({ a: undefined }, { a: 1 })).toStrictEqual([{ path: '/a', after: 1 }]);
    expect(diffDeclarations({ a: 1 }, { a: undefined })).toEqual([{ path: '/a', before: 1 }]);
    expect(diffDeclarations({ a: 1 }, { a: undefined })[0]).not.toHaveProperty('after');
  });

  it('ignores the version of a declaration only, and compares whole values that are not objects', () => {
    expect(diffDeclarations({ stages: [{ version: 1 }] }, { stages: [{ version: 2 }] })).toEqual([{ path: '/stages/0/version', before: 1, after: 2 }]);
    expect(diffDeclarations('a', 'b')).toEqual([{ path: '', before: 'a', after: 'b' }]);
    expect(diffDeclarations([1], [2])).toEqual([{ path: '/0', before: 1, after: 2 }]);
  });

  it('escapes ~ and / in keys, and reads them back', () => {
    const after = { 'a~/b': 1 };
    const [change] = diffDeclarations({}, after);
    expect(change!.path).toBe('/a~0~1b');
    expect(valueAt(after, change!.path)).toBe(1);
  });

  it('reads nothing through values that are not objects, or keys that are only inherited', () => {
    expect(valueAt({ a: 'text' }, '/a/length')).toBeUndefined();
    expect(valueAt({ a: null }, '/a/b')).toBeUndefined();
    expect(valueAt({ a: {} }, '/a/toString')).toBeUndefined();
    expect(valueAt({ a: [5] }, '/a/0')).toBe(5);
  });
});
