import { describe, expect, it } from 'vitest';
import { readPipelineAttachConfig } from '../../functions/shared/pipeline-config.ts';

describe('pipeline attach settings', () => {
  it('defaults to granting, the automatic first run and three attempts', () => {
    expect(readPipelineAttachConfig({})).toEqual({ grantPermissions: true, firstRun: 'auto', updateAttempts: 3 });
  });

  it('reads the switches', () => {
    expect(readPipelineAttachConfig({ GRANT_PIPELINE_PERMISSIONS: 'FALSE', FIRST_RUN: 'retry-only', PIPELINE_UPDATE_ATTEMPTS: '5' })).toEqual({
      grantPermissions: false,
      firstRun: 'retry-only',
      updateAttempts: 5,
    });
    expect(readPipelineAttachConfig({ PIPELINE_UPDATE_ATTEMPTS: '0' }).updateAttempts).toBe(3);
  });

  it('refuses an unknown first-run mode (a deployment error)', () => {
    expect(() => readPipelineAttachConfig({ FIRST_RUN: 'always' })).toThrow(/FIRST_RUN must be one of auto, retry-only, off/);
  });
});
