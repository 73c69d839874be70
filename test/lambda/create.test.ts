import { CreateServiceInstanceCommand, GetServiceInstanceCommand, ProtonClient } from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import { ARN, createEvent, instance, SPEC } from './events';
import { SEED_ERRORS } from './seed-errors';
import { onEvent } from '../../lambda';

const proton = mockClient(ProtonClient);
beforeEach(() => {
  proton.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('Create', () => {
  test('creates the instance and answers its ARN as the physical id at once', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() as any });
    const before = Date.now();
    const result = await onEvent(createEvent({ Tags: { team: 'web' }, TemplateMinorVersion: '2' }));
    expect(result.PhysicalResourceId).toBe(ARN);
    expect(result.ProtonState.deadline).toBeGreaterThanOrEqual(before + 600_000);
    expect(result.ProtonState.deadline).toBeLessThan(before + 610_000);
    expect(proton).toHaveReceivedCommandWith(CreateServiceInstanceCommand, {
      serviceName: 'frontend',
      name: 'prod',
      spec: SPEC,
      templateMajorVersion: '1',
      templateMinorVersion: '2',
      tags: [{ key: 'team', value: 'web' }],
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  test('the client token is derived from the request: a retry sends the same one, another request another', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() as any });
    await onEvent(createEvent({}, 'req-A'));
    await onEvent(createEvent({}, 'req-A'));
    await onEvent(createEvent({}, 'req-B'));
    const tokens = proton.commandCalls(CreateServiceInstanceCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  test('a client token given as a prop is used as is', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() as any });
    await onEvent(createEvent({ ClientToken: 'my-token' }));
    expect(proton).toHaveReceivedCommandWith(CreateServiceInstanceCommand, { clientToken: 'my-token' });
  });

  test('a conflict on an instance that carries this request\'s token is adopted', async () => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).callsFake(() => {
      const token = proton.commandCalls(CreateServiceInstanceCommand)[0].args[0].input.clientToken;
      return { serviceInstance: instance({ lastClientRequestToken: token }) };
    });
    const result = await onEvent(createEvent());
    expect(result.PhysicalResourceId).toBe(ARN);
  });

  test('a conflict on someone else\'s instance fails, naming it and the way out, and adopts nothing', async () => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: 'someone-else' }) as any });
    await expect(onEvent(createEvent())).rejects.toThrow(
      /service instance 'prod' of service 'frontend' already exists and this stack did not create it.*Choose another serviceInstanceName.*fromServiceInstanceAttributes/,
    );
  });

  test.each([
    ['ValidationException', /Proton CreateServiceInstance failed for service instance 'prod' of service 'frontend' \(ValidationException: spec is invalid at line 3\)\. Proton rejected the request/],
    ['AccessDeniedException', /\(AccessDeniedException: User is not authorized\)\. The handler role needs proton:CreateServiceInstance.*support ended on 2026-10-07/],
    ['ThrottlingException', /\(ThrottlingException: Rate exceeded\)\. Proton kept failing after retries; deploy again later/],
    ['ResourceNotFoundException', /\(ResourceNotFoundException: Service not found\)\. Check that the Proton service exists/],
    ['InternalServerException', /\(InternalServerException: Internal error\)\. Proton kept failing after retries/],
  ] as const)('%s at create fails with a message that says what to do', async (name, message) => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(onEvent(createEvent())).rejects.toThrow(message);
  });

  test('ConflictException at create when the instance cannot be read fails clearly', async () => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(onEvent(createEvent())).rejects.toThrow(/Proton GetServiceInstance failed .*AccessDeniedException/);
  });

  test('a network failure with an unknown host says the endpoint is gone', async () => {
    const err = Object.assign(new Error('getaddrinfo ENOTFOUND proton.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' });
    proton.on(CreateServiceInstanceCommand).rejects(err);
    await expect(onEvent(createEvent())).rejects.toThrow(/endpoint does not resolve in this region; AWS Proton support ended on 2026-10-07/);
  });

  test('a missing required property is reported by name', async () => {
    await expect(onEvent(createEvent({ Spec: '' }))).rejects.toThrow(/the resource property Spec is missing/);
    expect(proton.calls()).toHaveLength(0);
  });

  test('the spec is never logged', async () => {
    const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ spec: SPEC }) as any });
    await onEvent(createEvent({ Spec: 'environment: prod-env\nsecret: hunter2\n' }));
    const written = logs.mock.calls.map((c) => String(c[0])).join('\n');
    expect(written).not.toContain('hunter2');
    for (const line of logs.mock.calls) expect(() => JSON.parse(String(line[0]))).not.toThrow();
  });
});
