import { GetServiceInstanceCommand, ListServiceInstanceOutputsCommand } from '@aws-sdk/client-proton';
import { completeEvent, createEvent, succeeded, updateEvent, waiterEvent } from './events';
import { proton, resetMocks } from './mocks';
import { SEED_ERRORS } from './seed-errors';
import { isComplete, onEvent } from '../../lambda';

beforeEach(() => {
  resetMocks();
  proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() });
});

const withKeys = (keys: string[]) => completeEvent(createEvent({ OutputKeys: keys }), { creates: true });

describe('instance outputs as attributes', () => {
  test('only the requested outputs are returned, across pages', async () => {
    proton
      .on(ListServiceInstanceOutputsCommand)
      .resolvesOnce({ outputs: [{ key: 'ServiceEndpoint', valueString: 'https://web.example.com' }, { key: 'Secret', valueString: 's3cr3t' }], nextToken: 'p2' })
      .resolves({ outputs: [{ key: 'ClusterName', valueString: 'prod-cluster' }] });
    const result = await isComplete(withKeys(['ClusterName', 'ServiceEndpoint']));
    expect(result.Data).toMatchObject({ 'Output.ServiceEndpoint': 'https://web.example.com', 'Output.ClusterName': 'prod-cluster' });
    expect(result.Data!['Output.Secret']).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
    expect(proton.commandCalls(ListServiceInstanceOutputsCommand).map((c) => c.args[0].input)).toEqual([
      { serviceName: 'frontend', serviceInstanceName: 'prod', nextToken: undefined },
      { serviceName: 'frontend', serviceInstanceName: 'prod', nextToken: 'p2' },
    ]);
  });

  test('an output without a value is an empty string', async () => {
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: [{ key: 'Empty' }] });
    await expect(isComplete(withKeys(['Empty']))).resolves.toMatchObject({ Data: { 'Output.Empty': '' } });
  });

  test('no outputs requested: ListServiceInstanceOutputs is not called', async () => {
    await expect(isComplete(withKeys([]))).resolves.toMatchObject({ IsComplete: true });
    expect(proton).not.toHaveReceivedCommand(ListServiceInstanceOutputsCommand);
  });

  test('a missing key fails, listing the keys the instance has but none of their values', async () => {
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: [{ key: 'ServiceEndpoint', valueString: 'https://secret-host' }, { key: 'ClusterName', valueString: 'c' }] });
    const error: Error = await isComplete(withKeys(['ServiceUrl'])).catch((e) => e);
    expect(error.message).toBe(
      "The Proton service instance 'prod' of service 'frontend' has no output \"ServiceUrl\" (asked for with getOutput). Its outputs are: \"ClusterName\", \"ServiceEndpoint\".",
    );
    expect(error.message).not.toContain('secret-host');
  });

  test('an instance without outputs says so', async () => {
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: [] });
    await expect(isComplete(withKeys(['A']))).rejects.toThrow(/Its outputs are: none\.$/);
  });

  test.each(['ThrottlingException', 'InternalServerException'] as const)('%s while reading outputs is not a failure', async (name) => {
    proton.on(ListServiceInstanceOutputsCommand).rejects(SEED_ERRORS[name]());
    await expect(isComplete(withKeys(['A']))).resolves.toEqual({ IsComplete: false });
  });

  test('AccessDeniedException while reading outputs fails naming the permission', async () => {
    proton.on(ListServiceInstanceOutputsCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(isComplete(withKeys(['A']))).rejects.toThrow(/^Proton ListServiceInstanceOutputs failed .*needs proton:ListServiceInstanceOutputs/);
  });

  test('outputs too large for CloudFormation\'s response fail instead of being cut', async () => {
    const keys = ['A', 'B', 'C', 'D', 'E'];
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: keys.map((key) => ({ key, valueString: 'v'.repeat(1000) })) });
    await expect(isComplete(withKeys(keys))).rejects.toThrow(
      /over CloudFormation's 4096-byte limit for a custom resource\. Ask for fewer outputs with getOutput; the largest values: Output\.A \(1000 bytes\)/,
    );
  });

  test('outputs are returned after an update that deploys nothing, e.g. when a key is added', async () => {
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: [{ key: 'A', valueString: 'a' }] });
    const event = updateEvent({ OutputKeys: ['A'] });
    const answer = await onEvent(event);
    await expect(isComplete(waiterEvent(event, answer))).resolves.toMatchObject({ IsComplete: true, Data: { 'Output.A': 'a' } });
  });

  test('output values are never logged', async () => {
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: [{ key: 'Token', valueString: 'hunter2' }] });
    await isComplete(withKeys(['Token']));
    expect((console.log as jest.Mock).mock.calls.map((c: unknown[]) => String(c[0])).join('\n')).not.toContain('hunter2');
  });
});
