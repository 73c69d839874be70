import {
  AccessDeniedException, CancelServiceInstanceDeploymentCommand, CreateServiceCommand, CreateServiceInstanceCommand, DeleteServiceCommand,
  GetServiceCommand, GetServiceInstanceCommand, ListServiceInstanceOutputsCommand, ListServiceInstancesCommand, ListTagsForResourceCommand,
  ProtonClient, TagResourceCommand, UntagResourceCommand, UpdateServiceCommand, UpdateServiceInstanceCommand, ValidationException,
} from '@aws-sdk/client-proton';
import { errorOf, useEmulator } from './helpers';
import { ProtonEmulator, REQUIRED_PERMISSIONS } from '../../../local/emulator';
import { HANDLERS } from '../../../local/emulator/operations';
import { AuthorizationDecision, AuthorizationRequest, Authorizer, decide, PolicyDocument, principalArn } from '../../../local/iam';

// Not the emulator's defaults, to show the ARNs come from its options.
const REGION = 'eu-west-1';
const ACCOUNT = '210987654321';
const SERVICE_ARN = `arn:aws:proton:${REGION}:${ACCOUNT}:service/svc`;
const WEB_ARN = `${SERVICE_ARN}/service-instance/web`;
const PRINCIPAL = principalArn(ACCOUNT, 'Handler-Role', 'Handler-OnEvent');

function handlerClient(emulator: ProtonEmulator, maxAttempts = 1): ProtonClient {
  return new ProtonClient({ endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId: 'AKIAHANDLER', secretAccessKey: 'local' }, maxAttempts });
}

/** Records what it is asked and answers `decision` (default: allowed). */
function recordingAuthorizer(decision: (r: AuthorizationRequest) => AuthorizationDecision = () => ({ allowed: true, reason: 'allowed' })) {
  const seen: AuthorizationRequest[] = [];
  const authorizer: Authorizer = (request) => {
    seen.push(request);
    return decision(request);
  };
  return { seen, authorizer };
}

/** A role with these identity policies, as the driver's authorizer would decide for it. */
const roleWith = (...identity: PolicyDocument[]): Authorizer => (request) => decide(request, PRINCIPAL, { identity });
const allow = (Action: string | string[], Resource = '*'): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });

function useAuthorizedEmulator() {
  const ctx = useEmulator({ region: REGION, account: ACCOUNT });
  const client = {} as { handler: ProtonClient };
  beforeEach(() => {
    ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'web', environment: 'dev' }] });
    client.handler = handlerClient(ctx.emulator);
  });
  afterEach(() => client.handler.destroy());
  return { ctx, client };
}

describe('each operation asks for its IAM action on its resource', () => {
  const { ctx, client } = useAuthorizedEmulator();
  const tags = [{ key: 'team', value: 'a' }];
  const INSTANCE_SPEC = 'environment: dev\n';

  const CASES: Array<[string, (client: ProtonClient) => Promise<unknown>, Array<[string, string]>]> = [
    ['CreateServiceInstance', (c) => c.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api', spec: INSTANCE_SPEC })), [['proton:CreateServiceInstance', `${SERVICE_ARN}/service-instance/api`]]],
    ['CreateServiceInstance with tags', (c) => c.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api', spec: INSTANCE_SPEC, tags })), [['proton:CreateServiceInstance', `${SERVICE_ARN}/service-instance/api`], ['proton:TagResource', `${SERVICE_ARN}/service-instance/api`]]],
    ['CreateServiceInstance with an empty tag list', (c) => c.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api', spec: INSTANCE_SPEC, tags: [] })), [['proton:CreateServiceInstance', `${SERVICE_ARN}/service-instance/api`]]],
    ['GetServiceInstance', (c) => c.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'web' })), [['proton:GetServiceInstance', WEB_ARN]]],
    ['UpdateServiceInstance', (c) => c.send(new UpdateServiceInstanceCommand({ serviceName: 'svc', name: 'web', deploymentType: 'NONE' })), [['proton:UpdateServiceInstance', WEB_ARN]]],
    ['CancelServiceInstanceDeployment', (c) => c.send(new CancelServiceInstanceDeploymentCommand({ serviceName: 'svc', serviceInstanceName: 'web' })), [['proton:CancelServiceInstanceDeployment', WEB_ARN]]],
    ['ListServiceInstanceOutputs', (c) => c.send(new ListServiceInstanceOutputsCommand({ serviceName: 'svc', serviceInstanceName: 'web' })), [['proton:ListServiceInstanceOutputs', WEB_ARN]]],
    ['ListServiceInstances', (c) => c.send(new ListServiceInstancesCommand({ serviceName: 'svc' })), [['proton:ListServiceInstances', '*']]],
    ['CreateService', (c) => c.send(new CreateServiceCommand({ name: 'svc2', templateName: 'tpl', templateMajorVersion: '1', spec: 'proton: ServiceSpec\n' })), [['proton:CreateService', `arn:aws:proton:${REGION}:${ACCOUNT}:service/svc2`]]],
    ['GetService', (c) => c.send(new GetServiceCommand({ name: 'svc' })), [['proton:GetService', SERVICE_ARN]]],
    ['UpdateService', (c) => c.send(new UpdateServiceCommand({ name: 'svc', description: 'd' })), [['proton:UpdateService', SERVICE_ARN]]],
    ['DeleteService', (c) => c.send(new DeleteServiceCommand({ name: 'svc' })), [['proton:DeleteService', SERVICE_ARN]]],
    ['TagResource', (c) => c.send(new TagResourceCommand({ resourceArn: WEB_ARN, tags })), [['proton:TagResource', WEB_ARN]]],
    ['UntagResource', (c) => c.send(new UntagResourceCommand({ resourceArn: SERVICE_ARN, tagKeys: ['team'] })), [['proton:UntagResource', SERVICE_ARN]]],
    ['ListTagsForResource', (c) => c.send(new ListTagsForResourceCommand({ resourceArn: WEB_ARN })), [['proton:ListTagsForResource', WEB_ARN]]],
  ];

  test.each(CASES)('%s', async (_name, call, expected) => {
    const { seen, authorizer } = recordingAuthorizer();
    ctx.emulator.setAuthorizer(authorizer);
    await call(client.handler);
    expect(seen).toEqual(expected.map(([action, resource]) => ({ accessKeyId: 'AKIAHANDLER', action, resource })));
    expect(ctx.emulator.calls.at(-1)?.status).toBe(200);
  });

  test('every operation the emulator serves has its permissions defined (and no other)', () => {
    expect(Object.keys(REQUIRED_PERMISSIONS).sort()).toEqual(Object.keys(HANDLERS).sort());
  });
});

describe('a denied call', () => {
  const { ctx, client } = useAuthorizedEmulator();

  test('answers AccessDeniedException (403) that the SDK surfaces with the AWS message, not retried, handler not run', async () => {
    ctx.emulator.setAuthorizer(roleWith(allow('proton:GetServiceInstance', WEB_ARN)));
    const retrying = handlerClient(ctx.emulator, 3);
    try {
      const err = await errorOf(retrying.send(new UpdateServiceInstanceCommand({ serviceName: 'svc', name: 'web', deploymentType: 'MINOR_VERSION' })));
      const message = `User: ${PRINCIPAL} is not authorized to perform: proton:UpdateServiceInstance on resource: ${WEB_ARN} `
        + 'because no identity-based policy allows the proton:UpdateServiceInstance action';
      expect(err).toBeInstanceOf(AccessDeniedException);
      expect(err.message).toBe(message);
      expect(err.$metadata?.httpStatusCode).toBe(403);
      expect(ctx.emulator.callsTo('UpdateServiceInstance')).toEqual([{
        at: expect.any(Number),
        operation: 'UpdateServiceInstance',
        input: { serviceName: 'svc', name: 'web', deploymentType: 'MINOR_VERSION', clientToken: expect.any(String) },
        status: 403,
        error: 'AccessDeniedException',
        accessDenied: { action: 'proton:UpdateServiceInstance', resource: WEB_ARN, reason: 'implicit-deny', principalArn: PRINCIPAL, deniedBy: 'identity-based policy', message },
      }]);
      expect(ctx.emulator.instance('svc', 'web')).toMatchObject({ templateMinorVersion: '0', deploymentStatus: 'SUCCEEDED' });
      // The allowed call still goes through.
      expect((await retrying.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'web' }))).serviceInstance?.name).toBe('web');
    } finally {
      retrying.destroy();
    }
  });

  test('an explicit Deny says so', async () => {
    ctx.emulator.setAuthorizer(roleWith(allow('proton:*'), { Statement: { Effect: 'Deny', Action: 'proton:DeleteService', Resource: '*' } }));
    const err = await errorOf(client.handler.send(new DeleteServiceCommand({ name: 'svc' })));
    expect(err.message).toBe(`User: ${PRINCIPAL} is not authorized to perform: proton:DeleteService on resource: ${SERVICE_ARN} with an explicit deny in an identity-based policy`);
    expect(ctx.emulator.service('svc')).toMatchObject({ status: 'ACTIVE' });
  });

  test('tags on create need proton:TagResource too; without it nothing is created', async () => {
    ctx.emulator.setAuthorizer(roleWith(allow('proton:CreateServiceInstance', `${SERVICE_ARN}/service-instance/*`)));
    const err = await errorOf(client.handler.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api', spec: 'environment: dev\n', tags: [{ key: 'team', value: 'a' }] })));
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.message).toContain(`perform: proton:TagResource on resource: ${SERVICE_ARN}/service-instance/api because no identity-based policy allows`);
    expect(ctx.emulator.calls.at(-1)?.accessDenied).toMatchObject({ action: 'proton:TagResource', resource: `${SERVICE_ARN}/service-instance/api` });
    expect(ctx.emulator.instance('svc', 'api')).toBeUndefined();
    await client.handler.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api', spec: 'environment: dev\n' }));
    expect(ctx.emulator.instance('svc', 'api')).toMatchObject({ deploymentStatus: 'IN_PROGRESS' });
  });

  test('a permissions boundary that leaves the action out: the boundary message', async () => {
    ctx.emulator.setAuthorizer((request) => decide(request, PRINCIPAL, { identity: [allow('proton:*')], boundary: [allow('proton:Get*')] }));
    const err = await errorOf(client.handler.send(new ListServiceInstanceOutputsCommand({ serviceName: 'svc', serviceInstanceName: 'web' })));
    expect(err.message).toBe(`User: ${PRINCIPAL} is not authorized to perform: proton:ListServiceInstanceOutputs on resource: ${WEB_ARN} `
      + 'because no permissions boundary allows the proton:ListServiceInstanceOutputs action');
    expect(ctx.emulator.calls.at(-1)?.accessDenied).toMatchObject({ reason: 'implicit-deny', deniedBy: 'permissions boundary' });
  });
});

describe('a call the local IAM evaluation cannot decide is loud', () => {
  const { ctx, client } = useAuthorizedEmulator();

  test('AccessDeniedException "Local IAM cannot evaluate ...", kept in authorizationProblems', async () => {
    ctx.emulator.setAuthorizer(roleWith({ Statement: { Effect: 'Allow', Action: 'proton:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' } } } }));
    const err = await errorOf(client.handler.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'web' })));
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.message).toMatch(/^Local IAM cannot evaluate the Condition \(StringEquals\) of statement 1 of identity-based policy 1: whether proton:GetServiceInstance on /);
    expect(ctx.emulator.authorizationProblems).toEqual([expect.objectContaining({
      operation: 'GetServiceInstance', action: 'proton:GetServiceInstance', resource: WEB_ARN, reason: 'unsupported', principalArn: PRINCIPAL, message: err.message,
    })]);
  });

  test('an authorizer that throws is a problem too, not an emulator crash the SDK would retry', async () => {
    ctx.emulator.setAuthorizer(() => {
      throw new Error('no role holds access key AKIAHANDLER');
    });
    const retrying = handlerClient(ctx.emulator, 3);
    try {
      const err = await errorOf(retrying.send(new GetServiceCommand({ name: 'svc' })));
      expect(err.message).toBe(`Local IAM cannot evaluate the call: the authorizer threw no role holds access key AKIAHANDLER (deciding proton:GetService on ${SERVICE_ARN} for an unknown principal)`);
      expect(ctx.emulator.callsTo('GetService')).toHaveLength(1);
      expect(ctx.emulator.authorizationProblems).toHaveLength(1);
    } finally {
      retrying.destroy();
    }
  });
});

describe('where authorization sits in the pipeline', () => {
  const { ctx, client } = useAuthorizedEmulator();
  const denyAll = () => recordingAuthorizer(() => ({ allowed: false, reason: 'implicit-deny', principalArn: PRINCIPAL }));

  test('after validation: an invalid call is a ValidationException and the authorizer is not asked', async () => {
    const { seen, authorizer } = denyAll();
    ctx.emulator.setAuthorizer(authorizer);
    const err = await errorOf(client.handler.send(new GetServiceInstanceCommand({ serviceName: 'svc/service-instance', name: 'web' })));
    expect(err).toBeInstanceOf(ValidationException);
    expect(seen).toEqual([]);
  });

  test('after fault injection and the end-of-support switch', async () => {
    const { seen, authorizer } = denyAll();
    ctx.emulator.setAuthorizer(authorizer);
    ctx.emulator.faults.failCall('GetService', { error: 'ThrottlingException' });
    expect((await errorOf(client.handler.send(new GetServiceCommand({ name: 'svc' })))).name).toBe('ThrottlingException');
    ctx.emulator.faults.unavailable(true);
    expect((await errorOf(client.handler.send(new GetServiceCommand({ name: 'svc' })))).message).toContain('end of support');
    expect(seen).toEqual([]);
  });

  test('before the handler: an unknown principal is allowed; setAuthorizer(undefined) allows everything again', async () => {
    ctx.emulator.setAuthorizer(() => ({ allowed: true, reason: 'unknown-principal' }));
    await client.handler.send(new GetServiceCommand({ name: 'svc' }));
    ctx.emulator.setAuthorizer(denyAll().authorizer);
    expect((await errorOf(client.handler.send(new GetServiceCommand({ name: 'svc' })))).name).toBe('AccessDeniedException');
    ctx.emulator.setAuthorizer(undefined);
    expect((await client.handler.send(new GetServiceCommand({ name: 'svc' }))).service?.name).toBe('svc');
  });
});

describe('an authorizer given at start', () => {
  const { seen, authorizer } = recordingAuthorizer();
  const ctx = useEmulator({ authorizer });

  test('decides from the first call, with the default region and account', async () => {
    ctx.emulator.seedService({ name: 'svc', templateName: 'tpl' });
    await ctx.client.send(new GetServiceCommand({ name: 'svc' }));
    expect(seen).toEqual([{ accessKeyId: 'x', action: 'proton:GetService', resource: 'arn:aws:proton:us-east-1:123456789012:service/svc' }]);
  });
});
