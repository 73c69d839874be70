import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Bench, instanceSpec, seedFrontend, startBench, stopChecked } from './harness';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';

jest.setTimeout(60_000);

let bench: Bench;
beforeEach(async () => {
  bench = await startBench();
  seedFrontend(bench.emulator);
  // Five outputs, served two per page by the emulator, so the handler has to follow nextToken.
  bench.emulator.setOutputs('frontend', 'prod', {
    ServiceEndpoint: 'https://prod.example.com',
    ClusterName: 'prod-cluster',
    TaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
    LogGroup: '/ecs/web',
    Secret: 'not-asked-for',
  });
});
afterEach(async () => stopChecked(bench));

const withOutputs = (keys: string[]) => (stack: Stack) => {
  const instance = new ServiceInstance(stack, 'Prod', {
    serviceName: 'frontend',
    serviceInstanceName: 'prod',
    spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env')),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  for (const key of keys) new CfnOutput(stack, key, { value: instance.getOutput(key) });
};

test('requested outputs reach other resources through GetAtt, on create and on update', async () => {
  const created = await bench.deploy(withOutputs(['ServiceEndpoint', 'LogGroup']));
  expect(created.status).toBe('CREATE_COMPLETE');
  expect(created.outputs).toEqual({ ServiceEndpoint: 'https://prod.example.com', LogGroup: '/ecs/web' });
  expect(() => bench.attribute('prod', 'Output.Secret')).toThrow(/has no attribute Output.Secret/);
  expect(bench.emulator.callsTo('ListServiceInstanceOutputs').length).toBeGreaterThanOrEqual(3);

  // Asking for one more output is an update without a deployment; the values are returned again.
  const updated = await bench.deploy(withOutputs(['ServiceEndpoint', 'LogGroup', 'ClusterName']));
  expect(updated.status).toBe('UPDATE_COMPLETE');
  expect(updated.outputs).toMatchObject({ ClusterName: 'prod-cluster', ServiceEndpoint: 'https://prod.example.com' });
  expect(bench.emulator.callsTo('UpdateServiceInstance')).toHaveLength(0);
});

test('a key the instance does not have fails the deployment, listing the keys it has', async () => {
  const result = await bench.deploy(withOutputs(['ServiceUrl']));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failureReason).toContain(
    'has no output "ServiceUrl" (asked for with getOutput). Its outputs are: "ClusterName", "LogGroup", "Secret", "ServiceEndpoint", "TaskDefinitionArn".',
  );
  expect(result.failureReason).not.toContain('not-asked-for');
});
