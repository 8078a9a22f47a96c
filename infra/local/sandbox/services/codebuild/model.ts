import { SmithyModel } from '../../model/smithy-model.ts';

// There is no official CodeBuild model in the repository; this one is hand-written and says so inside.
export const codeBuildModel = SmithyModel.load(new URL('./codebuild-local.smithy.json', import.meta.url));
