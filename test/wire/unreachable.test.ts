import * as net from 'net';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Bench, instanceSpec, seedFrontend, startBench, stopChecked } from './harness';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';

/**
 * A provider whose functions cannot connect to an API (in a VPC with no NAT gateway and no endpoint for it, or
 * where the endpoint is gone): the real bundle, the real SDK clients and a port nothing listens on. The deployment
 * fails at once with one message that says what to route, instead of waiting out the instance's timeout.
 */

jest.setTimeout(120_000);

/** A local port that refuses connections: opened, then closed again. */
async function closedPort(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const prod = (stack: Stack) =>
  new ServiceInstance(stack, 'Prod', {
    serviceName: 'frontend',
    serviceInstanceName: 'prod',
    spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env')),
    removalPolicy: RemovalPolicy.RETAIN,
    timeout: Duration.minutes(30),
  });

let bench: Bench | undefined;
afterEach(async () => {
  if (bench) await stopChecked(bench);
  bench = undefined;
});

/** How long the operation took on the driver's clock, from its first event to its last. */
const stackTimeMs = (events: ReadonlyArray<{ readonly timestamp: Date }>) =>
  events[events.length - 1].timestamp.getTime() - events[0].timestamp.getTime();

/** Lambda invocations of the waiter's isComplete: none when onEvent failed at once. */
const polls = (b: Bench) => b.driver.invocations.filter((i) => /IsComplete/.test(i.functionName)).length;

test('Proton unreachable: the create fails at once naming the VPC endpoint to add, and the rollback removes nothing', async () => {
  bench = await startBench({ env: { AWS_ENDPOINT_URL_PROTON: await closedPort(), AWS_MAX_ATTEMPTS: '2' } });
  seedFrontend(bench.emulator);
  const result = await bench.deploy(prod);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failureReason).toMatch(/ECONNREFUSED/);
  expect(result.failureReason).toMatch(/interface VPC endpoint for com\.amazonaws\.us-east-1\.proton with private DNS enabled/);
  expect(polls(bench)).toBe(0);
  // Well within a minute of stack time: no wait for the 30-minute timeout.
  expect(stackTimeMs(result.events)).toBeLessThan(60_000);
  expect(bench.emulator.calls).toHaveLength(0);
});

test('CloudFormation unreachable: the create fails at once naming the CloudFormation endpoint, before it creates anything', async () => {
  bench = await startBench({ env: { AWS_ENDPOINT_URL_CLOUDFORMATION: await closedPort(), AWS_MAX_ATTEMPTS: '2' } });
  seedFrontend(bench.emulator);
  const result = await bench.deploy(prod);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failureReason).toMatch(/Cannot reach the CloudFormation API \(.*ECONNREFUSED.*\)/);
  expect(result.failureReason).toMatch(/com\.amazonaws\.us-east-1\.cloudformation/);
  expect(polls(bench)).toBe(0);
  // DescribeStacks comes first: the request stopped before it created anything.
  expect(bench.emulator.callsTo('CreateServiceInstance')).toEqual([]);
});
