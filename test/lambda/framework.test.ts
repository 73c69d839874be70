import { CreateServiceInstanceCommand, GetServiceInstanceCommand, ListServiceInstanceOutputsCommand, ServiceInstance, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { ARN, createEvent, deleteEvent, instance, succeeded, updateEvent } from './events';
import { throughFramework } from './framework';
import { allLogText, proton, resetMocks, T0 } from './mocks';
import { SEED_ERRORS } from './seed-errors';
import { onEvent } from '../../lambda';
import { clientTokenFor } from '../../lambda/lifecycle/client-token';
import { RESPONSE_LIMIT } from '../../lambda/response-size';
import { ATTRIBUTES } from '../../src/private/contract';

/** The waiter's input is a Step Functions execution input: at most 256 KiB. */
const STEP_FUNCTIONS_INPUT_LIMIT = 262_144;

/** A YAML spec of Proton's maximum length, 51,200 characters, almost all of them 4 bytes in UTF-8. */
function maxSpec(variant: string): string {
  const head = `environment: prod-env\nvariant: ${variant}\nnotes: "`;
  const tail = '"\n';
  const spec = head + '😀'.repeat(51_200 - [...head].length - tail.length) + tail;
  return spec;
}

const reads = (serviceInstance: ServiceInstance) => proton.on(GetServiceInstanceCommand).resolves({ serviceInstance });

beforeEach(resetMocks);

describe('payload sizes through the Provider framework', () => {
  test('the spec of the test is Proton\'s maximum, and large in bytes', () => {
    const spec = maxSpec('a');
    expect([...spec]).toHaveLength(51_200);
    expect(Buffer.byteLength(spec)).toBeGreaterThan(200_000);
  });

  test('a create with a spec of 51,200 multi-byte characters completes; the response counts only what the framework sends', async () => {
    const spec = maxSpec('a');
    const event = createEvent({ Spec: spec });
    const token = clientTokenFor('CreateServiceInstance', event);
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ spec }) });
    reads(succeeded({ spec, lastClientRequestToken: token }));
    const { waiterInput, response } = await throughFramework(event);
    expect(Buffer.byteLength(waiterInput!)).toBeLessThan(STEP_FUNCTIONS_INPUT_LIMIT);
    expect(response!.json.Status).toBe('SUCCESS');
    expect(response!.json.PhysicalResourceId).toBe(ARN);
    expect(response!.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT);
    expect(Object.keys(response!.json.Data!).sort()).toEqual([...ATTRIBUTES].sort());
    expect(response!.body).not.toContain('😀');
  });

  test('an update between two such specs: the isComplete event carries one spec and stays under 262,144 bytes', async () => {
    const oldSpec = maxSpec('old');
    const newSpec = maxSpec('new');
    const event = updateEvent({ Spec: newSpec }, { Spec: oldSpec });
    reads(succeeded({ spec: oldSpec }));
    proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance({ spec: newSpec }) });
    const { waiterInput } = await throughFramework(event, {
      maxPolls: 1,
      beforePoll: () => reads(succeeded({ spec: newSpec, lastClientRequestToken: clientTokenFor('UpdateServiceInstance', event) })),
    });
    // Both specs in one event would not fit: this is what the answer's OldResourceProperties prevents.
    expect(Buffer.byteLength(JSON.stringify(event))).toBeGreaterThan(STEP_FUNCTIONS_INPUT_LIMIT);
    expect(Buffer.byteLength(waiterInput!)).toBeLessThan(STEP_FUNCTIONS_INPUT_LIMIT);
    const input = JSON.parse(waiterInput!);
    expect(input.OldResourceProperties).toEqual({});
    expect(input.ResourceProperties.Spec).toBe(newSpec);
    expect(proton).toHaveReceivedCommandWith(UpdateServiceInstanceCommand, { spec: newSpec, deploymentType: 'CURRENT_VERSION' });
  });

  test('that update completes, and its response fits', async () => {
    const newSpec = maxSpec('new');
    const event = updateEvent({ Spec: newSpec }, { Spec: maxSpec('old') });
    const token = clientTokenFor('UpdateServiceInstance', event);
    reads(succeeded({ spec: maxSpec('old') }));
    proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance({ spec: newSpec }) });
    const { response } = await throughFramework(event, {
      beforePoll: () => reads(succeeded({ spec: newSpec, lastClientRequestToken: token, lastAttemptedDeploymentId: 'dep-2' })),
    });
    expect(response!.json).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ARN, Data: { LastAttemptedDeploymentId: 'dep-2' } });
    expect(response!.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT);
  });

  test('a huge status message is cut so the success response fits 4,096 bytes, and no key is dropped', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    reads(succeeded({ deploymentStatusMessage: 'é"\n😀'.repeat(5_000) }));
    const { response } = await throughFramework(createEvent());
    expect(response!.json.Status).toBe('SUCCESS');
    expect(response!.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT);
    expect(response!.bytes).toBeGreaterThan(RESPONSE_LIMIT - 100);
    expect(Object.keys(response!.json.Data!).sort()).toEqual([...ATTRIBUTES].sort());
    expect(response!.json.Data!.DeploymentStatusMessage).toMatch(/^(é"\n😀)+.{0,3} …\[truncated\]$/su);
  });
});

describe('a create that waited for a busy service, through the framework', () => {
  test('CloudFormation receives the ARN as the physical id, not the pending one', async () => {
    const event = createEvent();
    const token = clientTokenFor('CreateServiceInstance', event);
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    const { waiterInput, response, retries } = await throughFramework(event, {
      beforePoll: (poll) => {
        if (poll === 1) proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: token }) });
        if (poll === 2) reads(instance({ lastClientRequestToken: token }));
        if (poll === 3) reads(succeeded({ lastClientRequestToken: token }));
      },
    });
    expect(JSON.parse(waiterInput!).PhysicalResourceId).toBe(`cdk-proton:pending-create:frontend/prod:${token}:${T0}`);
    expect(retries).toBe(3);
    expect(response!.json).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ARN, Data: { Arn: ARN } });
    expect(proton.commandCalls(CreateServiceInstanceCommand).map((c) => c.args[0].input.clientToken)).toEqual([token, token, token]);
  });
});

describe('NoEcho', () => {
  test.each([
    ['Create', () => createEvent({ NoEcho: 'true' })],
    ['Update', () => updateEvent({ NoEcho: 'true' })],
    ['Delete', () => deleteEvent({ NoEcho: 'true' }, 'not-an-instance')],
  ])('the property \'true\' makes onEvent answer NoEcho: true (%s)', async (_, event) => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    reads(succeeded());
    await expect(onEvent(event())).resolves.toMatchObject({ NoEcho: true });
  });

  test.each([['absent', {}], ['false', { NoEcho: 'false' }]])('NoEcho %s: no NoEcho in the answer', async (_, props) => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    const answer = await onEvent(createEvent(props));
    expect(answer).not.toHaveProperty('NoEcho');
  });

  test('CloudFormation receives NoEcho: true, and the framework logs no attribute value', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    reads(succeeded({ environmentName: 'env-visible-only-to-getatt' }));
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: [{ key: 'Password', valueString: 'hunter2' }] });
    const { response } = await throughFramework(createEvent({ NoEcho: 'true', OutputKeys: ['Password'] }));
    expect(response!.json).toMatchObject({ Status: 'SUCCESS', NoEcho: true, Data: { 'Output.Password': 'hunter2', 'EnvironmentName': 'env-visible-only-to-getatt' } });
    expect(allLogText()).not.toContain('hunter2');
    expect(allLogText()).not.toContain('env-visible-only-to-getatt');
  });

  test('without NoEcho the response does not ask CloudFormation to mask', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    reads(succeeded());
    const { response } = await throughFramework(createEvent());
    expect(response!.json.Status).toBe('SUCCESS');
    expect(response!.json.NoEcho).toBeUndefined();
  });
});
