import { GetServiceCommand, GetServiceInstanceCommand, ProtonClient, UpdateServiceCommand } from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'yaml';
import { completeEvent, deleteEvent, instance, SERVICE_SPEC } from './events';
import { SEED_ERRORS } from './seed-errors';
import { isComplete, onEvent } from '../../lambda';

const proton = mockClient(ProtonClient);
const service = (overrides: Record<string, any> = {}) => ({ name: 'frontend', arn: 'arn:aws:proton:us-east-1:123456789012:service/frontend', status: 'ACTIVE', spec: SERVICE_SPEC, ...overrides });
const succeeded = (overrides: Record<string, any> = {}) => instance({ deploymentStatus: 'SUCCEEDED', lastSucceededDeploymentId: 'dep-1', ...overrides });

beforeEach(() => {
  proton.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  proton.on(GetServiceCommand).resolves({ service: service() as any });
  proton.on(UpdateServiceCommand).resolves({} as any);
});

describe('Delete with DESTROY', () => {
  test('removes the instance through UpdateService, keeping the rest of the spec as written', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() as any });
    const result = await onEvent(deleteEvent());
    expect(result.ProtonState.done).toBeUndefined();
    const spec = proton.commandCalls(UpdateServiceCommand)[0].args[0].input.spec!;
    expect(parse(spec).instances.map((i: any) => i.name)).toEqual(['staging']);
    expect(spec).toContain('# the pipeline stays as written');
    expect(spec).toContain('- name: staging   # keep this comment');
    expect(spec).toContain("port: '8080'");
    expect(spec).toContain('unit_test_command: "npm test"');
    expect(proton).toHaveReceivedCommandWith(UpdateServiceCommand, { name: 'frontend' });
  });

  test('isComplete waits for DELETE_IN_PROGRESS, then for the service to be ACTIVE again', async () => {
    const event = completeEvent(deleteEvent());
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'DELETE_IN_PROGRESS' }) as any });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) as any });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'ACTIVE' }) as any });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('an instance that reads DELETE_COMPLETE counts as gone', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'DELETE_COMPLETE' }) as any });
    await expect(isComplete(completeEvent(deleteEvent()))).resolves.toEqual({ IsComplete: true });
  });

  test('an instance already gone at Delete is deleted, without touching the service', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    const result = await onEvent(deleteEvent());
    expect(result.ProtonState.done).toBe(true);
    expect(proton).not.toHaveReceivedCommand(GetServiceCommand);
    await expect(isComplete(completeEvent(deleteEvent(), result.ProtonState))).resolves.toEqual({ IsComplete: true });
  });

  test('a physical id that is not an instance ARN (nothing was created) deletes without any call', async () => {
    const result = await onEvent(deleteEvent({}, 'req-1234'));
    expect(result).toEqual({ PhysicalResourceId: 'req-1234', ProtonState: expect.objectContaining({ done: true }) });
    expect(proton.calls()).toHaveLength(0);
  });

  test('the last instance of a service is refused with the ways out', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() as any });
    proton.on(GetServiceCommand).resolves({ service: service({ spec: 'proton: ServiceSpec\ninstances:\n  - name: prod\n    environment: prod-env\n' }) as any });
    await expect(onEvent(deleteEvent())).rejects.toThrow(/it is the last instance of the service, and a Proton service keeps at least one\. Either delete the whole service \(DeleteService\).*removalPolicy RETAIN.*add another instance/);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('an instance missing from the service spec is refused, not guessed at', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded({ name: 'other' }) as any });
    await expect(onEvent(deleteEvent({}, 'arn:aws:proton:us-east-1:123456789012:service/frontend/service-instance/other'))).rejects.toThrow(
      /the service's spec does not list it/,
    );
  });

  test('a busy service defers the removal; the next poll sends it', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() as any });
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) as any });
    const result = await onEvent(deleteEvent());
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    proton.on(GetServiceCommand).resolves({ service: service() as any });
    await expect(isComplete(completeEvent(deleteEvent(), result.ProtonState))).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });

  test.each(['ConflictException', 'ThrottlingException', 'InternalServerException'] as const)('%s from UpdateService is retried at the next poll', async (name) => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() as any });
    proton.on(UpdateServiceCommand).rejectsOnce(SEED_ERRORS[name]()).resolves({} as any);
    const result = await onEvent(deleteEvent());
    await expect(isComplete(completeEvent(deleteEvent(), result.ProtonState))).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
  });

  test.each([
    ['ValidationException', /Proton UpdateService failed for service 'frontend' \(ValidationException/],
    ['AccessDeniedException', /needs proton:UpdateService on arn:aws:proton:us-east-1:123456789012:service\/frontend/],
    ['ResourceNotFoundException', /Proton UpdateService failed .*ResourceNotFoundException/],
  ] as const)('%s from UpdateService fails the delete', async (name, message) => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() as any });
    proton.on(UpdateServiceCommand).rejects(SEED_ERRORS[name]());
    await expect(onEvent(deleteEvent())).rejects.toThrow(message);
  });

  test.each([
    ['ThrottlingException', 'defers'],
    ['InternalServerException', 'defers'],
    ['ResourceNotFoundException', 'done'],
    ['AccessDeniedException', /GetServiceInstance failed .*AccessDeniedException/],
    ['ValidationException', /GetServiceInstance failed .*ValidationException/],
    ['ConflictException', /GetServiceInstance failed .*ConflictException/],
  ] as const)('%s when reading the instance at Delete: %s', async (name, outcome) => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    if (outcome instanceof RegExp) {
      await expect(onEvent(deleteEvent())).rejects.toThrow(outcome);
      return;
    }
    const result = await onEvent(deleteEvent());
    expect(result.ProtonState.done).toBe(outcome === 'done' ? true : undefined);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('DELETE_FAILED fails with Proton\'s message first', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'stack delete failed' }) as any });
    await expect(isComplete(completeEvent(deleteEvent()))).rejects.toThrow(/^stack delete failed \(removing the Proton service instance 'prod' of service 'frontend' ended DELETE_FAILED/);
  });

  test('a service that ends UPDATE_FAILED fails the delete with its message', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_FAILED', statusMessage: 'pipeline broke' }) as any });
    await expect(isComplete(completeEvent(deleteEvent()))).rejects.toThrow(/^pipeline broke \(the Proton service instance 'prod' of service 'frontend' was removed, but its service ended UPDATE_FAILED/);
  });

  test('the delete wait has a deadline too', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'DELETE_IN_PROGRESS' }) as any });
    await expect(isComplete(completeEvent(deleteEvent(), { deadline: Date.now() - 1 }))).rejects.toThrow(/Timed out after 10 minute\(s\) removing/);
  });

  test('an instance still deploying is waited for, not removed mid-deployment', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'CANCELLING' }) as any });
    const result = await onEvent(deleteEvent());
    await expect(isComplete(completeEvent(deleteEvent(), result.ProtonState))).resolves.toEqual({ IsComplete: false });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});

describe('Delete with RETAIN', () => {
  test('an instance that has deployed successfully stays in Proton', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() as any });
    const result = await onEvent(deleteEvent({ RemovalPolicy: 'Retain' }));
    expect(result.ProtonState.done).toBe(true);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('an instance whose first deployment failed is removed, so a rolled-back create leaves no orphan', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'FAILED', lastSucceededDeploymentId: undefined }) as any });
    await onEvent(deleteEvent({ RemovalPolicy: 'Retain' }));
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });

  test('a retain decision deferred by throttling is still honoured in isComplete', async () => {
    proton.on(GetServiceInstanceCommand).rejectsOnce(SEED_ERRORS.ThrottlingException()).resolves({ serviceInstance: succeeded() as any });
    const result = await onEvent(deleteEvent({ RemovalPolicy: 'Retain' }));
    await expect(isComplete(completeEvent(deleteEvent({ RemovalPolicy: 'Retain' }), result.ProtonState))).resolves.toEqual({ IsComplete: true });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});
