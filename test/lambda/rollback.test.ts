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
import { ARN, arnOf, completeEvent, createEvent, instance, NEW_SPEC, SPEC, succeeded, updateEvent, waiterEvent } from './events';
import { clockAt, handlerLogs, proton, resetMocks, stackIs } from './mocks';
import { SEED_ERRORS } from './seed-errors';
import { isComplete, onEvent } from '../../lambda';
import { DeploymentEnded, InstanceGone, OutputsMissing, ProtonOutcome, WaitTimedOut } from '../../lambda/errors';
import { IsCompleteRequest } from '../../lambda/lifecycle/types';
import { ATTRIBUTES } from '../../src/private/contract';

/**
 * A rollback Update (UPDATE_ROLLBACK_IN_PROGRESS) must complete: failing it leaves the stack UPDATE_ROLLBACK_FAILED,
 * which only a person can resolve. When Proton's outcome keeps it from restoring the old state, it completes with
 * the instance as it is, and says why in a warning that never quotes Proton. Errors of another kind still fail.
 */

const PROD2 = arnOf('prod2');
/** Proton's words, which are sensitive: never in the log. */
const PROTON_TEXT = 'secret-db-password in the stack message';

const reads = (serviceInstance: ServiceInstance) => proton.on(GetServiceInstanceCommand).resolves({ serviceInstance });
const notFound = () => proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
const writes = () => [
  ...proton.commandCalls(CreateServiceInstanceCommand),
  ...proton.commandCalls(UpdateServiceInstanceCommand),
  ...proton.commandCalls(TagResourceCommand),
  ...proton.commandCalls(UntagResourceCommand),
  ...proton.commandCalls(CancelServiceInstanceDeploymentCommand),
];
const outputs = (values: Record<string, string>) =>
  proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: Object.entries(values).map(([key, valueString]) => ({ key, valueString })) });

const lenient = (reason: string) => ({
  level: 'WARN',
  message: 'rollback could not restore the instance; completing so that the stack can roll back',
  serviceName: 'frontend',
  serviceInstanceName: 'prod',
  reason,
});
const noProtonTextLogged = () => expect(JSON.stringify(handlerLogs())).not.toContain(PROTON_TEXT);
/** Every attribute and every asked-for output, empty: what a rollback answers for an instance that is gone. */
const blanks = (outputKeys: string[]) => ({
  ...Object.fromEntries(ATTRIBUTES.map((key) => [key, ''])),
  ...Object.fromEntries(outputKeys.map((key) => [`Output.${key}`, ''])),
});

beforeEach(() => {
  resetMocks();
  stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
  proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance({ lastAttemptedDeploymentId: 'dep-2' }) });
  proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
  proton.on(CancelServiceInstanceDeploymentCommand).resolves({});
  proton.on(TagResourceCommand).resolves({});
  proton.on(UntagResourceCommand).resolves({});
});

test('the outcomes a rollback completes despite, each with the reason it logs', () => {
  const outcomes: Array<[ProtonOutcome, string]> = [
    [new DeploymentEnded('x'), 'the deployment did not succeed'],
    [new WaitTimedOut('x'), 'timed out'],
    [new OutputsMissing('x'), 'an output is missing'],
    [new InstanceGone('x'), 'the instance is gone'],
  ];
  for (const [error, outcome] of outcomes) {
    expect(error).toBeInstanceOf(ProtonOutcome);
    expect(error.outcome).toBe(outcome);
    expect(error.name).toBe('ProtonDeploymentError');
  }
});

describe('watching the instance the rollback restores in place', () => {
  // The failed update deployed NEW_SPEC; its rollback restores SPEC, and asks for the output Url.
  const rollback = () => updateEvent({ OutputKeys: ['Url'] }, { Spec: NEW_SPEC, OutputKeys: ['Url'] }, 'req-rollback');
  let poll: IsCompleteRequest;
  let token: string;
  beforeEach(async () => {
    reads(succeeded({ spec: NEW_SPEC }));
    outputs({ Url: 'https://old.example.com' });
    const event = rollback();
    const answer = await onEvent(event);
    token = answer.ProtonState.token!;
    expect(answer.ProtonState.phase).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    poll = waiterEvent(event, answer);
  });

  test('its deployment failed: completes with the instance\'s attributes, the outputs it has, and the reason', async () => {
    reads(instance({ spec: SPEC, deploymentStatus: 'FAILED', deploymentStatusMessage: PROTON_TEXT, lastAttemptedDeploymentId: 'dep-2', lastClientRequestToken: token }));
    const done = await isComplete(poll);
    expect(done).toMatchObject({
      IsComplete: true,
      PhysicalResourceId: ARN,
      Data: { 'Arn': ARN, 'DeploymentStatus': 'FAILED', 'DeploymentStatusMessage': PROTON_TEXT, 'LastAttemptedDeploymentId': 'dep-2', 'Output.Url': 'https://old.example.com' },
    });
    expect(Object.keys(done.Data!).sort()).toEqual([...ATTRIBUTES, 'Output.Url'].sort());
    expect(handlerLogs()).toContainEqual(lenient('the deployment did not succeed'));
    noProtonTextLogged();
  });

  test('someone else\'s deployment still running at the deadline: completes ("timed out"), cancelling nothing', async () => {
    reads(instance({ spec: NEW_SPEC, deploymentStatus: 'IN_PROGRESS', lastClientRequestToken: 'theirs' }));
    clockAt(poll.ProtonState.deadline - 1);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    clockAt(poll.ProtonState.deadline);
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { DeploymentStatus: 'IN_PROGRESS' } });
    expect(handlerLogs()).toContainEqual(lenient('timed out'));
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('its deployment succeeded but an output is gone: completes with that output empty, the others as they are', async () => {
    reads(succeeded({ spec: SPEC, lastClientRequestToken: token }));
    const event = updateEvent({ OutputKeys: ['Url', 'Port'] }, { Spec: NEW_SPEC }, 'req-rollback');
    outputs({ Port: '80', Secret: PROTON_TEXT });
    const done = await isComplete(completeEvent(event, { ...poll.ProtonState }));
    expect(done).toMatchObject({ IsComplete: true, Data: { 'Output.Url': '', 'Output.Port': '80', 'DeploymentStatus': 'SUCCEEDED' } });
    expect(done.Data).not.toHaveProperty('Output.Secret');
    expect(handlerLogs()).toContainEqual(lenient('an output is missing'));
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'outputs missing; answered as empty strings', missing: ['Url'] }));
    noProtonTextLogged();
  });

  test('nothing to deploy and an output missing: completes with it empty, without the rollback warning', async () => {
    reads(succeeded({ spec: SPEC }));
    outputs({});
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, Data: { 'Output.Url': '' } });
    expect(writes()).toHaveLength(1);
    expect(handlerLogs()).not.toContainEqual(expect.objectContaining({ message: lenient('').message }));
  });

  test('the instance is gone: completes with every attribute and every asked-for output empty', async () => {
    notFound();
    const done = await isComplete(poll);
    expect(done).toEqual({ IsComplete: true, Data: blanks(['Url']) });
    expect(handlerLogs()).toContainEqual(lenient('the instance is gone'));
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: "the Proton service instance 'prod' of service 'frontend' is gone; its attributes are empty" }));
  });

  test('an instance that reads DELETE_COMPLETE after the outcome is judged as it reads, not blanked', async () => {
    reads(instance({ spec: SPEC, deploymentStatus: 'FAILED', lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, Data: { DeploymentStatus: 'FAILED', Arn: ARN } });
  });

  describe('errors of another kind still fail the rollback', () => {
    test.each([
      ['AccessDeniedException', /^Proton UpdateServiceInstance failed .*AccessDeniedException.*needs proton:UpdateServiceInstance/],
      ['ValidationException', /^Proton UpdateServiceInstance failed .*ValidationException/],
    ] as const)('%s on the deployment isComplete sends', async (name, message) => {
      reads(succeeded({ spec: NEW_SPEC }));
      proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS[name]());
      await expect(isComplete(completeEvent(rollback(), { ...poll.ProtonState }))).rejects.toThrow(message);
    });

    test('AccessDenied reading the instance', async () => {
      proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.AccessDeniedException());
      await expect(isComplete(poll)).rejects.toThrow(/^Proton GetServiceInstance failed .*AccessDeniedException/);
    });

    test('AccessDenied reading the instance again after an outcome', async () => {
      proton.on(GetServiceInstanceCommand)
        .resolvesOnce({ serviceInstance: instance({ spec: SPEC, deploymentStatus: 'FAILED', lastClientRequestToken: token }) })
        .rejects(SEED_ERRORS.AccessDeniedException());
      await expect(isComplete(poll)).rejects.toThrow(/^Proton GetServiceInstance failed .*AccessDeniedException/);
    });

    test.each([
      ['nothing to deploy', () => reads(succeeded({ spec: SPEC }))],
      ['after a failed deployment', () => reads(instance({ spec: SPEC, deploymentStatus: 'FAILED', lastClientRequestToken: token }))],
    ])('AccessDenied listing the outputs (%s): not answered as empty outputs', async (_, given) => {
      given();
      proton.on(ListServiceInstanceOutputsCommand).rejects(SEED_ERRORS.AccessDeniedException());
      await expect(isComplete(poll)).rejects.toThrow(/^Proton ListServiceInstanceOutputs failed .*needs proton:ListServiceInstanceOutputs/);
    });
  });

  test('the instance cannot be read after the outcome (throttled): asked again at the next poll, not taken for gone', async () => {
    const event = updateEvent({}, { Spec: NEW_SPEC }, 'req-rollback');
    reads(succeeded({ spec: NEW_SPEC }));
    const answer = await onEvent(event);
    // The poll's first read shows the restore failed; the second, made to complete despite it, is throttled.
    let reads_ = 0;
    proton.on(GetServiceInstanceCommand).callsFake(() => {
      reads_++;
      if (reads_ === 1) return { serviceInstance: instance({ spec: SPEC, deploymentStatus: 'FAILED', lastClientRequestToken: answer.ProtonState.token }) };
      throw SEED_ERRORS.ThrottlingException();
    });
    await expect(isComplete(waiterEvent(event, answer))).resolves.toEqual({ IsComplete: false });
    expect(reads_).toBe(2);
  });

  test('listing the outputs throttled: asked again at the next poll', async () => {
    reads(succeeded({ spec: SPEC }));
    proton.on(ListServiceInstanceOutputsCommand).rejects(SEED_ERRORS.ThrottlingException());
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
  });
});

describe('an instance removed outside the stack, met by the rollback at onEvent', () => {
  test('onEvent does not fail; isComplete completes with every attribute empty, and nothing is written', async () => {
    notFound();
    const event = updateEvent({ Tags: { team: 'web' }, OutputKeys: ['Url'] }, { Spec: NEW_SPEC, Tags: {} }, 'req-rollback');
    const answer = await onEvent(event);
    expect(answer.PhysicalResourceId).toBe(ARN);
    expect(answer.ProtonState.phase).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    const done = await isComplete(waiterEvent(event, answer));
    expect(done).toEqual({ IsComplete: true, Data: blanks(['Url']) });
    expect(writes()).toHaveLength(0);
    expect(handlerLogs()).toContainEqual(lenient('the instance is gone'));
  });

  test('outside a rollback it still fails at onEvent', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    notFound();
    await expect(onEvent(updateEvent({ Spec: NEW_SPEC }))).rejects.toThrow(/no longer exists; it was removed outside this stack/);
  });
});

describe('watching the instance a rollback creates again (the rollback of a rename, whose old instance was gone)', () => {
  // The rollback's properties name prod; its physical id is the failed update's prod2.
  const rollback = (props = {}) => updateEvent(props, { ServiceInstanceName: 'prod2' }, 'req-rollback', PROD2);
  let poll: IsCompleteRequest;
  let token: string;
  beforeEach(async () => {
    notFound();
    const event = rollback({ OutputKeys: ['Url'] });
    const answer = await onEvent(event);
    expect(answer.ProtonState).toMatchObject({ creates: true, phase: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    token = answer.ProtonState.token!;
    poll = waiterEvent(event, answer);
    outputs({ Url: 'https://prod.example.com' });
  });

  test('its deployment failed: completes with the instance\'s attributes and the reason', async () => {
    reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: PROTON_TEXT, lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { 'DeploymentStatus': 'FAILED', 'Output.Url': 'https://prod.example.com' } });
    expect(handlerLogs()).toContainEqual(lenient('the deployment did not succeed'));
    noProtonTextLogged();
  });

  test('an output missing once it succeeded: completes with it empty', async () => {
    reads(succeeded({ lastClientRequestToken: token }));
    outputs({});
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { 'Output.Url': '', 'DeploymentStatus': 'SUCCEEDED' } });
    expect(handlerLogs()).toContainEqual(lenient('an output is missing'));
  });

  test('the instance disappears while its deployment is watched: completes with every attribute empty', async () => {
    notFound();
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: true, Data: blanks(['Url']) });
    expect(handlerLogs()).toContainEqual(lenient('the instance is gone'));
  });

  test('a create that waited for a busy service until the deadline: completes ("timed out"), the instance not there', async () => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    const event = rollback();
    const answer = await onEvent(event);
    expect(answer.ProtonState.pendingCreate).toBe(true);
    clockAt(answer.ProtonState.deadline);
    await expect(isComplete(waiterEvent(event, answer))).resolves.toEqual({ IsComplete: true, Data: blanks([]) });
    expect(handlerLogs()).toContainEqual(lenient('timed out'));
  });

  test('someone else created it meanwhile: fails (not an outcome of Proton\'s)', async () => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    const event = rollback();
    const answer = await onEvent(event);
    reads(succeeded({ lastClientRequestToken: 'someone-else' }));
    await expect(isComplete(waiterEvent(event, answer))).rejects.toThrow(/already exists and it was created by someone else/);
  });
});

describe('outside an update rollback nothing changes', () => {
  const failed = () => reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: PROTON_TEXT, lastClientRequestToken: 'a'.repeat(64) }));

  test.each([
    ['a forward Update', () => completeEvent(updateEvent({}), { token: 'a'.repeat(64), phase: 'UPDATE_IN_PROGRESS' })],
    ['a forward replacement', () => completeEvent(updateEvent({}), { creates: true, token: 'a'.repeat(64), phase: 'UPDATE_IN_PROGRESS' })],
    ['a Create, whatever the phase says', () => completeEvent(createEvent(), { creates: true, token: 'a'.repeat(64), phase: 'UPDATE_ROLLBACK_IN_PROGRESS' })],
  ])('%s: a failed deployment fails, with Proton\'s message first', async (_, event) => {
    // The stack is still where the request began.
    stackIs(event().ProtonState.phase as 'UPDATE_IN_PROGRESS');
    failed();
    await expect(isComplete(event())).rejects.toThrow(new RegExp(`^${PROTON_TEXT} \\(the Proton deployment`));
    expect(handlerLogs()).not.toContainEqual(expect.objectContaining({ message: lenient('').message }));
  });

  test('a forward Update: an instance that is gone fails', async () => {
    notFound();
    await expect(isComplete(completeEvent(updateEvent({}), { phase: 'UPDATE_IN_PROGRESS' }))).rejects.toThrow(/no longer exists/);
  });

  test('a forward Update: a missing output fails, naming the outputs the instance has', async () => {
    reads(succeeded());
    outputs({ Port: '80' });
    await expect(isComplete(completeEvent(updateEvent({ OutputKeys: ['Url'] }), { phase: 'UPDATE_IN_PROGRESS' }))).rejects.toThrow(/has no output "Url" .*Its outputs are: "Port"\.$/);
  });
});
