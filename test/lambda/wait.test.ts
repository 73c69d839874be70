import { CancelServiceInstanceDeploymentCommand, GetServiceInstanceCommand, ProtonClient } from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import { completeEvent, createEvent, instance } from './events';
import { SEED_ERRORS } from './seed-errors';
import { isComplete } from '../../lambda';
import { RESPONSE_LIMIT } from '../../lambda/attributes';
import { ATTRIBUTES } from '../../src/private/contract';

const proton = mockClient(ProtonClient);
beforeEach(() => {
  proton.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

const waiting = (state = {}) => completeEvent(createEvent(), { deploys: true, ...state });

describe('waiting for a create deployment', () => {
  test.each(['IN_PROGRESS', 'CANCELLING'])('%s is not complete yet', async (status) => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: status }) as any });
    await expect(isComplete(waiting())).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandWith(GetServiceInstanceCommand, { serviceName: 'frontend', name: 'prod' });
  });

  test('SUCCEEDED completes with every attribute, empty where Proton left a field out', async () => {
    proton.on(GetServiceInstanceCommand).resolves({
      serviceInstance: instance({ deploymentStatus: 'SUCCEEDED', lastSucceededDeploymentId: 'dep-1', lastClientRequestToken: 'tok' }) as any,
    });
    const result = await isComplete(waiting());
    expect(result.IsComplete).toBe(true);
    expect(Object.keys(result.Data!).sort()).toEqual([...ATTRIBUTES].sort());
    expect(result.Data).toMatchObject({
      Arn: 'arn:aws:proton:us-east-1:123456789012:service/frontend/service-instance/prod',
      DeploymentStatus: 'SUCCEEDED',
      DeploymentStatusMessage: '',
      EnvironmentName: 'prod-env',
      CreatedAt: '2026-11-27T10:00:00.000Z',
      LastSucceededDeploymentId: 'dep-1',
      LastClientRequestToken: 'tok',
      TemplateName: 'fargate-service',
      TemplateMajorVersion: '1',
      TemplateMinorVersion: '0',
      Name: 'prod',
      ServiceName: 'frontend',
    });
  });

  test.each(['FAILED', 'CANCELLED', 'DELETE_FAILED', 'DELETE_COMPLETE'])('%s fails with Proton\'s message first', async (status) => {
    proton.on(GetServiceInstanceCommand).resolves({
      serviceInstance: instance({ deploymentStatus: status, deploymentStatusMessage: 'Stack ecs-svc failed: port 80 in use' }) as any,
    });
    const failure = isComplete(waiting());
    await expect(failure).rejects.toThrow(new RegExp(`^Stack ecs-svc failed: port 80 in use \\(the Proton deployment of service instance 'prod' of service 'frontend' ended ${status}, deployment dep-1`));
  });

  test('a failure without a message says so', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'FAILED' }) as any });
    await expect(isComplete(waiting())).rejects.toThrow(/^Proton gave no message/);
  });

  test.each(['ThrottlingException', 'InternalServerException'] as const)('%s while waiting is not a failure', async (name) => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(isComplete(waiting())).resolves.toEqual({ IsComplete: false });
  });

  test.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT'])('network error %s while waiting is not a failure', async (code) => {
    proton.on(GetServiceInstanceCommand).rejects(Object.assign(new Error(`socket ${code}`), { code }));
    await expect(isComplete(waiting())).resolves.toEqual({ IsComplete: false });
  });

  test('a 503 without a modelled error is not a failure', async () => {
    proton.on(GetServiceInstanceCommand).rejects(Object.assign(new Error('Service Unavailable'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } }));
    await expect(isComplete(waiting())).resolves.toEqual({ IsComplete: false });
  });

  test('AccessDeniedException while waiting fails at once naming the permission', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(isComplete(waiting())).rejects.toThrow(/Proton GetServiceInstance failed .*AccessDeniedException.*needs proton:GetServiceInstance/);
  });

  test('ResourceNotFoundException while waiting: the instance disappeared', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    await expect(isComplete(waiting())).rejects.toThrow(/disappeared while its deployment was being watched/);
  });

  test.each(['ValidationException', 'ConflictException'] as const)('%s while waiting fails at once', async (name) => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(isComplete(waiting())).rejects.toThrow(new RegExp(`GetServiceInstance failed .*${name}`));
  });

  test('at the deadline the running deployment is cancelled and the failure says so', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS' }) as any });
    proton.on(CancelServiceInstanceDeploymentCommand).resolves({} as any);
    await expect(isComplete(waiting({ deadline: Date.now() - 1 }))).rejects.toThrow(
      /Timed out after 10 minute\(s\) waiting for the Proton deployment of service instance 'prod' of service 'frontend'; cancelled it with CancelServiceInstanceDeployment/,
    );
    expect(proton).toHaveReceivedCommandWith(CancelServiceInstanceDeploymentCommand, { serviceName: 'frontend', serviceInstanceName: 'prod' });
  });

  test('before the deadline nothing is cancelled', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS' }) as any });
    await isComplete(waiting({ deadline: Date.now() + 5_000 }));
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('a deployment already CANCELLING at the deadline is not cancelled twice', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'CANCELLING' }) as any });
    await expect(isComplete(waiting({ deadline: Date.now() - 1 }))).rejects.toThrow(/Timed out .* which is CANCELLING/);
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('a failed cancel at the deadline says to cancel by hand', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS' }) as any });
    proton.on(CancelServiceInstanceDeploymentCommand).rejects(SEED_ERRORS.ConflictException());
    await expect(isComplete(waiting({ deadline: Date.now() - 1 }))).rejects.toThrow(/cancelling it failed \(ConflictException: Resource is busy\); cancel it in the Proton console/);
  });

  test('a huge status message is cut so the response fits 4,096 bytes, and no key is dropped', async () => {
    proton.on(GetServiceInstanceCommand).resolves({
      serviceInstance: instance({ deploymentStatus: 'SUCCEEDED', deploymentStatusMessage: 'é'.repeat(10_000) }) as any,
    });
    const event = waiting();
    const result = await isComplete(event);
    const response = { Status: 'SUCCESS', Reason: 'SUCCESS', StackId: event.StackId, RequestId: event.RequestId, PhysicalResourceId: event.PhysicalResourceId, LogicalResourceId: event.LogicalResourceId, NoEcho: false, Data: result.Data };
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(RESPONSE_LIMIT);
    expect(Object.keys(result.Data!)).toHaveLength(ATTRIBUTES.length);
    expect(result.Data!.DeploymentStatusMessage).toMatch(/^é+ …\[truncated\]$/);
  });

  test('a huge failure message is cut too, so the failure reaches CloudFormation', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'x'.repeat(20_000) }) as any });
    const error: Error = await isComplete(waiting()).catch((e) => e);
    expect(error.message.length).toBeLessThanOrEqual(1_900);
    expect(error.message).toMatch(/^x+ …\[truncated\]$/);
  });

  test('the status message is never logged', async () => {
    const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'SUCCEEDED', deploymentStatusMessage: 'password=hunter2' }) as any });
    await isComplete(waiting());
    expect(logs.mock.calls.map((c) => String(c[0])).join('\n')).not.toContain('hunter2');
  });
});

test('a connection failure the SDK wrapped (a thrown non-Error) is waited out', async () => {
  proton.reset();
  proton.on(GetServiceInstanceCommand).rejects(new Error('AWS SDK error wrapper for TimeoutError: socket hang up'));
  await expect(isComplete(completeEvent(createEvent(), { deploys: true }))).resolves.toEqual({ IsComplete: false });
});
