import { describe, expect, it } from 'vitest';
import { readPipelineAttachConfig } from './config.ts';

describe('pipeline attach settings', () => {
  it('defaults to granting, the automatic first run and three attempts', () => {
    expect(readPipelineAttachConfig({})).toEqual({ grantMode: 'inline-policy', firstRun: 'auto', updateAttempts: 3 });
  });

  it('reads the switches', () => {
    expect(readPipelineAttachConfig({ GRANT_PIPELINE_PERMISSIONS: 'FALSE', FIRST_RUN: 'retry-only', PIPELINE_UPDATE_ATTEMPTS: '5' })).toEqual({
      grantMode: 'check-only',
      firstRun: 'retry-only',
      updateAttempts: 5,
    });
    expect(readPipelineAttachConfig({ PIPELINE_UPDATE_ATTEMPTS: '0' }).updateAttempts).toBe(3);
  });

  it('names the grant modes, true and false standing for the first and the last', () => {
    expect(readPipelineAttachConfig({ GRANT_PIPELINE_PERMISSIONS: 'true' }).grantMode).toBe('inline-policy');
    expect(readPipelineAttachConfig({ GRANT_PIPELINE_PERMISSIONS: ' tag-based ' }).grantMode).toBe('tag-based');
    expect(readPipelineAttachConfig({ GRANT_PIPELINE_PERMISSIONS: 'check-only' }).grantMode).toBe('check-only');
    expect(() => readPipelineAttachConfig({ GRANT_PIPELINE_PERMISSIONS: 'tags' })).toThrow(/GRANT_PIPELINE_PERMISSIONS must be one of inline-policy, tag-based, check-only/);
  });

  it('refuses an unknown first-run mode (a deployment error)', () => {
    expect(() => readPipelineAttachConfig({ FIRST_RUN: 'always' })).toThrow(/FIRST_RUN must be one of auto, retry-only, off/);
  });
});
