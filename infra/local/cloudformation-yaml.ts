// CloudFormation YAML as CloudFormation reads it: serverless.yml fragments, infra/spoke-role.yml.
import { parse } from 'yaml';
import type { Tags } from 'yaml';

// CloudFormation's short-form intrinsics (!Ref, !GetAtt, ...) are unknown YAML tags to
// a plain parser; map each to its long JSON form so tests see what CloudFormation sees.
const INTRINSICS = [
  'Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split',
  'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or',
] as const;

function longForm(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function tagsFor(name: string): Tags {
  const key = longForm(name);
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) },
  ];
}

const CLOUDFORMATION_TAGS: Tags = [
  ...['Ref', 'Condition', ...INTRINSICS].flatMap(tagsFor),
  // !GetAtt Resource.Attribute is shorthand for [Resource, Attribute].
  {
    tag: '!GetAtt',
    resolve: (value: string) => {
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
    },
  },
  { tag: '!GetAtt', collection: 'seq', resolve: (seq) => ({ 'Fn::GetAtt': seq.toJSON() }) },
];

export function parseCloudFormationYaml(text: string): unknown {
  return parse(text, { customTags: CLOUDFORMATION_TAGS });
}
