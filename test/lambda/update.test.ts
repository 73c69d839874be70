import {
  CancelServiceInstanceDeploymentCommand,
  CreateServiceInstanceCommand,
  GetServiceInstanceCommand,
  ListServiceInstanceOutputsCommand,
  ServiceInstance,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceInstanceCommand,
} from '@aws-sdk/client-proton';
import { ARN, arnOf, completeEvent, instance, NEW_SPEC, SPEC, STACK_ID, succeeded, UpdateEvent, updateEvent, waiterEvent } from './events';
import { clockAt, cloudFormation, describeStacksCalls, handlerLogs, proton, resetMocks, stackIs, T0 } from './mocks';
import { DESCRIBE_STACKS_TRANSIENT, describeStacksDenied, SEED_ERRORS, TRANSIENT_ERRORS } from './seed-errors';
import { isComplete, onEvent } from '../../lambda';
import { clientTokenFor } from '../../lambda/lifecycle/client-token';
import { IsCompleteRequest } from '../../lambda/lifecycle/types';

const ATTEMPTED = Date.parse('2026-11-27T10:00:00Z');

/** The UpdateServiceInstance inputs sent, in order. */
const updatesSent = () => proton.commandCalls(UpdateServiceInstanceCommand).map((c) => c.args[0].input);
/** Every call that changes something in Proton. */
const writes = () => [
  ...proton.commandCalls(CreateServiceInstanceCommand),
  ...proton.commandCalls(UpdateServiceInstanceCommand),
  ...proton.commandCalls(TagResourceCommand),
  ...proton.commandCalls(UntagResourceCommand),
  ...proton.commandCalls(CancelServiceInstanceDeploymentCommand),
];
const reads = (serviceInstance: ServiceInstance) => proton.on(GetServiceInstanceCommand).resolves({ serviceInstance });
/** The instances GetServiceInstance was asked about, in order. */
const instancesRead = () => proton.commandCalls(GetServiceInstanceCommand).map((c) => c.args[0].input);

beforeEach(() => {
  resetMocks();
  reads(succeeded());
  proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance({ lastAttemptedDeploymentId: 'dep-2' }) });
  proton.on(TagResourceCommand).resolves({});
  proton.on(UntagResourceCommand).resolves({});
  proton.on(CancelServiceInstanceDeploymentCommand).resolves({});
});

describe('Update in place: the deployment is planned from the instance as Proton has it', () => {
  test('a new spec redeploys with CURRENT_VERSION and no version fields, sent from onEvent', async () => {
    const event = updateEvent({ Spec: NEW_SPEC });
    const result = await onEvent(event);
    expect(result).toEqual({
      PhysicalResourceId: ARN,
      ProtonState: {
        deadline: T0 + 600_000,
        phase: 'UPDATE_IN_PROGRESS',
        token: clientTokenFor('UpdateServiceInstance', event),
        baseline: { deploymentId: 'dep-1', attemptedAt: ATTEMPTED },
      },
      OldResourceProperties: {},
    });
    expect(updatesSent()).toEqual([
      { serviceName: 'frontend', name: 'prod', deploymentType: 'CURRENT_VERSION', spec: NEW_SPEC, clientToken: clientTokenFor('UpdateServiceInstance', event) },
    ]);
  });

  test('the spec the instance already has is not deployed again, whatever the old properties said', async () => {
    await onEvent(updateEvent({ Spec: SPEC }, { Spec: 'environment: prod-env\nspec:\n  port: 1\n' }));
    expect(writes()).toHaveLength(0);
  });

  test('a spec Proton re-rendered (same YAML, other text) is the same spec', async () => {
    reads(succeeded({ spec: 'spec: {port: 80}   # as Proton stored it\nenvironment: "prod-env"\n' }));
    await onEvent(updateEvent({ Spec: SPEC }, { Spec: NEW_SPEC }));
    expect(writes()).toHaveLength(0);
  });

  test('a spec that differs from the instance is deployed even when the old and new properties agree (drift)', async () => {
    reads(succeeded({ spec: NEW_SPEC }));
    await onEvent(updateEvent({}, {}));
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'CURRENT_VERSION', spec: SPEC })]);
  });

  test.each([
    ['a spec that is not YAML and differs as text', 'environment: [unclosed', 'environment: [unclosed\n'],
    ['an instance whose answer has no spec', SPEC, undefined],
    ['a YAML value of another type', 'spec:\n  port: "80"\n', 'spec:\n  port: 80\n'],
  ])('%s is deployed', async (_, desired, running) => {
    reads(succeeded({ spec: running }));
    await onEvent(updateEvent({ Spec: desired }));
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'CURRENT_VERSION', spec: desired })]);
  });

  test('a new minor version deploys MINOR_VERSION within the major the instance runs, without the unchanged spec', async () => {
    await onEvent(updateEvent({ TemplateMinorVersion: '3' }, { TemplateMinorVersion: '2' }));
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'MINOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '3' })]);
    expect(updatesSent()[0].spec).toBeUndefined();
  });

  test('a new minor version and a new spec go in one MINOR_VERSION deployment', async () => {
    await onEvent(updateEvent({ TemplateMinorVersion: '3', Spec: NEW_SPEC }));
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'MINOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '3', spec: NEW_SPEC })]);
  });

  test('pinning the minor version the instance runs deploys nothing', async () => {
    await onEvent(updateEvent({ TemplateMinorVersion: '0' }, {}));
    expect(writes()).toHaveLength(0);
  });

  test('a higher major version deploys MAJOR_VERSION, with the minor and the new spec when given', async () => {
    await onEvent(updateEvent({ TemplateMajorVersion: '2', TemplateMinorVersion: '1', Spec: NEW_SPEC }));
    expect(updatesSent()).toEqual([
      expect.objectContaining({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2', templateMinorVersion: '1', spec: NEW_SPEC }),
    ]);
  });

  test('a higher major version without a spec change sends no spec', async () => {
    await onEvent(updateEvent({ TemplateMajorVersion: '2' }));
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2' })]);
    expect(updatesSent()[0].spec).toBeUndefined();
  });

  test('pinning the major version the instance already runs is no MAJOR_VERSION deployment', async () => {
    await onEvent(updateEvent({ TemplateMajorVersion: '1' }, { TemplateMajorVersion: undefined }));
    expect(writes()).toHaveLength(0);
  });

  test('pinning the running major version with a new spec redeploys CURRENT_VERSION', async () => {
    await onEvent(updateEvent({ TemplateMajorVersion: '1', Spec: NEW_SPEC }, { TemplateMajorVersion: undefined }));
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'CURRENT_VERSION', spec: NEW_SPEC })]);
  });

  test('the major version is compared to the running one, not to the old properties', async () => {
    await onEvent(updateEvent({ TemplateMajorVersion: '2' }, { TemplateMajorVersion: '2' }));
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2' })]);
  });

  test('versions are compared as numbers: 10 is higher than 9', async () => {
    reads(succeeded({ templateMajorVersion: '9' }));
    await onEvent(updateEvent({ TemplateMajorVersion: '10' }));
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '10' })]);
  });

  test('a lower major version than the instance runs fails at once, naming both versions, and writes nothing', async () => {
    reads(succeeded({ templateMajorVersion: '10' }));
    await expect(onEvent(updateEvent({ TemplateMajorVersion: '9', Tags: { team: 'web' } }))).rejects.toThrow(
      "Cannot move the Proton service instance 'prod' of service 'frontend' from template major version 10 to 9: Proton deploys only a " +
        'higher major version (MAJOR_VERSION), never a lower one. Set templateMajorVersion to 10 or higher.',
    );
    expect(writes()).toHaveLength(0);
  });

  test('a change of timeout, removal policy or outputs writes nothing to Proton and completes', async () => {
    const event = updateEvent({ TimeoutSeconds: '900', RemovalPolicy: 'Retain' });
    const answer = await onEvent(event);
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN });
    expect(writes()).toHaveLength(0);
    expect(answer.ProtonState.deadline).toBe(T0 + 900_000);
  });
});

test('the user\'s ClientToken seeds the update\'s token too', async () => {
  const event = updateEvent({ Spec: NEW_SPEC, ClientToken: 'my-seed' }, { ClientToken: 'my-seed' });
  const answer = await onEvent(event);
  expect(answer.ProtonState.token).toBe(clientTokenFor('UpdateServiceInstance', event, 'my-seed'));
  expect(answer.ProtonState.token).not.toBe(clientTokenFor('UpdateServiceInstance', event));
  expect(updatesSent()[0].clientToken).toBe(answer.ProtonState.token);
});

test('a deployment that failed before the request began is not judged as this update\'s: the template\'s spec is deployed again', async () => {
  reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'an old failure' }));
  const event = updateEvent({ TimeoutSeconds: '900' });
  const answer = await onEvent(event);
  expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'CURRENT_VERSION', spec: SPEC, clientToken: answer.ProtonState.token })]);
  // Our redeployment runs, then fails again: judged as ours, with Proton's message, and not sent a second time.
  reads(instance({ deploymentStatus: 'IN_PROGRESS', lastClientRequestToken: answer.ProtonState.token, spec: SPEC }));
  await expect(isComplete(waiterEvent(event, answer))).resolves.toEqual({ IsComplete: false });
  reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'still broken', lastClientRequestToken: answer.ProtonState.token, spec: SPEC }));
  await expect(isComplete(waiterEvent(event, answer))).rejects.toThrow(/^still broken \(the Proton deployment/);
  expect(updatesSent()).toHaveLength(1);
});

describe('the rollback of a major version upgrade (UPDATE_ROLLBACK_IN_PROGRESS)', () => {
  beforeEach(() => {
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    reads(succeeded({ templateMajorVersion: '2', spec: NEW_SPEC }));
  });
  // The rollback's properties are the old ones (major 1); the failed update's (major 2) are the old properties.
  const rollback = () => updateEvent({ TemplateMajorVersion: '1', Tags: { team: 'web' } }, { TemplateMajorVersion: '2', Spec: NEW_SPEC, Tags: {} }, 'req-rollback');

  test('deploys nothing, restores the old tags, logs a warning, and the attributes show the major version that runs', async () => {
    const event = rollback();
    const answer = await onEvent(event);
    expect(answer.OldResourceProperties).toEqual({});
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', from: '2', to: '1' }));
    const done = await isComplete(waiterEvent(event, answer));
    expect(done).toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { TemplateMajorVersion: '2' } });
    expect(updatesSent()).toHaveLength(0);
    expect(writes().map((c) => c.args[0].input)).toEqual([{ resourceArn: ARN, tags: [{ key: 'team', value: 'web' }] }]);
  });

  test('waits for the upgrade\'s deployment to end, so that the attributes say how it ended', async () => {
    const event = rollback();
    const answer = await onEvent(event);
    reads(instance({ templateMajorVersion: '2', deploymentStatus: 'IN_PROGRESS', lastClientRequestToken: 'the-upgrade' }));
    await expect(isComplete(waiterEvent(event, answer))).resolves.toEqual({ IsComplete: false });
    reads(succeeded({ templateMajorVersion: '2', lastClientRequestToken: 'the-upgrade' }));
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, Data: { TemplateMajorVersion: '2', DeploymentStatus: 'SUCCEEDED' } });
    expect(updatesSent()).toHaveLength(0);
  });

  test('also when the instance could only be read in isComplete', async () => {
    proton.on(GetServiceInstanceCommand).rejectsOnce(SEED_ERRORS.ThrottlingException()).resolves({ serviceInstance: succeeded({ templateMajorVersion: '2' }) });
    const event = rollback();
    const answer = await onEvent(event);
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, Data: { TemplateMajorVersion: '2' } });
    expect(updatesSent()).toHaveLength(0);
  });

  test('outside a rollback, the lower major met in isComplete fails naming both versions', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    proton.on(GetServiceInstanceCommand).rejectsOnce(SEED_ERRORS.ThrottlingException()).resolves({ serviceInstance: succeeded({ templateMajorVersion: '2' }) });
    const event = updateEvent({ TemplateMajorVersion: '1' });
    const answer = await onEvent(event);
    await expect(isComplete(waiterEvent(event, answer))).rejects.toThrow(/from template major version 2 to 1/);
    expect(writes()).toHaveLength(0);
  });
});

describe('a lower major version while the stack status could not be read at onEvent: isComplete asks again', () => {
  let poll: IsCompleteRequest;
  const event = () => updateEvent({ TemplateMajorVersion: '1', Tags: { team: 'web' }, OutputKeys: ['Url'] }, { TemplateMajorVersion: '2' }, 'req-unknown');
  beforeEach(async () => {
    stackIs(DESCRIBE_STACKS_TRANSIENT[0][1]());
    reads(succeeded({ templateMajorVersion: '2' }));
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: [] });
    const answer = await onEvent(event());
    expect(answer.ProtonState).toEqual({
      deadline: T0 + 600_000, token: clientTokenFor('UpdateServiceInstance', event()), baseline: { deploymentId: 'dep-1', attemptedAt: ATTEMPTED },
    });
    poll = waiterEvent(event(), answer);
    cloudFormation.resetHistory();
  });

  test('onEvent does not fail, and writes nothing', () => {
    expect(writes()).toHaveLength(0);
  });

  test('a rollback: completes with no write, the attributes showing the version that runs, a missing output empty', async () => {
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { 'TemplateMajorVersion': '2', 'Output.Url': '' } });
    expect(describeStacksCalls()).toBe(1);
    expect(writes()).toHaveLength(0);
  });

  test.each(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'] as const)('a forward status (%s): fails naming both versions, and writes nothing', async (status) => {
    stackIs(status);
    await expect(isComplete(poll)).rejects.toThrow(
      "Cannot move the Proton service instance 'prod' of service 'frontend' from template major version 2 to 1: Proton deploys only a " +
        'higher major version (MAJOR_VERSION), never a lower one. Set templateMajorVersion to 2 or higher.',
    );
    expect(writes()).toHaveLength(0);
  });

  test('still unknown: not complete, asking at each poll, until the deadline; then it times out naming DescribeStacks', async () => {
    clockAt(poll.ProtonState.deadline - 1);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(describeStacksCalls()).toBe(2);
    clockAt(poll.ProtonState.deadline);
    await expect(isComplete(poll)).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for CloudFormation to tell whether this update is a rollback \(DescribeStacks\)\. /,
    );
    expect(writes()).toHaveLength(0);
  });

  test('refused at isComplete (AccessDenied): fails naming the permission', async () => {
    stackIs(describeStacksDenied());
    await expect(isComplete(poll)).rejects.toThrow(/^CloudFormation DescribeStacks failed for its own stack \(AccessDenied.*needs cloudformation:DescribeStacks on /);
    expect(writes()).toHaveLength(0);
  });

  test('a deployment of someone else\'s still running is waited for before asking', async () => {
    reads(instance({ templateMajorVersion: '2', lastClientRequestToken: 'theirs' }));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(describeStacksCalls()).toBe(0);
  });
});

describe('a rollback Update never fails on Proton\'s outcome or the deadline (UPDATE_ROLLBACK_FAILED would need a person)', () => {
  // The failed update deployed NEW_SPEC; its rollback restores SPEC.
  const rollback = () => updateEvent({}, { Spec: NEW_SPEC }, 'req-rollback');
  beforeEach(() => stackIs('UPDATE_ROLLBACK_IN_PROGRESS'));

  test('it waits for the forward deployment still running (a cancelled update), then deploys the old spec once', async () => {
    reads(instance({ spec: NEW_SPEC, deploymentStatus: 'IN_PROGRESS', lastClientRequestToken: 'forward' }));
    const event = rollback();
    const answer = await onEvent(event);
    expect(updatesSent()).toHaveLength(0);
    await expect(isComplete(waiterEvent(event, answer))).resolves.toEqual({ IsComplete: false });
    reads(succeeded({ spec: NEW_SPEC, lastClientRequestToken: 'forward' }));
    await expect(isComplete(waiterEvent(event, answer))).resolves.toEqual({ IsComplete: false });
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'CURRENT_VERSION', spec: SPEC, clientToken: answer.ProtonState.token })]);
    reads(succeeded({ spec: SPEC, lastClientRequestToken: answer.ProtonState.token }));
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, Data: { DeploymentStatus: 'SUCCEEDED' } });
    expect(updatesSent()).toHaveLength(1);
  });

  test('its own deployment failing: completes, the attributes say FAILED, and a warning is logged', async () => {
    const event = rollback();
    reads(succeeded({ spec: NEW_SPEC }));
    const answer = await onEvent(event);
    reads(instance({ spec: SPEC, deploymentStatus: 'FAILED', deploymentStatusMessage: 'old image gone', lastClientRequestToken: answer.ProtonState.token }));
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { DeploymentStatus: 'FAILED' } });
    expect(handlerLogs()).toContainEqual({
      level: 'WARN',
      message: 'rollback could not restore the instance; completing so that the stack can roll back',
      serviceName: 'frontend',
      serviceInstanceName: 'prod',
      reason: 'the deployment did not succeed',
    });
    expect(JSON.stringify(handlerLogs())).not.toContain('old image gone');
  });

  test('at the deadline: completes without cancelling its own deployment, which goes on restoring the old spec', async () => {
    const event = rollback();
    reads(succeeded({ spec: NEW_SPEC }));
    const answer = await onEvent(event);
    reads(instance({ spec: SPEC, deploymentStatus: 'IN_PROGRESS', lastClientRequestToken: answer.ProtonState.token }));
    clockAt(answer.ProtonState.deadline);
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, Data: { DeploymentStatus: 'IN_PROGRESS' } });
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('an error that is not Proton\'s outcome (access denied) still fails the rollback', async () => {
    const event = rollback();
    reads(succeeded({ spec: NEW_SPEC }));
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(onEvent(event)).rejects.toThrow(/AccessDeniedException/);
  });

  test('outside a rollback, the same failure fails the update', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    const event = updateEvent({ Spec: NEW_SPEC });
    const answer = await onEvent(event);
    reads(instance({ spec: NEW_SPEC, deploymentStatus: 'FAILED', deploymentStatusMessage: 'bad', lastClientRequestToken: answer.ProtonState.token }));
    await expect(isComplete(waiterEvent(event, answer))).rejects.toThrow(/^bad \(the Proton deployment/);
  });
});

describe('a deployment sent from onEvent, or by isComplete once the instance is idle', () => {
  let event: UpdateEvent;
  let token: string;
  beforeEach(() => {
    event = updateEvent({ Spec: NEW_SPEC });
    token = clientTokenFor('UpdateServiceInstance', event);
  });
  const waiting = async () => waiterEvent(event, await onEvent(event));

  test('sent at once: the instance carrying our token is watched, and nothing is sent again', async () => {
    const poll = await waiting();
    expect(updatesSent()).toHaveLength(1);
    reads(instance({ spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-2', lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    reads(succeeded({ spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-2', lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { LastAttemptedDeploymentId: 'dep-2' } });
    expect(updatesSent()).toHaveLength(1);
  });

  test('a busy instance: nothing sent from onEvent; isComplete waits, sends once when idle, then watches ours', async () => {
    reads(instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: 'dep-busy', lastClientRequestToken: 'theirs' }));
    const poll = await waiting();
    expect(updatesSent()).toHaveLength(0);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(updatesSent()).toHaveLength(0);

    reads(succeeded({ lastAttemptedDeploymentId: 'dep-busy', lastClientRequestToken: 'theirs' }));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(updatesSent()).toEqual([{ serviceName: 'frontend', name: 'prod', deploymentType: 'CURRENT_VERSION', spec: NEW_SPEC, clientToken: token }]);

    reads(instance({ spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-ours', lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    reads(succeeded({ spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-ours', lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, Data: { LastAttemptedDeploymentId: 'dep-ours' } });
    expect(updatesSent()).toHaveLength(1);
  });

  test.each(['ConflictException', 'ThrottlingException', 'InternalServerException'] as const)('%s from onEvent\'s send defers it to isComplete, same input and token', async (name) => {
    proton.on(UpdateServiceInstanceCommand).rejectsOnce(SEED_ERRORS[name]()).resolves({ serviceInstance: instance() });
    const poll = await waiting();
    expect(poll.ProtonState.token).toBe(token);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    const [first, second] = updatesSent();
    expect(second).toEqual(first);
    expect(second.clientToken).toBe(token);
  });

  test.each([
    ['ValidationException', /^Proton UpdateServiceInstance failed for service instance 'prod' of service 'frontend' \(ValidationException.*Proton rejected the request/],
    ['AccessDeniedException', /\(AccessDeniedException.*needs proton:UpdateServiceInstance on arn:aws:proton:us-east-1:123456789012:service\/frontend\/service-instance\/prod\./],
    ['ResourceNotFoundException', /^Proton UpdateServiceInstance failed .*\(ResourceNotFoundException/],
  ] as const)('%s fails at once, from onEvent or from isComplete', async (name, message) => {
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(onEvent(event)).rejects.toThrow(message);
    await expect(isComplete(completeEvent(event, { token, phase: 'UPDATE_IN_PROGRESS' }))).rejects.toThrow(message);
  });

  test('a send refused in isComplete is asked again until the deadline, then fails with the last error and sends no more', async () => {
    proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    const poll = await waiting();
    clockAt(poll.ProtonState.deadline - 1);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(updatesSent()).toHaveLength(2);
    // The poll at the deadline tries once more, so that its failure can name what Proton said.
    clockAt(poll.ProtonState.deadline);
    await expect(isComplete(poll)).rejects.toThrow(
      "Timed out after 10 minute(s) waiting for Proton to accept the update of service instance 'prod' of service 'frontend'. " +
        'The last error was ConflictException: Resource is busy. This update was not applied; deploy again once it has finished.',
    );
    expect(updatesSent()).toHaveLength(3);
    await expect(isComplete(poll)).rejects.toThrow(/^Timed out/);
    expect(updatesSent()).toHaveLength(4);
  });

  test('once the instance carries our token, a failed deployment fails with Proton\'s message first and is not sent again', async () => {
    const poll = await waiting();
    // Proton reverted the spec: a plan from the instance alone would deploy again.
    reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'image not found', lastAttemptedDeploymentId: 'dep-2', lastClientRequestToken: token }));
    await expect(isComplete(poll)).rejects.toThrow(/^image not found \(the Proton deployment of service instance 'prod' of service 'frontend' ended FAILED, deployment dep-2/);
    expect(updatesSent()).toHaveLength(1);
  });

  test('once the instance carries our token, a cancelled deployment fails too', async () => {
    const poll = await waiting();
    reads(instance({ deploymentStatus: 'CANCELLED', deploymentStatusMessage: 'cancelled by admin', lastClientRequestToken: token }));
    await expect(isComplete(poll)).rejects.toThrow(/^cancelled by admin \(the Proton deployment .* ended CANCELLED/);
    expect(updatesSent()).toHaveLength(1);
  });

  test('a deployment someone else started meanwhile is not ours: its failure is not ours, and ours is sent after it', async () => {
    proton.on(UpdateServiceInstanceCommand).rejectsOnce(SEED_ERRORS.ConflictException()).resolves({ serviceInstance: instance() });
    const poll = await waiting();
    reads(instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: 'dep-theirs', lastClientRequestToken: 'theirs' }));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'their failure', lastAttemptedDeploymentId: 'dep-theirs', lastClientRequestToken: 'theirs' }));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(updatesSent()).toHaveLength(2);
    expect(updatesSent()[1]).toMatchObject({ spec: NEW_SPEC, clientToken: token });
  });

  test('at the deadline, someone else\'s deployment is left alone and the failure says this update was not applied', async () => {
    reads(instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: 'dep-theirs', lastClientRequestToken: 'theirs' }));
    const poll = await waiting();
    clockAt(poll.ProtonState.deadline);
    await expect(isComplete(poll)).rejects.toThrow(
      "Timed out after 10 minute(s) waiting for a deployment of the Proton service instance 'prod' of service 'frontend' that this update did not start " +
        '(IN_PROGRESS) to finish. This update was not applied; deploy again once it has finished.',
    );
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('at the deadline, our deployment IN_PROGRESS is cancelled and the failure says so', async () => {
    const poll = await waiting();
    reads(instance({ spec: NEW_SPEC, lastClientRequestToken: token }));
    clockAt(poll.ProtonState.deadline - 1);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
    clockAt(poll.ProtonState.deadline);
    await expect(isComplete(poll)).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for the Proton deployment of service instance 'prod' of service 'frontend'; cancelled it with CancelServiceInstanceDeployment/,
    );
    expect(proton).toHaveReceivedCommandWith(CancelServiceInstanceDeploymentCommand, { serviceName: 'frontend', serviceInstanceName: 'prod' });
  });

  test('at the deadline, our deployment already CANCELLING is not cancelled again', async () => {
    const poll = await waiting();
    reads(instance({ deploymentStatus: 'CANCELLING', lastClientRequestToken: token }));
    clockAt(poll.ProtonState.deadline);
    await expect(isComplete(poll)).rejects.toThrow(/^Timed out after 10 minute\(s\) waiting for the Proton service instance 'prod' of service 'frontend', which is CANCELLING/);
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('an instance removed outside the stack fails the update clearly, at onEvent and in isComplete', async () => {
    const poll = await waiting();
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    const gone = "The Proton service instance 'prod' of service 'frontend' no longer exists; it was removed outside this stack. Deploy again to recreate it.";
    await expect(isComplete(poll)).rejects.toThrow(gone);
    await expect(onEvent(event)).rejects.toThrow(gone);
  });

  test.each(TRANSIENT_ERRORS)('an instance that cannot be read at onEvent (%s): nothing is sent until isComplete can plan', async (_, error) => {
    proton.on(GetServiceInstanceCommand).rejectsOnce(error()).resolves({ serviceInstance: succeeded() });
    const poll = await waiting();
    expect(poll.ProtonState.baseline).toBeUndefined();
    expect(updatesSent()).toHaveLength(0);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(updatesSent()).toEqual([expect.objectContaining({ deploymentType: 'CURRENT_VERSION', spec: NEW_SPEC, clientToken: token })]);
  });
});

describe('a deployment that ended after the request began and left the instance as the template says', () => {
  let poll: IsCompleteRequest;
  beforeEach(async () => {
    // Busy at onEvent, so this request sent nothing; Proton records no client token.
    reads(instance({ deploymentStatus: 'IN_PROGRESS', lastAttemptedDeploymentId: 'dep-1' }));
    const event = updateEvent({ Spec: NEW_SPEC });
    poll = waiterEvent(event, await onEvent(event));
  });

  test('SUCCEEDED completes without sending anything', async () => {
    reads(succeeded({ spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-9', lastSucceededDeploymentId: 'dep-9' }));
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, Data: { LastAttemptedDeploymentId: 'dep-9' } });
    expect(updatesSent()).toHaveLength(0);
  });

  test.each(['FAILED', 'CANCELLED'] as const)('%s fails with Proton\'s message first', async (status) => {
    reads(instance({ deploymentStatus: status, deploymentStatusMessage: 'health check failed', spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-9' }));
    await expect(isComplete(poll)).rejects.toThrow(new RegExp(`^health check failed \\(the Proton deployment of service instance 'prod' of service 'frontend' ended ${status}, deployment dep-9`));
    expect(updatesSent()).toHaveLength(0);
  });

  test('without deployment ids, a later attempt time marks the new deployment', async () => {
    reads(instance({ deploymentStatus: 'FAILED', spec: NEW_SPEC, lastAttemptedDeploymentId: undefined, lastDeploymentAttemptedAt: new Date(ATTEMPTED + 60_000) }));
    await expect(isComplete({ ...poll, ProtonState: { ...poll.ProtonState, baseline: { attemptedAt: ATTEMPTED } } })).rejects.toThrow(/^Proton gave no message \(the Proton deployment .* ended FAILED; fix the cause/);
  });
});

test('recognising the deferred update without tokens or deployment ids: no second update is sent', async () => {
  const event = updateEvent({ Spec: 'environment: prod-env\nx: 3\n' });
  const bare = (status: 'IN_PROGRESS' | 'SUCCEEDED', at: string, spec = SPEC) =>
    instance({ deploymentStatus: status, spec, lastAttemptedDeploymentId: undefined, lastDeploymentAttemptedAt: new Date(at) });
  reads(bare('IN_PROGRESS', '2026-11-27T10:00:00Z'));
  const answer = await onEvent(event);
  expect(answer.ProtonState.baseline).toEqual({ deploymentId: undefined, attemptedAt: Date.parse('2026-11-27T10:00:00Z') });
  const poll = waiterEvent(event, answer);

  // The busy deployment ends; ours is sent.
  reads(bare('SUCCEEDED', '2026-11-27T10:00:00Z'));
  await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
  expect(updatesSent()).toHaveLength(1);
  // Ours (attempted later) runs, then ends with the new spec: complete, and the update is not sent again.
  reads(bare('IN_PROGRESS', '2026-11-27T10:05:00Z', 'environment: prod-env\nx: 3\n'));
  await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
  reads(bare('SUCCEEDED', '2026-11-27T10:05:00Z', 'environment: prod-env\nx: 3\n'));
  await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true });
  expect(updatesSent()).toHaveLength(1);
});

describe('a late send checks the stack is still in the phase recorded at onEvent', () => {
  let poll: IsCompleteRequest;
  beforeEach(async () => {
    reads(instance({ deploymentStatus: 'IN_PROGRESS', lastClientRequestToken: 'theirs' }));
    const event = updateEvent({ Spec: NEW_SPEC });
    poll = waiterEvent(event, await onEvent(event));
    reads(succeeded({ lastClientRequestToken: 'theirs' }));
    expect(describeStacksCalls()).toBe(1);
  });

  test('the same phase: sent', async () => {
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(describeStacksCalls()).toBe(2);
    expect(updatesSent()).toHaveLength(1);
  });

  test.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE'] as const)('the stack moved on to %s: fails, sending nothing', async (status) => {
    stackIs(status);
    await expect(isComplete(poll)).rejects.toThrow(
      `The stack is ${status}: the operation this request belongs to has ended, so its deployment of the Proton service instance 'prod' of service 'frontend' is not sent.`,
    );
    expect(updatesSent()).toHaveLength(0);
  });

  test('a status that cannot be read is decided without: sent', async () => {
    stackIs(describeStacksDenied());
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(updatesSent()).toHaveLength(1);
  });
});

describe('tags', () => {
  test('a tag change goes to TagResource/UntagResource on the ARN, without a deployment, and completes', async () => {
    const event = updateEvent({ Tags: { team: 'platform', tier: 'web', same: 'x' } }, { Tags: { team: 'web', old: 'x', same: 'x' } });
    const answer = await onEvent(event);
    expect(answer.ProtonState.pendingTags).toBeUndefined();
    expect(proton).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ARN, tags: [{ key: 'team', value: 'platform' }, { key: 'tier', value: 'web' }] });
    expect(proton).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: ARN, tagKeys: ['old'] });
    expect(updatesSent()).toHaveLength(0);
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, Data: { DeploymentStatus: 'SUCCEEDED' } });
    expect(proton).toHaveReceivedCommandTimes(TagResourceCommand, 1);
  });

  test('only removed tags: UntagResource alone; only added ones: TagResource alone', async () => {
    await onEvent(updateEvent({ Tags: {} }, { Tags: { old: 'x' } }));
    expect(proton).not.toHaveReceivedCommand(TagResourceCommand);
    expect(proton).toHaveReceivedCommandTimes(UntagResourceCommand, 1);
    proton.resetHistory();
    await onEvent(updateEvent({ Tags: { added: '' } }, { Tags: {} }));
    expect(proton).toHaveReceivedCommandWith(TagResourceCommand, { tags: [{ key: 'added', value: '' }] });
    expect(proton).not.toHaveReceivedCommand(UntagResourceCommand);
  });

  test('unchanged tags send nothing', async () => {
    await onEvent(updateEvent({ Tags: { team: 'web' } }, { Tags: { team: 'web' } }));
    expect(writes()).toHaveLength(0);
  });

  test('tags and a new spec: both go from onEvent', async () => {
    await onEvent(updateEvent({ Tags: { team: 'web' }, Spec: NEW_SPEC }));
    expect(proton).toHaveReceivedCommandTimes(TagResourceCommand, 1);
    expect(updatesSent()).toHaveLength(1);
  });

  test.each([
    ['ConflictException on TagResource', () => proton.on(TagResourceCommand).rejectsOnce(SEED_ERRORS.ConflictException()).resolves({})],
    ['ThrottlingException on UntagResource', () => proton.on(UntagResourceCommand).rejectsOnce(SEED_ERRORS.ThrottlingException()).resolves({})],
    ['InternalServerException on TagResource', () => proton.on(TagResourceCommand).rejectsOnce(SEED_ERRORS.InternalServerException()).resolves({})],
  ])('%s defers the tags, and the deployment behind them, to isComplete', async (_, refuseOnce) => {
    refuseOnce();
    const event = updateEvent({ Tags: { team: 'platform' }, Spec: NEW_SPEC }, { Tags: { team: 'web', old: 'x' } });
    const answer = await onEvent(event);
    expect(answer.ProtonState.pendingTags).toEqual({ set: { team: 'platform' }, remove: ['old'] });
    expect(updatesSent()).toHaveLength(0);
    await expect(isComplete(waiterEvent(event, answer))).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ARN, tags: [{ key: 'team', value: 'platform' }] });
    expect(proton).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: ARN, tagKeys: ['old'] });
    expect(updatesSent()).toEqual([expect.objectContaining({ spec: NEW_SPEC })]);
  });

  test('tags refused until the deadline: fails with the last error, and the deployment is never sent', async () => {
    proton.on(TagResourceCommand).rejects(SEED_ERRORS.ConflictException());
    const event = updateEvent({ Tags: { team: 'platform' }, Spec: NEW_SPEC });
    const poll = waiterEvent(event, await onEvent(event));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    clockAt(poll.ProtonState.deadline);
    await expect(isComplete(poll)).rejects.toThrow(
      "Timed out after 10 minute(s) waiting for Proton to accept the tag changes of service instance 'prod' of service 'frontend'. " +
        'The last error was ConflictException: Resource is busy. This update was not applied; deploy again once it has finished.',
    );
    expect(updatesSent()).toHaveLength(0);
  });

  describe('deferred tag changes are sent from isComplete only while the stack is in the phase recorded at onEvent', () => {
    let poll: IsCompleteRequest;
    /** The tag calls onEvent made: Untag (accepted), then Tag (refused). */
    const AT_ON_EVENT = 2;
    beforeEach(async () => {
      proton.on(TagResourceCommand).rejectsOnce(SEED_ERRORS.ConflictException()).resolves({});
      const event = updateEvent({ Tags: { team: 'platform' } }, { Tags: { team: 'web', old: 'x' } });
      poll = waiterEvent(event, await onEvent(event));
      expect(poll.ProtonState).toMatchObject({ phase: 'UPDATE_IN_PROGRESS', pendingTags: { set: { team: 'platform' }, remove: ['old'] } });
      expect(writes()).toHaveLength(AT_ON_EVENT);
      cloudFormation.resetHistory();
    });

    test('the same phase: sent, then complete', async () => {
      await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN });
      expect(describeStacksCalls()).toBe(1);
      expect(writes()).toHaveLength(AT_ON_EVENT + 2);
      expect(proton.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
        { resourceArn: ARN, tags: [{ key: 'team', value: 'platform' }] },
        { resourceArn: ARN, tags: [{ key: 'team', value: 'platform' }] },
      ]);
      expect(proton).toHaveReceivedCommandTimes(UntagResourceCommand, 2);
    });

    test.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE'] as const)('the stack moved on to %s: fails, sending no tag change', async (status) => {
      stackIs(status);
      await expect(isComplete(poll)).rejects.toThrow(
        `The stack is ${status}: the operation this request belongs to has ended, so its tag changes are not sent.`,
      );
      expect(writes()).toHaveLength(AT_ON_EVENT);
    });

    test('a status that cannot be read is decided without: sent', async () => {
      stackIs(describeStacksDenied());
      await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true });
      expect(proton).toHaveReceivedCommandTimes(TagResourceCommand, 2);
      expect(writes()).toHaveLength(AT_ON_EVENT + 2);
    });
  });

  test('a tag change refused for good fails naming TagResource and the permission', async () => {
    proton.on(TagResourceCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(onEvent(updateEvent({ Tags: { a: 'b' } }))).rejects.toThrow(/^Proton TagResource failed .*needs proton:TagResource on arn:aws:proton:us-east-1:123456789012:service\/frontend\/service-instance\/prod\./);
  });
});

describe('a new name or service is a replacement', () => {
  const PROD2 = arnOf('prod2');

  test('a new instance name creates a new instance, which becomes the physical id; nothing is updated', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: PROD2, name: 'prod2' }) });
    proton.on(GetServiceInstanceCommand, { name: 'prod2' }).rejects(SEED_ERRORS.ResourceNotFoundException());
    const event = updateEvent({ ServiceInstanceName: 'prod2' });
    const answer = await onEvent(event);
    expect(answer).toMatchObject({ PhysicalResourceId: PROD2, ProtonState: { creates: true, phase: 'UPDATE_IN_PROGRESS' }, OldResourceProperties: {} });
    expect(proton).toHaveReceivedCommandWith(CreateServiceInstanceCommand, { name: 'prod2', serviceName: 'frontend', spec: SPEC });
    expect(updatesSent()).toHaveLength(0);
    // Only the target is read (is the name free?); the old instance is neither read nor planned.
    expect(instancesRead()).toEqual([{ serviceName: 'frontend', name: 'prod2' }]);
    expect(handlerLogs().filter((l) => l.level === 'WARN')).toEqual([]);

    // isComplete watches the create.
    reads(succeeded({ arn: PROD2, name: 'prod2', lastClientRequestToken: answer.ProtonState.token }));
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: PROD2 });
    expect(proton).toHaveReceivedCommandWith(GetServiceInstanceCommand, { serviceName: 'frontend', name: 'prod2' });
  });

  test('a replacement meeting a busy service is a pending create, which isComplete sends again', async () => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    const event = updateEvent({ ServiceInstanceName: 'prod2' });
    const answer = await onEvent(event);
    const token = clientTokenFor('CreateServiceInstance', event);
    expect(answer).toMatchObject({ PhysicalResourceId: `cdk-proton:pending-create:frontend/prod2:${token}:${T0}`, ProtonState: { creates: true, pendingCreate: true, startedAt: T0 } });
    await expect(isComplete(waiterEvent(event, answer))).resolves.toEqual({ IsComplete: false });
    expect(proton.commandCalls(CreateServiceInstanceCommand).map((c) => c.args[0].input.clientToken)).toEqual([token, token]);
  });

  test('a new service name is a replacement too', async () => {
    const BACKEND = arnOf('prod', 'backend');
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: BACKEND, serviceName: 'backend' }) });
    const answer = await onEvent(updateEvent({ ServiceName: 'backend' }));
    expect(answer.PhysicalResourceId).toBe(BACKEND);
    expect(proton).toHaveReceivedCommandWith(CreateServiceInstanceCommand, { serviceName: 'backend', name: 'prod' });
  });

  test.each(DESCRIBE_STACKS_TRANSIENT)('a replacement when the stack status cannot be read for now (%s) is a create, without a phase', async (_, error) => {
    stackIs(error());
    proton.on(GetServiceInstanceCommand, { name: 'prod2' }).rejects(SEED_ERRORS.ResourceNotFoundException());
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: PROD2 }) });
    const answer = await onEvent(updateEvent({ ServiceInstanceName: 'prod2' }));
    expect(answer).toMatchObject({ PhysicalResourceId: PROD2, ProtonState: { creates: true } });
    expect(answer.ProtonState.phase).toBeUndefined();
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
  });

  test('a replacement when DescribeStacks is refused fails, naming the permission, and creates nothing', async () => {
    stackIs(describeStacksDenied());
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: PROD2 }) });
    await expect(onEvent(updateEvent({ ServiceInstanceName: 'prod2' }))).rejects.toThrow(
      /^CloudFormation DescribeStacks failed for its own stack \(AccessDenied: .*\)\. The handler role needs cloudformation:DescribeStacks on arn:aws:cloudformation:/,
    );
    expect(writes()).toHaveLength(0);
  });

  describe('the instance the new name names is read first', () => {
    // A forward rename from prod to prod2, where prod2 exists.
    const rename = () => updateEvent({ ServiceInstanceName: 'prod2' }, {}, 'req-rename');
    const ownEarlier = clientTokenFor('UpdateServiceInstance', updateEvent({}, {}, 'req-older'));

    test('it exists, last deployed by this resource (one it retained earlier): the resource points back at it; nothing is created', async () => {
      const event = rename();
      reads(succeeded({ arn: PROD2, name: 'prod2', lastClientRequestToken: ownEarlier }));
      const answer = await onEvent(event);
      const token = clientTokenFor('UpdateServiceInstance', event);
      expect(answer).toEqual({
        PhysicalResourceId: PROD2,
        ProtonState: { deadline: T0 + 600_000, phase: 'UPDATE_IN_PROGRESS', token, baseline: { deploymentId: 'dep-1', attemptedAt: ATTEMPTED } },
        OldResourceProperties: {},
      });
      expect(instancesRead()).toEqual([{ serviceName: 'frontend', name: 'prod2' }]);
      expect(writes()).toHaveLength(0);
      expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'INFO', message: expect.stringContaining('pointing back at it'), arn: PROD2, rollback: false }));
      // isComplete reconciles it: already as the template says, it completes with its ARN.
      await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: PROD2 });
      expect(writes()).toHaveLength(0);
    });

    test('pointed back at, it is brought to the template\'s state like an in-place update: the new spec once, with this Update\'s token', async () => {
      const event = updateEvent({ ServiceInstanceName: 'prod2', Spec: NEW_SPEC }, {}, 'req-rename');
      const token = clientTokenFor('UpdateServiceInstance', event);
      reads(succeeded({ arn: PROD2, name: 'prod2', lastClientRequestToken: ownEarlier }));
      const poll = waiterEvent(event, await onEvent(event));
      expect(poll.ProtonState.creates).toBeUndefined();
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
      expect(updatesSent()).toEqual([{ serviceName: 'frontend', name: 'prod2', deploymentType: 'CURRENT_VERSION', spec: NEW_SPEC, clientToken: token }]);
      reads(succeeded({ arn: PROD2, name: 'prod2', spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-2', lastClientRequestToken: token }));
      await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: PROD2, Data: { Name: 'prod2', LastAttemptedDeploymentId: 'dep-2' } });
      expect(updatesSent()).toHaveLength(1);
      expect(proton).not.toHaveReceivedCommand(CreateServiceInstanceCommand);
    });

    test.each([
      ['someone else\'s token', 'someone-else'],
      ['no token', undefined],
      ['another resource\'s token', clientTokenFor('UpdateServiceInstance', { StackId: STACK_ID, LogicalResourceId: 'Staging', RequestId: 'req-older' })],
    ])('it exists with %s, in a forward update: the create meets it, and fails without taking it', async (_, token) => {
      reads(succeeded({ arn: PROD2, name: 'prod2', lastClientRequestToken: token }));
      proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
      await expect(onEvent(rename())).rejects.toThrow(
        "A Proton service instance 'prod2' of service 'frontend' already exists and this stack did not create it (ConflictException: Resource is busy). ",
      );
      expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
      expect(updatesSent()).toHaveLength(0);
    });

    test.each([
      ['is not found', () => proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException())],
      ['reads DELETE_COMPLETE', () => reads(instance({ arn: PROD2, name: 'prod2', deploymentStatus: 'DELETE_COMPLETE', lastClientRequestToken: ownEarlier }))],
    ])('it %s: created, without a warning', async (_, given) => {
      given();
      proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: PROD2, name: 'prod2' }) });
      const answer = await onEvent(rename());
      expect(answer).toMatchObject({ PhysicalResourceId: PROD2, ProtonState: { creates: true } });
      expect(handlerLogs().filter((l) => l.level === 'WARN')).toEqual([]);
    });

    test.each(TRANSIENT_ERRORS)('it cannot be read for now (%s): fails rather than create one that may exist', async (_, error) => {
      proton.on(GetServiceInstanceCommand).rejects(error());
      await expect(onEvent(rename())).rejects.toThrow(/^Proton GetServiceInstance failed for service instance 'prod2' of service 'frontend' \(/);
      expect(writes()).toHaveLength(0);
    });

    test('it cannot be read for good (AccessDenied): fails naming the permission', async () => {
      proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.AccessDeniedException());
      await expect(onEvent(rename())).rejects.toThrow(/^Proton GetServiceInstance failed for service instance 'prod2' .*needs proton:GetServiceInstance\./);
      expect(writes()).toHaveLength(0);
    });
  });

  describe('in UPDATE_ROLLBACK_IN_PROGRESS', () => {
    beforeEach(() => stackIs('UPDATE_ROLLBACK_IN_PROGRESS'));
    // The rollback's properties name the instance the stack had (prod); the physical id is the failed update's.
    const rollback = (physicalId = PROD2) => updateEvent({}, { ServiceInstanceName: 'prod2' }, 'req-rollback', physicalId);

    test.each([
      ['the replacement\'s ARN', PROD2],
      ['a pending create of the replacement', `cdk-proton:pending-create:frontend/prod2:${'a'.repeat(64)}:${T0}`],
      ['a pending create of the replacement, in the id format without the time', `cdk-proton:pending-create:frontend/prod2:${'a'.repeat(64)}`],
    ])('back to the existing instance from %s: its ARN, and nothing is created or sent', async (_, physicalId) => {
      const event = rollback(physicalId);
      const answer = await onEvent(event);
      expect(answer).toMatchObject({ PhysicalResourceId: ARN, OldResourceProperties: {} });
      // A reconcile state: the rollback's own Update token, no create watched.
      expect(answer.ProtonState).toEqual({
        deadline: T0 + 600_000,
        phase: 'UPDATE_ROLLBACK_IN_PROGRESS',
        token: clientTokenFor('UpdateServiceInstance', event),
        baseline: { deploymentId: 'dep-1', attemptedAt: ATTEMPTED },
      });
      expect(proton).toHaveReceivedCommandWith(GetServiceInstanceCommand, { serviceName: 'frontend', name: 'prod' });
      await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { Name: 'prod' } });
      expect(writes()).toHaveLength(0);
    });

    test.each([
      ['is not found', () => proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException())],
      ['reads DELETE_COMPLETE', () => reads(instance({ deploymentStatus: 'DELETE_COMPLETE' }))],
    ])('the instance the stack had %s: it is created again, with a warning', async (_, given) => {
      given();
      proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
      const answer = await onEvent(rollback());
      expect(answer).toMatchObject({ PhysicalResourceId: ARN, ProtonState: { creates: true } });
      expect(proton).toHaveReceivedCommandWith(CreateServiceInstanceCommand, { name: 'prod' });
      expect(handlerLogs()).toContainEqual({
        level: 'WARN', message: 'rollback of a replacement: the instance the stack had is gone; creating it again', serviceName: 'frontend', serviceInstanceName: 'prod',
      });
    });

    test('the instance the stack had, last deployed by someone else: pointed back at all the same (it is the rollback\'s target)', async () => {
      reads(succeeded({ lastClientRequestToken: 'someone-else' }));
      const answer = await onEvent(rollback());
      expect(answer.PhysicalResourceId).toBe(ARN);
      expect(answer.ProtonState.creates).toBeUndefined();
      expect(writes()).toHaveLength(0);
      expect(handlerLogs()).toContainEqual(expect.objectContaining({ message: expect.stringContaining('pointing back at it'), rollback: true }));
    });

    test('the instance cannot be read: points back at it by its ARN without failing, creates nothing, and leaves the reading to isComplete', async () => {
      proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ThrottlingException());
      const answer = await onEvent(rollback());
      expect(answer.PhysicalResourceId).toBe(ARN);
      expect(answer.ProtonState).toMatchObject({ phase: 'UPDATE_ROLLBACK_IN_PROGRESS', baseline: undefined });
      expect(writes()).toHaveLength(0);
    });
  });
});

test('every Update answer drops the old properties, so the waiter carries one spec', async () => {
  proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: arnOf('prod2') }) });
  const answers = [
    await onEvent(updateEvent({ Spec: NEW_SPEC })),
    await onEvent(updateEvent({ TimeoutSeconds: '900' })),
    await onEvent(updateEvent({ ServiceInstanceName: 'prod2' })),
  ];
  for (const answer of answers) expect(answer.OldResourceProperties).toEqual({});
  const event = updateEvent({ Spec: NEW_SPEC }, { Spec: 'old: spec' });
  const merged = waiterEvent(event, answers[0]);
  expect(JSON.stringify(merged)).not.toContain('old: spec');
});
