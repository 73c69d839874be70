import {
  CancelServiceInstanceDeploymentCommand, ConflictException, CreateServiceInstanceCommand, GetServiceCommand, GetServiceInstanceCommand,
  ListServiceInstancesCommand, UpdateServiceInstanceCommand, UpdateServiceInstanceCommandInput,
} from '@aws-sdk/client-proton';
import { errorOf, ManualClock, useEmulator } from './helpers';

const clock = new ManualClock();
const SPEC = 'environment: dev\nspec:\n  port: 80\n';

describe('service instance deployments', () => {
  const ctx = useEmulator({ now: clock.now, deploymentMs: 1000, cancelMs: 200 });
  beforeEach(() => ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', templateMajorVersion: '2', instances: [{ name: 'web', environment: 'dev' }] }));

  const create = (name = 'api', extra: Record<string, unknown> = {}) =>
    ctx.client.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name, spec: SPEC, ...extra }));
  const get = async (name = 'api') => (await ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'svc', name }))).serviceInstance!;
  const update = (input: Partial<UpdateServiceInstanceCommandInput>) =>
    ctx.client.send(new UpdateServiceInstanceCommand({ serviceName: 'svc', name: 'api', deploymentType: 'CURRENT_VERSION', ...input }));

  test('a create deploys on a timeline: IN_PROGRESS, then SUCCEEDED', async () => {
    const created = (await create('api', { clientToken: 'tok-1' })).serviceInstance!;
    expect(created).toMatchObject({
      name: 'api',
      serviceName: 'svc',
      environmentName: 'dev',
      templateName: 'tpl',
      templateMajorVersion: '2',
      templateMinorVersion: '0',
      deploymentStatus: 'IN_PROGRESS',
      spec: SPEC,
      lastClientRequestToken: 'tok-1',
      arn: 'arn:aws:proton:us-east-1:123456789012:service/svc/service-instance/api',
    });
    expect(created.createdAt).toEqual(new Date(clock.ms));
    expect(created.lastSucceededDeploymentId).toBeUndefined();
    clock.advance(999);
    expect((await get()).deploymentStatus).toBe('IN_PROGRESS');
    clock.advance(1);
    const done = await get();
    expect(done.deploymentStatus).toBe('SUCCEEDED');
    expect(done.lastSucceededDeploymentId).toBe(created.lastAttemptedDeploymentId);
    expect(done.lastDeploymentSucceededAt).toEqual(new Date(clock.ms));
    expect(done.deploymentStatusMessage).toBeUndefined();
  });

  test('a planned failure ends FAILED with its message; the plan is consumed', async () => {
    ctx.emulator.planDeployment('svc', 'api', { outcome: 'FAILED', message: 'stack rolled back', durationMs: 50 });
    await create();
    clock.advance(50);
    expect(await get()).toMatchObject({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'stack rolled back' });
    await update({ spec: 'environment: dev\nspec:\n  port: 81\n' });
    clock.advance(1000);
    expect((await get()).deploymentStatus).toBe('SUCCEEDED');
  });

  test('the new instance is appended to the service spec, the rest kept as written', async () => {
    ctx.emulator.seedService({ name: 'other', templateName: 'tpl', instances: [{ name: 'a', environment: 'dev' }] });
    await ctx.client.send(new CreateServiceInstanceCommand({
      serviceName: 'other', name: 'b', spec: 'proton: ServiceSpec\ninstances:\n  - name: b\n    environment: prod\n    spec:\n      size: 3\n',
    }));
    const service = (await ctx.client.send(new GetServiceCommand({ name: 'other' }))).service!;
    expect(service.spec).toBe('proton: ServiceSpec\ninstances:\n  - name: a\n    environment: dev\n  - name: b\n    environment: prod\n    spec:\n      size: 3\n');
    expect((await ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'other', name: 'b' }))).serviceInstance?.environmentName).toBe('prod');
  });

  test('a spec that names no environment is rejected', async () => {
    const err = await errorOf(create('api', { spec: 'spec:\n  port: 80\n' }));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain('names no environment');
  });

  test('cancel: IN_PROGRESS -> CANCELLING -> CANCELLED, reverting spec and versions', async () => {
    await create();
    clock.advance(1000);
    await update({ spec: 'environment: dev\nspec:\n  port: 9\n', deploymentType: 'MINOR_VERSION' });
    expect(await get()).toMatchObject({ deploymentStatus: 'IN_PROGRESS', templateMinorVersion: '1' });
    const cancelled = await ctx.client.send(new CancelServiceInstanceDeploymentCommand({ serviceName: 'svc', serviceInstanceName: 'api' }));
    expect(cancelled.serviceInstance?.deploymentStatus).toBe('CANCELLING');
    clock.advance(199);
    expect((await get()).deploymentStatus).toBe('CANCELLING');
    clock.advance(1000);
    expect(await get()).toMatchObject({ deploymentStatus: 'CANCELLED', spec: SPEC, templateMinorVersion: '0' });
  });

  test('cancel with nothing in progress returns the instance unchanged (default)', async () => {
    await create();
    clock.advance(1000);
    const answer = await ctx.client.send(new CancelServiceInstanceDeploymentCommand({ serviceName: 'svc', serviceInstanceName: 'api' }));
    expect(answer.serviceInstance?.deploymentStatus).toBe('SUCCEEDED');
  });

  test('same client token + same input: one instance, one deployment', async () => {
    const first = (await create('api', { clientToken: 'same' })).serviceInstance!;
    clock.advance(10);
    const second = (await create('api', { clientToken: 'same' })).serviceInstance!;
    expect(second.lastAttemptedDeploymentId).toBe(first.lastAttemptedDeploymentId);
    const listed = await ctx.client.send(new ListServiceInstancesCommand({ serviceName: 'svc' }));
    expect(listed.serviceInstances?.map((i) => i.name).sort()).toEqual(['api', 'web']);

    clock.advance(1000);
    const u1 = (await update({ clientToken: 'upd', spec: 'environment: dev\n' })).serviceInstance!;
    const u2 = (await update({ clientToken: 'upd', spec: 'environment: dev\n' })).serviceInstance!;
    expect(u2.lastAttemptedDeploymentId).toBe(u1.lastAttemptedDeploymentId);
    expect(u2.lastClientRequestToken).toBe('upd');
  });

  test('same client token + different input: IdempotentParameterMismatch', async () => {
    await create('api', { clientToken: 'same' });
    const err = await errorOf(create('api', { clientToken: 'same', spec: 'environment: prod\n' }));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain('IdempotentParameterMismatch');
  });

  test('an existing name with another token is a ConflictException naming the instance', async () => {
    await create('api', { clientToken: 'a' });
    const err = await errorOf(create('api', { clientToken: 'b' }));
    expect(err).toBeInstanceOf(ConflictException);
    expect(err.message).toContain('api');
  });

  test('updating a busy instance is a ConflictException', async () => {
    await create();
    const err = await errorOf(update({}));
    expect(err).toBeInstanceOf(ConflictException);
    expect(err.message).toContain('IN_PROGRESS');
  });

  test('deployment types move template versions as documented', async () => {
    await create();
    const step = async (input: Partial<UpdateServiceInstanceCommandInput>) => {
      clock.advance(1000);
      return (await update(input)).serviceInstance!;
    };
    expect((await errorOf(step({ deploymentType: 'CURRENT_VERSION', templateMinorVersion: '1' }))).message).toContain('do not pass');
    expect(await step({ deploymentType: 'MINOR_VERSION' })).toMatchObject({ templateMajorVersion: '2', templateMinorVersion: '1' });
    expect(await step({ deploymentType: 'MINOR_VERSION', templateMinorVersion: '5' })).toMatchObject({ templateMinorVersion: '5' });
    expect((await errorOf(step({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2' }))).message).toContain('higher than 2');
    expect(await step({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '3' })).toMatchObject({ templateMajorVersion: '3', templateMinorVersion: '0' });
    const none = await step({ deploymentType: 'NONE', spec: 'environment: dev\nspec: {}\n' });
    expect(none).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: 'environment: dev\nspec: {}\n' });
  });

  test('unknown instance or service: ResourceNotFoundException', async () => {
    expect((await errorOf(get('nope'))).message).toContain('Service instance nope of service svc not found');
    const err = await errorOf(ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'ghost', name: 'web' })));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.message).toContain('Service ghost not found');
  });
});

describe('cancel with cancelWhenIdle CONFLICT', () => {
  const ctx = useEmulator({ cancelWhenIdle: 'CONFLICT' });
  test('answers ConflictException when no deployment is in progress', async () => {
    ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'web', environment: 'dev' }] });
    const err = await errorOf(ctx.client.send(new CancelServiceInstanceDeploymentCommand({ serviceName: 'svc', serviceInstanceName: 'web' })));
    expect(err).toBeInstanceOf(ConflictException);
    expect(err.message).toContain('no deployment in progress');
  });
});

describe('an emulator that does not answer client tokens', () => {
  const ctx = useEmulator({ now: clock.now, answersClientTokens: false });
  beforeEach(() => ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'web', environment: 'dev' }] }));

  test('GetServiceInstance and the write calls leave lastClientRequestToken out, while tokens still make calls idempotent', async () => {
    const first = (await ctx.client.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api', spec: SPEC, clientToken: 'tok-1' }))).serviceInstance!;
    expect(first.lastClientRequestToken).toBeUndefined();
    const again = (await ctx.client.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api', spec: SPEC, clientToken: 'tok-1' }))).serviceInstance!;
    expect(again.arn).toBe(first.arn);
    const read = (await ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'api' }))).serviceInstance!;
    expect(read).toMatchObject({ name: 'api', deploymentStatus: 'IN_PROGRESS' });
    expect(read.lastClientRequestToken).toBeUndefined();
  });
});
