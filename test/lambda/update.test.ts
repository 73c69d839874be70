import {
  CancelServiceInstanceDeploymentCommand,
  CreateServiceInstanceCommand,
  GetServiceInstanceCommand,
  ProtonClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceInstanceCommand,
} from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import { ARN, completeEvent, instance, updateEvent } from './events';
import { SEED_ERRORS } from './seed-errors';
import { isComplete, onEvent } from '../../lambda';

const proton = mockClient(ProtonClient);
beforeEach(() => {
  proton.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance({ lastAttemptedDeploymentId: 'dep-2' }) as any });
});

describe('Update: what each change does to Proton', () => {
  test('a spec change redeploys with CURRENT_VERSION and no version fields', async () => {
    const result = await onEvent(updateEvent({ Spec: 'environment: prod-env\nspec:\n  port: 8080\n' }));
    expect(result).toMatchObject({ PhysicalResourceId: ARN, ProtonState: { deploys: true } });
    expect(proton).toHaveReceivedCommandWith(UpdateServiceInstanceCommand, {
      serviceName: 'frontend',
      name: 'prod',
      deploymentType: 'CURRENT_VERSION',
      spec: 'environment: prod-env\nspec:\n  port: 8080\n',
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const input = proton.commandCalls(UpdateServiceInstanceCommand)[0].args[0].input;
    expect(input.templateMajorVersion).toBeUndefined();
    expect(input.templateMinorVersion).toBeUndefined();
  });

  test('a minor version change deploys MINOR_VERSION', async () => {
    await onEvent(updateEvent({ TemplateMinorVersion: '3' }, { TemplateMinorVersion: '2' }));
    expect(proton).toHaveReceivedCommandWith(UpdateServiceInstanceCommand, { deploymentType: 'MINOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '3' });
    expect(proton.commandCalls(UpdateServiceInstanceCommand)[0].args[0].input.spec).toBeUndefined();
  });

  test('a major version change deploys MAJOR_VERSION, with the new spec when it changed too', async () => {
    await onEvent(updateEvent({ TemplateMajorVersion: '2', Spec: 'environment: prod-env\nv2: true\n' }));
    expect(proton).toHaveReceivedCommandWith(UpdateServiceInstanceCommand, {
      deploymentType: 'MAJOR_VERSION',
      templateMajorVersion: '2',
      spec: 'environment: prod-env\nv2: true\n',
    });
  });

  test('a tag-only change tags and untags without a deployment, and completes at once', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'SUCCEEDED' }) as any });
    const event = updateEvent({ Tags: { team: 'platform', tier: 'web' } }, { Tags: { team: 'web', old: 'x' } });
    const result = await onEvent(event);
    expect(result.ProtonState.deploys).toBe(false);
    expect(proton).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ARN, tags: [{ key: 'team', value: 'platform' }, { key: 'tier', value: 'web' }] });
    expect(proton).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: ARN, tagKeys: ['old'] });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceInstanceCommand);
    const done = await isComplete(completeEvent(event, result.ProtonState));
    expect(done).toMatchObject({ IsComplete: true, Data: { DeploymentStatus: 'SUCCEEDED' } });
  });

  test('a change of timeout or removal policy touches nothing in Proton', async () => {
    const result = await onEvent(updateEvent({ TimeoutSeconds: '900', RemovalPolicy: 'Retain' }));
    expect(result.ProtonState.deploys).toBe(false);
    expect(proton.calls()).toHaveLength(0);
  });

  test('a new instance name is a replacement: a new instance and a new physical id', async () => {
    const newArn = 'arn:aws:proton:us-east-1:123456789012:service/frontend/service-instance/prod2';
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: newArn, name: 'prod2' }) as any });
    const result = await onEvent(updateEvent({ ServiceInstanceName: 'prod2' }));
    expect(result.PhysicalResourceId).toBe(newArn);
    expect(proton).toHaveReceivedCommandWith(CreateServiceInstanceCommand, { name: 'prod2', serviceName: 'frontend' });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceInstanceCommand);
  });

  test('a new service name is a replacement too', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: 'arn:aws:proton:us-east-1:1:service/backend/service-instance/prod' }) as any });
    const result = await onEvent(updateEvent({ ServiceName: 'backend' }));
    expect(result.PhysicalResourceId).toContain('service/backend/');
  });

  test('the update is watched like a create: SUCCEEDED completes, FAILED fails with the message', async () => {
    const event = updateEvent({ Spec: 'environment: prod-env\nx: 1\n' });
    const { ProtonState } = await onEvent(event);
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS' }) as any });
    await expect(isComplete(completeEvent(event, ProtonState))).resolves.toEqual({ IsComplete: false });
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'bad image' }) as any });
    await expect(isComplete(completeEvent(event, ProtonState))).rejects.toThrow(/^bad image \(the Proton deployment/);
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'SUCCEEDED' }) as any });
    await expect(isComplete(completeEvent(event, ProtonState))).resolves.toMatchObject({ IsComplete: true });
  });

  test('an update that times out cancels its deployment', async () => {
    const event = updateEvent({ Spec: 'environment: prod-env\nx: 1\n' });
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS' }) as any });
    await expect(isComplete(completeEvent(event, { deploys: true, deadline: Date.now() - 1 }))).rejects.toThrow(/cancelled it/);
    expect(proton).toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });
});

describe('Update meeting a deployment in progress', () => {
  const specChange = () => updateEvent({ Spec: 'environment: prod-env\nx: 2\n' });

  test('a conflict defers the update to isComplete instead of failing', async () => {
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: 'dep-busy' }) as any });
    const result = await onEvent(specChange());
    expect(result.ProtonState.pendingUpdate).toMatchObject({ busyDeploymentId: 'dep-busy', request: { deploymentType: 'CURRENT_VERSION' } });
  });

  test('isComplete waits while the other deployment runs, sends the update once it ends, then watches ours', async () => {
    const event = specChange();
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: 'dep-busy' }) as any });
    const { ProtonState } = await onEvent(event);
    const poll = () => isComplete(completeEvent(event, ProtonState));

    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(proton.commandCalls(UpdateServiceInstanceCommand)).toHaveLength(1);

    // The other deployment finished: the deferred update goes out.
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'SUCCEEDED', lastAttemptedDeploymentId: 'dep-busy' }) as any });
    proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance({ lastAttemptedDeploymentId: 'dep-ours' }) as any });
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(proton.commandCalls(UpdateServiceInstanceCommand)).toHaveLength(2);
    expect(proton.commandCalls(UpdateServiceInstanceCommand)[1].args[0].input).toEqual(ProtonState.pendingUpdate!.request);

    // Ours is running, then succeeds: no third update.
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: 'dep-ours' }) as any });
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'SUCCEEDED', lastAttemptedDeploymentId: 'dep-ours' }) as any });
    await expect(poll()).resolves.toMatchObject({ IsComplete: true, Data: { LastAttemptedDeploymentId: 'dep-ours' } });
    expect(proton.commandCalls(UpdateServiceInstanceCommand)).toHaveLength(2);
  });

  test('our deployment is recognised by its client token when Proton gives no deployment ids', async () => {
    const event = specChange();
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: undefined }) as any });
    const { ProtonState } = await onEvent(event);
    const token = ProtonState.pendingUpdate!.request.clientToken;
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'FAILED', lastAttemptedDeploymentId: undefined, lastClientRequestToken: token, deploymentStatusMessage: 'ours failed' }) as any });
    await expect(isComplete(completeEvent(event, ProtonState))).rejects.toThrow(/^ours failed/);
  });

  test('at the deadline, someone else\'s deployment is left alone and the failure says the update was not applied', async () => {
    const event = specChange();
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: 'dep-busy' }) as any });
    const state = { deploys: true, deadline: Date.now() - 1, pendingUpdate: { request: { serviceName: 'frontend', name: 'prod', deploymentType: 'CURRENT_VERSION' as const, clientToken: 't' }, busyDeploymentId: 'dep-busy' } };
    await expect(isComplete(completeEvent(event, state))).rejects.toThrow(/already IN_PROGRESS to finish; this update was not applied/);
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test.each(['ThrottlingException', 'InternalServerException'] as const)('%s at update is deferred like a conflict', async (name) => {
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'SUCCEEDED' }) as any });
    const result = await onEvent(specChange());
    expect(result.ProtonState.pendingUpdate).toBeDefined();
  });

  test.each([
    ['ValidationException', /UpdateServiceInstance failed .*ValidationException.*Proton rejected the request/],
    ['AccessDeniedException', /UpdateServiceInstance failed .*AccessDeniedException.*needs proton:UpdateServiceInstance on arn:aws:proton:us-east-1:123456789012:service\/frontend\/service-instance\/prod/],
    ['ResourceNotFoundException', /UpdateServiceInstance failed .*ResourceNotFoundException/],
  ] as const)('%s at update fails at once', async (name, message) => {
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(onEvent(specChange())).rejects.toThrow(message);
  });

  test('a tag change refused by Proton fails naming TagResource', async () => {
    proton.on(TagResourceCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(onEvent(updateEvent({ Tags: { a: 'b' } }))).rejects.toThrow(/Proton TagResource failed .*needs proton:TagResource/);
  });

  test('an instance removed outside the stack fails the update wait clearly', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    await expect(isComplete(completeEvent(specChange(), { deploys: true }))).rejects.toThrow(/no longer exists; it was removed outside this stack/);
  });
});

describe('recognising the deferred update without tokens or deployment ids', () => {
  test('a deployment attempted after the busy one is ours: no second update is sent', async () => {
    const event = updateEvent({ Spec: 'environment: prod-env\nx: 3\n' });
    const bare = (status: string, at: string) =>
      instance({ deploymentStatus: status, lastAttemptedDeploymentId: undefined, lastDeploymentAttemptedAt: new Date(at) });
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: bare('IN_PROGRESS', '2026-11-27T10:00:00Z') as any });
    const { ProtonState } = await onEvent(event);
    expect(ProtonState.pendingUpdate!.busyAttemptedAt).toBe(Date.parse('2026-11-27T10:00:00Z'));
    const poll = () => isComplete(completeEvent(event, ProtonState));

    // The busy deployment ends; ours is sent.
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: bare('SUCCEEDED', '2026-11-27T10:00:00Z') as any });
    proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: bare('IN_PROGRESS', '2026-11-27T10:05:00Z') as any });
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    // Ours (attempted later) ends: complete, and the update is not sent a third time.
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: bare('SUCCEEDED', '2026-11-27T10:05:00Z') as any });
    await expect(poll()).resolves.toMatchObject({ IsComplete: true });
    expect(proton.commandCalls(UpdateServiceInstanceCommand)).toHaveLength(2);
  });
});
