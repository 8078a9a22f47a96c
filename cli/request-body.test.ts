import { describe, expect, it } from 'vitest';
import { parseConnectionRequest } from '../functions/request/contract.ts';
import { parseTags, requestBody } from './request-body.ts';

describe('request flags → POST /v1/connection-requests body', () => {
  it('maps each flag to its field, and leaves out what was not given', () => {
    const result = requestBody({
      providerEndpoint: 'https://ghe.example.com',
      providerType: 'GitHubEnterpriseServer',
      connectionName: 'ghe-payments',
      accountId: '222222222222',
      region: 'eu-west-1',
      connectionStrategy: 'dedicated',
      pipelineName: 'payments',
      pipelineAction: 'Source',
      repository: 'platform/payments',
      branch: 'main',
      outputArtifactFormat: 'CODEBUILD_CLONE_REF',
      detectChanges: false,
      trigger: true,
      tag: ['team=payments', 'cost-centre=42'],
    });
    expect(result).toEqual({
      ok: true,
      body: {
        providerEndpoint: 'https://ghe.example.com',
        providerType: 'GitHubEnterpriseServer',
        connectionName: 'ghe-payments',
        accountId: '222222222222',
        region: 'eu-west-1',
        connectionStrategy: 'dedicated',
        pipeline: {
          name: 'payments',
          sourceActionName: 'Source',
          fullRepositoryId: 'platform/payments',
          branchName: 'main',
          outputArtifactFormat: 'CODEBUILD_CLONE_REF',
          detectChanges: false,
          trigger: true,
        },
        tags: { team: 'payments', 'cost-centre': '42' },
      },
    });
  });

  it('gives a body the contract accepts', () => {
    const result = requestBody({ providerEndpoint: 'https://ghe.example.com', pipelineName: 'payments', repository: 'acme/payments', branch: 'main', tag: ['team=payments'] });
    expect(result.ok).toBe(true);
    expect(parseConnectionRequest(result.ok ? result.body : undefined).ok).toBe(true);
  });

  it('sends only what was given: no flags, an empty body (the API names what is missing)', () => {
    expect(requestBody({})).toEqual({ ok: true, body: {} });
  });

  it('builds the VPC settings from repeatable and comma-separated ids, with the certificate text', () => {
    const result = requestBody({
      providerEndpoint: 'https://ghe.example.com',
      vpcId: 'vpc-0123456789abcdef0',
      subnetId: ['subnet-11111111,subnet-22222222', 'subnet-33333333'],
      securityGroupId: ['sg-11111111'],
      tlsCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    });
    expect(result.ok && result.body.vpcConfiguration).toEqual({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-11111111', 'subnet-22222222', 'subnet-33333333'],
      securityGroupIds: ['sg-11111111'],
      tlsCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    });
  });

  it('overrides the file field by field, keeping what the flags do not mention', () => {
    const file = {
      providerEndpoint: 'https://old.example.com',
      connectionName: 'from-file',
      pipeline: { name: 'payments', fullRepositoryId: 'acme/payments', branchName: 'main', trigger: { push: [{ branches: { includes: ['main'] } }] } },
      vpcConfiguration: { vpcId: 'vpc-11111111', subnetIds: ['subnet-11111111'], securityGroupIds: ['sg-11111111'] },
      tags: { team: 'payments', owner: 'alice' },
    };
    const result = requestBody({ providerEndpoint: 'https://ghe.example.com', branch: 'release', subnetId: ['subnet-22222222'], tag: ['owner=bob'] }, file);
    expect(result).toEqual({
      ok: true,
      body: {
        providerEndpoint: 'https://ghe.example.com',
        connectionName: 'from-file',
        pipeline: { name: 'payments', fullRepositoryId: 'acme/payments', branchName: 'release', trigger: { push: [{ branches: { includes: ['main'] } }] } },
        vpcConfiguration: { vpcId: 'vpc-11111111', subnetIds: ['subnet-22222222'], securityGroupIds: ['sg-11111111'] },
        tags: { team: 'payments', owner: 'bob' },
      },
    });
    // The file itself is left as it was.
    expect(file.pipeline.branchName).toBe('main');
  });

  it('adds --tag to the list form of the file’s tags', () => {
    const result = requestBody({ tag: ['b=2'] }, { tags: [{ key: 'a', value: '1' }] });
    expect(result.ok && result.body.tags).toEqual({ a: '1', b: '2' });
  });

  it('passes the file through untouched when no flag is given, even what the API will refuse', () => {
    const file = { providerEndpoint: 'https://ghe.example.com', pipeline: 'not an object', tags: [] };
    expect(requestBody({}, file)).toEqual({ ok: true, body: file });
  });

  it('refuses a file that is not one JSON object', () => {
    expect(requestBody({}, [1, 2])).toEqual({ ok: false, problems: ['--file must hold one JSON object: the request body'] });
    expect(requestBody({}, null)).toMatchObject({ ok: false });
  });

  it('refuses tags without a key, or a key given twice', () => {
    expect(requestBody({ tag: ['team', '=x', 'a=1', 'a=2'] })).toEqual({
      ok: false,
      problems: ['--tag team: give key=value (the value may be empty: key=)', '--tag =x: give key=value (the value may be empty: key=)', '--tag a is given more than once'],
    });
  });

  it('keeps everything after the first = in the value, and allows an empty value', () => {
    expect(parseTags(['url=https://x.example.com/?a=b', 'empty='])).toEqual({ ok: true, tags: { url: 'https://x.example.com/?a=b', empty: '' } });
  });

  it('keeps a __proto__ tag as a tag (for the API to refuse), never as a prototype', () => {
    const result = parseTags(['__proto__=x']);
    expect(result.ok && Object.getPrototypeOf(result.tags)).toBe(Object.prototype);
    expect(result.ok && JSON.stringify(result.tags)).toBe('{"__proto__":"x"}');
  });
});
