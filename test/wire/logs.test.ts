import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Bench, instanceSpec, seedFrontend, startBench, stopChecked } from './harness';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';

jest.setTimeout(60_000);

let bench: Bench;
beforeEach(async () => {
  bench = await startBench();
  seedFrontend(bench.emulator);
});
afterEach(async () => stopChecked(bench));

/** A spec with a value nobody else prints, so a log line that carries the spec is easy to find. */
const SECRET_PORT = 48_213;

const prod = (port: number) => (stack: Stack) =>
  new ServiceInstance(stack, 'Prod', {
    serviceName: 'frontend',
    serviceInstanceName: 'prod',
    spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env', port)),
    removalPolicy: RemovalPolicy.DESTROY,
    timeout: Duration.minutes(5),
  });

test('no log line CloudWatch would keep carries the spec, through create, update and delete', async () => {
  expect((await bench.deploy(prod(SECRET_PORT))).status).toBe('CREATE_COMPLETE');
  expect((await bench.deploy(prod(SECRET_PORT + 1))).status).toBe('UPDATE_COMPLETE');
  expect((await bench.destroy()).status).toBe('DELETE_COMPLETE');
  const groups = bench.driver.logGroups();
  // The handler did log (what it did, not what the spec says).
  expect(groups.length).toBeGreaterThan(0);
  const leaks = groups.flatMap((g) => bench.driver.logs(g)).filter((l) => l.message.includes(String(SECRET_PORT)));
  expect(leaks.map((l) => `${l.logGroup}: ${l.message.slice(0, 120)}`)).toEqual([]);
});

test("a failure's `Logs:` pointer names the log group the failing handler writes to", async () => {
  bench.emulator.faults.failCall('CreateServiceInstance', { next: 10, error: 'ValidationException', message: 'injected' });
  const result = await bench.deploy(prod(80));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const pointer = /Logs: (\S+)/.exec(result.failureReason ?? '')?.[1];
  expect(pointer).toBeDefined();
  const lines = bench.driver.logs(pointer!);
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.every((l) => `/aws/lambda/${l.functionName}` === pointer)).toBe(true);
});
