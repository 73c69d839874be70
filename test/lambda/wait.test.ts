import {
  CancelServiceInstanceDeploymentCommand,
  CreateServiceInstanceCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ListServiceInstanceOutputsCommand,
  ServiceInstance,
  TagResourceCommand,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
} from '@aws-sdk/client-proton';
import { ARN, completeEvent, createEvent, deleteEvent, instance, service, succeeded, updateEvent } from './events';
import { clockAt, proton, resetMocks, T0 } from './mocks';
import { SEED_ERRORS, TRANSIENT_ERRORS } from './seed-errors';
import { isComplete } from '../../lambda';
import { IsCompleteRequest, WaitState } from '../../lambda/lifecycle/types';
import { ATTRIBUTES } from '../../src/private/contract';

const TOKEN = 'a'.repeat(64);
const DEADLINE = T0 + 600_000;
const reads = (serviceInstance: ServiceInstance) => proton.on(GetServiceInstanceCommand).resolves({ serviceInstance });

beforeEach(resetMocks);

/** isComplete of a create that was sent with TOKEN. */
const waiting = (state: Partial<WaitState> = {}) => completeEvent(createEvent(), { creates: true, token: TOKEN, deadline: DEADLINE, ...state });

describe('waiting for a create deployment', () => {
  test.each(['IN_PROGRESS', 'CANCELLING'] as const)('%s is not complete yet', async (status) => {
    reads(instance({ deploymentStatus: status, lastClientRequestToken: TOKEN }));
    await expect(isComplete(waiting())).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandWith(GetServiceInstanceCommand, { serviceName: 'frontend', name: 'prod' });
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('SUCCEEDED completes with every attribute, empty where Proton left a field out', async () => {
    reads(succeeded({ lastClientRequestToken: 'tok', spec: 'secret: spec' }));
    const result = await isComplete(waiting());
    expect(result.IsComplete).toBe(true);
    expect(Object.keys(result.Data!).sort()).toEqual([...ATTRIBUTES].sort());
    expect(result.Data).toEqual({
      Arn: ARN,
      CreatedAt: '2026-11-27T10:00:00.000Z',
      DeploymentStatus: 'SUCCEEDED',
      DeploymentStatusMessage: '',
      EnvironmentName: 'prod-env',
      LastAttemptedDeploymentId: 'dep-1',
      LastClientRequestToken: 'tok',
      LastDeploymentAttemptedAt: '2026-11-27T10:00:00.000Z',
      LastDeploymentSucceededAt: '2026-11-27T10:00:00.000Z',
      LastSucceededDeploymentId: 'dep-1',
      Name: 'prod',
      ServiceName: 'frontend',
      TemplateMajorVersion: '1',
      TemplateMinorVersion: '0',
      TemplateName: 'fargate-service',
    });
  });

  test.each(['FAILED', 'CANCELLED', 'DELETE_FAILED', 'DELETE_COMPLETE'] as const)('%s fails with Proton\'s message first', async (status) => {
    reads(instance({ deploymentStatus: status, deploymentStatusMessage: 'Stack ecs-svc failed: port 80 in use' }));
    await expect(isComplete(waiting())).rejects.toThrow(
      `Stack ecs-svc failed: port 80 in use (the Proton deployment of service instance 'prod' of service 'frontend' ended ${status}, deployment dep-1; fix the cause and deploy again)`,
    );
  });

  test('a failure without a message says so', async () => {
    reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: '   ' }));
    await expect(isComplete(waiting())).rejects.toThrow(/^Proton gave no message \(/);
  });

  test.each(TRANSIENT_ERRORS)('%s while waiting is not a failure', async (_, error) => {
    proton.on(GetServiceInstanceCommand).rejects(error());
    await expect(isComplete(waiting())).resolves.toEqual({ IsComplete: false });
  });

  test('AccessDeniedException while waiting fails at once naming the permission', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(isComplete(waiting())).rejects.toThrow(/^Proton GetServiceInstance failed .*AccessDeniedException.*needs proton:GetServiceInstance/);
  });

  test('ResourceNotFoundException while waiting: the instance disappeared', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    await expect(isComplete(waiting())).rejects.toThrow(
      "The Proton service instance 'prod' of service 'frontend' disappeared while its deployment was being watched; something removed it. Deploy again.",
    );
  });

  test.each(['ValidationException', 'ConflictException'] as const)('%s while waiting fails at once', async (name) => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(isComplete(waiting())).rejects.toThrow(new RegExp(`^Proton GetServiceInstance failed .*${name}`));
  });

  test('the status message is never logged', async () => {
    reads(succeeded({ deploymentStatusMessage: 'password=hunter2' }));
    await isComplete(waiting());
    expect((console.log as jest.Mock).mock.calls.map((c: unknown[]) => String(c[0])).join('\n')).not.toContain('hunter2');
  });
});

describe('at the deadline, only our deployment IN_PROGRESS is cancelled', () => {
  beforeEach(() => {
    proton.on(CancelServiceInstanceDeploymentCommand).resolves({});
  });

  test('before the deadline nothing is cancelled', async () => {
    reads(instance({ lastClientRequestToken: TOKEN }));
    clockAt(DEADLINE - 1);
    await expect(isComplete(waiting())).resolves.toEqual({ IsComplete: false });
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('our running deployment is cancelled and the failure says so', async () => {
    reads(instance({ lastClientRequestToken: TOKEN }));
    clockAt(DEADLINE);
    await expect(isComplete(waiting())).rejects.toThrow(
      "Timed out after 10 minute(s) waiting for the Proton deployment of service instance 'prod' of service 'frontend'; cancelled it with " +
        'CancelServiceInstanceDeployment, and Proton reverts the instance. Raise the timeout of the ServiceInstance (at most 55 minutes) if its deployments take longer.',
    );
    expect(proton).toHaveReceivedCommandTimes(CancelServiceInstanceDeploymentCommand, 1);
    expect(proton).toHaveReceivedCommandWith(CancelServiceInstanceDeploymentCommand, { serviceName: 'frontend', serviceInstanceName: 'prod' });
  });

  test('a deployment carrying another request\'s token is left running', async () => {
    reads(instance({ lastClientRequestToken: 'someone-else' }));
    clockAt(DEADLINE);
    await expect(isComplete(waiting())).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for a deployment of the Proton service instance 'prod' of service 'frontend' that is IN_PROGRESS\. /,
    );
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('the instance a create made, answering with no token at all, is taken as ours and cancelled', async () => {
    reads(instance({ lastClientRequestToken: undefined }));
    clockAt(DEADLINE);
    await expect(isComplete(waiting())).rejects.toThrow(/cancelled it with CancelServiceInstanceDeployment/);
    expect(proton).toHaveReceivedCommandTimes(CancelServiceInstanceDeploymentCommand, 1);
  });

  test('a pending create\'s instance answering with no token is not ours: left running', async () => {
    reads(instance({ lastClientRequestToken: undefined }));
    clockAt(DEADLINE);
    await expect(isComplete(waiting({ pendingCreate: true }))).rejects.toThrow(/already exists/);
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test.each([
    ['at the moment it began', T0],
    ['after it', T0 + 1],
  ])('a pending create\'s instance answering with no token, created %s, is ours: cancelled', async (_, createdAt) => {
    reads(instance({ lastClientRequestToken: undefined, createdAt: new Date(createdAt) }));
    clockAt(DEADLINE);
    await expect(isComplete(waiting({ pendingCreate: true, startedAt: T0 }))).rejects.toThrow(/cancelled it with CancelServiceInstanceDeployment/);
    expect(proton).toHaveReceivedCommandTimes(CancelServiceInstanceDeploymentCommand, 1);
  });

  test('a pending create\'s instance answering with no token, created before it began, is not ours: left running', async () => {
    reads(instance({ lastClientRequestToken: undefined, createdAt: new Date(T0 - 1) }));
    clockAt(DEADLINE);
    await expect(isComplete(waiting({ pendingCreate: true, startedAt: T0 }))).rejects.toThrow(/already exists/);
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('a deployment already CANCELLING is not cancelled twice', async () => {
    reads(instance({ deploymentStatus: 'CANCELLING', lastClientRequestToken: TOKEN }));
    clockAt(DEADLINE);
    await expect(isComplete(waiting())).rejects.toThrow(/^Timed out after 10 minute\(s\) waiting for the Proton service instance 'prod' of service 'frontend', which is CANCELLING\. Raise/);
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });

  test('a failed cancel says to cancel by hand', async () => {
    reads(instance({ lastClientRequestToken: TOKEN }));
    proton.on(CancelServiceInstanceDeploymentCommand).rejects(SEED_ERRORS.ConflictException());
    clockAt(DEADLINE);
    await expect(isComplete(waiting())).rejects.toThrow(/cancelling it failed \(ConflictException: Resource is busy\); cancel it in the Proton console before deploying again\.$/);
  });

  test.each([
    ['600', 10],
    ['90', 2],
    ['3300', 55],
  ])('TimeoutSeconds %s is reported as %i minute(s)', async (seconds, minutes) => {
    reads(instance({ lastClientRequestToken: 'someone-else' }));
    clockAt(DEADLINE);
    const event = completeEvent(createEvent({ TimeoutSeconds: seconds }), { creates: true, token: TOKEN, deadline: DEADLINE });
    await expect(isComplete(event)).rejects.toThrow(new RegExp(`^Timed out after ${minutes} minute\\(s\\) waiting for `));
  });
});

/**
 * Every way of waiting answers "not yet" until the deadline, then fails with one error: "Timed out after N
 * minute(s) waiting for <what>." and, when something refused, "The last error was <Name: message>."
 */
describe('every wait ends at the deadline with one error', () => {
  interface Branch {
    readonly event: () => IsCompleteRequest;
    readonly given: () => void;
    readonly waitingFor: string;
    readonly lastError?: string;
  }
  const update = () => completeEvent(updateEvent({ Spec: 'environment: prod-env\nx: 2\n' }), { token: TOKEN, phase: 'UPDATE_IN_PROGRESS', deadline: DEADLINE });
  const updateWithTags = () =>
    completeEvent(updateEvent({ Tags: { team: 'web' } }), { token: TOKEN, deadline: DEADLINE, pendingTags: { set: { team: 'web' }, remove: [] } });
  const remove = () => completeEvent(deleteEvent(), { deadline: DEADLINE });
  const pendingCreate = () =>
    completeEvent(createEvent(), { creates: true, pendingCreate: true, token: TOKEN, deadline: DEADLINE }, `cdk-proton:pending-create:frontend/prod:${TOKEN}`);
  const instanceAnswer = "the Proton service instance 'prod' of service 'frontend' to answer";

  const branches: Record<string, Branch> = {
    'create: the instance read is throttled': {
      event: waiting,
      given: () => proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ThrottlingException()),
      waitingFor: instanceAnswer,
      lastError: 'ThrottlingException: Rate exceeded',
    },
    'create: the instance read meets a 5xx': {
      event: waiting,
      given: () => proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.InternalServerException()),
      waitingFor: instanceAnswer,
      lastError: 'InternalServerException: Internal error',
    },
    'update: the instance read meets the network': {
      event: update,
      given: () => proton.on(GetServiceInstanceCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
      waitingFor: instanceAnswer,
      lastError: 'Error: socket hang up',
    },
    'delete: the instance read is throttled': {
      event: remove,
      given: () => proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ThrottlingException()),
      waitingFor: instanceAnswer,
      lastError: 'ThrottlingException: Rate exceeded',
    },
    'update: the instance is busy with a deployment of someone else': {
      event: update,
      given: () => reads(instance({ lastClientRequestToken: 'theirs' })),
      waitingFor: "a deployment of the Proton service instance 'prod' of service 'frontend' that this update did not start (IN_PROGRESS) to finish",
    },
    'delete: the service is busy': {
      event: remove,
      given: () => {
        reads(succeeded());
        proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) });
      },
      waitingFor: "service 'frontend' to finish its UPDATE_IN_PROGRESS edit before the service instance 'prod' of service 'frontend' can be removed",
    },
    'pending create: the service stays busy': {
      event: pendingCreate,
      given: () => {
        proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
        proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
      },
      waitingFor: "Proton to accept the creation of the service instance 'prod' of service 'frontend' (its service stayed busy)",
    },
    'update: the deployment is refused': {
      event: update,
      given: () => {
        reads(succeeded());
        proton.on(UpdateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
      },
      waitingFor: "Proton to accept the update of service instance 'prod' of service 'frontend'",
      lastError: 'ConflictException: Resource is busy',
    },
    'update: the tag changes are refused': {
      event: updateWithTags,
      given: () => {
        reads(succeeded());
        proton.on(TagResourceCommand).rejects(SEED_ERRORS.ThrottlingException());
      },
      waitingFor: "Proton to accept the tag changes of service instance 'prod' of service 'frontend'",
      lastError: 'ThrottlingException: Rate exceeded',
    },
    'delete: the removal is refused': {
      event: remove,
      given: () => {
        reads(succeeded());
        proton.on(GetServiceCommand).resolves({ service: service() });
        proton.on(UpdateServiceCommand).rejects(SEED_ERRORS.ConflictException());
      },
      waitingFor: "Proton to accept the removal of the service instance 'prod' of service 'frontend' from service 'frontend'",
      lastError: 'ConflictException: Resource is busy',
    },
    'create: listing the outputs is throttled': {
      event: () => completeEvent(createEvent({ OutputKeys: ['Url'] }), { creates: true, token: TOKEN, deadline: DEADLINE }),
      given: () => {
        reads(succeeded({ lastClientRequestToken: TOKEN }));
        proton.on(ListServiceInstanceOutputsCommand).rejects(SEED_ERRORS.ThrottlingException());
      },
      waitingFor: "the outputs of the Proton service instance 'prod' of service 'frontend'",
      lastError: 'ThrottlingException: Rate exceeded',
    },
  };

  test.each(Object.entries(branches))('%s', async (_, branch) => {
    branch.given();
    clockAt(DEADLINE - 1);
    await expect(isComplete(branch.event())).resolves.toEqual({ IsComplete: false });
    clockAt(DEADLINE);
    const error: Error = await isComplete(branch.event()).then(
      () => { throw new Error('isComplete did not fail at the deadline'); },
      (e: Error) => e,
    );
    const last = branch.lastError ? ` The last error was ${branch.lastError}.` : '';
    expect(error.name).toBe('ProtonDeploymentError');
    expect(error.message.startsWith(`Timed out after 10 minute(s) waiting for ${branch.waitingFor}.${last} `)).toBe(true);
    expect(error.message.match(/Timed out/g)).toHaveLength(1);
    expect(proton).not.toHaveReceivedCommand(CancelServiceInstanceDeploymentCommand);
  });
});
