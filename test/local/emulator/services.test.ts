import {
  ConflictException, CreateServiceCommand, DeleteServiceCommand, GetServiceCommand, GetServiceInstanceCommand, UpdateServiceCommand,
} from '@aws-sdk/client-proton';
import { stringify } from 'yaml';
import { errorOf, ManualClock, useEmulator } from './helpers';

const clock = new ManualClock();
const specWith = (...names: string[]) => stringify({ proton: 'ServiceSpec', instances: names.map((name) => ({ name, environment: 'dev' })) });

function seedTwo(emulator: { seedService: (s: never) => void }) {
  emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'a', environment: 'dev' }, { name: 'b', environment: 'dev' }] } as never);
}

describe('UpdateService removes the instances its spec omits', () => {
  const ctx = useEmulator({ now: clock.now, removalMs: 500, deploymentMs: 300 });
  beforeEach(() => seedTwo(ctx.emulator));
  const service = async () => (await ctx.client.send(new GetServiceCommand({ name: 'svc' }))).service!;
  const instance = (name: string) => ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'svc', name }));

  test('service UPDATE_IN_PROGRESS, instance DELETE_IN_PROGRESS, then gone (NOT_FOUND mode)', async () => {
    const answer = await ctx.client.send(new UpdateServiceCommand({ name: 'svc', spec: specWith('a') }));
    expect(answer.service?.status).toBe('UPDATE_IN_PROGRESS');
    expect((await instance('b')).serviceInstance?.deploymentStatus).toBe('DELETE_IN_PROGRESS');
    expect((await instance('a')).serviceInstance?.deploymentStatus).toBe('SUCCEEDED');

    const busy = await errorOf(ctx.client.send(new UpdateServiceCommand({ name: 'svc', spec: specWith('a') })));
    expect(busy).toBeInstanceOf(ConflictException);
    expect(busy.message).toContain('UPDATE_IN_PROGRESS');
    expect((await errorOf(ctx.client.send(new DeleteServiceCommand({ name: 'svc' }))))).toBeInstanceOf(ConflictException);

    clock.advance(500);
    expect((await service()).status).toBe('ACTIVE');
    const gone = await errorOf(instance('b'));
    expect(gone.name).toBe('ResourceNotFoundException');
    expect((await service()).spec).toBe(specWith('a'));
  });

  test('a spec with no instances is rejected: a service keeps at least one', async () => {
    const err = await errorOf(ctx.client.send(new UpdateServiceCommand({ name: 'svc', spec: 'proton: ServiceSpec\ninstances: []\n' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain('at least one service instance');
    expect((await service()).status).toBe('ACTIVE');
  });

  test('a failed removal ends UPDATE_FAILED with the instance DELETE_FAILED', async () => {
    ctx.emulator.planRemoval('svc', 'b', { outcome: 'DELETE_FAILED', message: 'component attached' });
    await ctx.client.send(new UpdateServiceCommand({ name: 'svc', spec: specWith('a') }));
    clock.advance(500);
    expect(await service()).toMatchObject({ status: 'UPDATE_FAILED', statusMessage: expect.stringContaining('b') });
    expect((await instance('b')).serviceInstance).toMatchObject({ deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'component attached' });
    // Not busy any more: the removal can be retried.
    await ctx.client.send(new UpdateServiceCommand({ name: 'svc', spec: specWith('a') }));
    clock.advance(500);
    expect((await service()).status).toBe('ACTIVE');
  });

  test('adding instances through UpdateService is not emulated', async () => {
    const err = await errorOf(ctx.client.send(new UpdateServiceCommand({ name: 'svc', spec: specWith('a', 'b', 'c') })));
    expect(err.message).toContain('use CreateServiceInstance');
  });

  test('DeleteService removes the service and its instances after a delay', async () => {
    const answer = await ctx.client.send(new DeleteServiceCommand({ name: 'svc' }));
    expect(answer.service?.status).toBe('DELETE_IN_PROGRESS');
    expect((await instance('a')).serviceInstance?.deploymentStatus).toBe('DELETE_IN_PROGRESS');
    clock.advance(500);
    expect((await errorOf(service())).name).toBe('ResourceNotFoundException');
    expect((await errorOf(instance('a'))).message).toContain('Service svc not found');
  });

  test('CreateService deploys the instances its spec lists', async () => {
    ctx.emulator.planDeployment('svc2', 'y', { outcome: 'FAILED', durationMs: 600 });
    const created = await ctx.client.send(new CreateServiceCommand({ name: 'svc2', templateName: 'tpl', templateMajorVersion: '1', spec: specWith('x', 'y') }));
    expect(created.service?.status).toBe('CREATE_IN_PROGRESS');
    clock.advance(300);
    const x = await ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'svc2', name: 'x' }));
    expect(x.serviceInstance?.deploymentStatus).toBe('SUCCEEDED');
    expect((await ctx.client.send(new GetServiceCommand({ name: 'svc2' }))).service?.status).toBe('CREATE_IN_PROGRESS');
    clock.advance(300);
    expect((await ctx.client.send(new GetServiceCommand({ name: 'svc2' }))).service?.status).toBe('CREATE_FAILED');
    expect((await errorOf(ctx.client.send(new CreateServiceCommand({ name: 'svc2', templateName: 'tpl', templateMajorVersion: '1', spec: specWith('x') }))))).toBeInstanceOf(ConflictException);
  });
});

describe('removedInstanceReads: DELETE_COMPLETE', () => {
  const ctx = useEmulator({ now: clock.now, removalMs: 100, removedInstanceReads: 'DELETE_COMPLETE' });
  test('a removed instance keeps answering DELETE_COMPLETE', async () => {
    seedTwo(ctx.emulator);
    await ctx.client.send(new UpdateServiceCommand({ name: 'svc', spec: specWith('a') }));
    clock.advance(100);
    const b = await ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'b' }));
    expect(b.serviceInstance?.deploymentStatus).toBe('DELETE_COMPLETE');
    expect(ctx.emulator.service('svc')?.status).toBe('ACTIVE');
  });
});
