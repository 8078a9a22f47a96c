import type { ConstraintOverrides } from '../../model/validate.ts';
import { SmithyModel } from '../../model/smithy-model.ts';

export const codepipelineModel = SmithyModel.load(new URL('../../models/codepipeline.smithy.json', import.meta.url));

/**
 * AWS accepts action configuration values of up to 50,000 characters and says so in its
 * validation messages, although the model (and the user guide) say 1,000 (facts §1 item 9).
 */
export const CODEPIPELINE_VALIDATION_OVERRIDES: ConstraintOverrides = {
  'com.amazonaws.codepipeline#ActionConfigurationValue': { 'smithy.api#length': { min: 1, max: 50000 } },
};
