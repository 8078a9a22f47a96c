// The parser lives with the local runtime, which reads CloudFormation YAML too (infra/spoke-role.yml).
export { parseCloudFormationYaml } from '../../infra/local/cloudformation-yaml.ts';
