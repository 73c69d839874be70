import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Bench, instanceSpec, modelRejections, startBench, stopChecked } from './harness';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';

jest.setTimeout(300_000);

const SERVICES = 5;
const PER_SERVICE = 10;

let bench: Bench;
beforeAll(async () => {
  bench = await startBench({ emulator: { deploymentMs: 200, removalMs: 100 } });
  for (let s = 0; s < SERVICES; s++) {
    bench.emulator.seedService({ name: `svc${s}`, templateName: 'fargate-service', instances: [{ name: 'keeper', environment: 'shared-env' }] });
  }
  // Proton-like throttling: a bucket of 5 requests per second for the whole account. The bucket refills on the
  // shared virtual clock, so every poll interval (a 10 s jump) fills it again: what can exhaust it is a run of calls
  // between two jumps. Creating, that run is three calls (the previous instance's last GetServiceInstance, then the
  // next one's CreateServiceInstance and first GetServiceInstance), so the creation runs against a burst of 2.
  bench.emulator.faults.throttle({ requestsPerSecond: 5, burst: 2 });
});
afterAll(async () => stopChecked(bench));

const fifty = (stack: Stack) => {
  for (let s = 0; s < SERVICES; s++) {
    for (let n = 0; n < PER_SERVICE; n++) {
      new ServiceInstance(stack, `S${s}I${n}`, {
        serviceName: `svc${s}`,
        serviceInstanceName: `inst${n}`,
        spec: ServiceInstanceSpec.fromString(instanceSpec(`env${n}`)),
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
  }
};

test('50 instances against a 5 requests/s throttle: all created, none lost or duplicated, all removed', async () => {
  const created = await bench.deploy(fifty);
  expect(created.failureReason).toBeUndefined();
  expect(created.status).toBe('CREATE_COMPLETE');

  const throttled = bench.emulator.calls.filter((c) => c.error === 'ThrottlingException').length;
  expect(throttled).toBeGreaterThan(0);
  const successfulCreates = bench.emulator.callsTo('CreateServiceInstance').filter((c) => !c.error);
  expect(successfulCreates).toHaveLength(SERVICES * PER_SERVICE);
  for (let s = 0; s < SERVICES; s++) {
    for (let n = 0; n < PER_SERVICE; n++) {
      expect(bench.emulator.instance(`svc${s}`, `inst${n}`)).toMatchObject({ deploymentStatus: 'SUCCEEDED' });
      expect(bench.attribute(`inst${n}`, 'DeploymentStatus')).toBe('SUCCEEDED');
    }
  }

  // Removing, a run is up to six calls (GetService, UpdateService, the reads that see the instance go): the original
  // burst of 5 still throttles some of them, and every throttle costs the SDK's backoff in real time.
  bench.emulator.faults.throttle({ requestsPerSecond: 5, burst: 5 });
  const destroyed = await bench.destroy();
  expect(destroyed.status).toBe('DELETE_COMPLETE');
  for (let s = 0; s < SERVICES; s++) {
    for (let n = 0; n < PER_SERVICE; n++) expect(bench.emulator.instance(`svc${s}`, `inst${n}`)).toBeUndefined();
    expect(bench.emulator.service(`svc${s}`)).toMatchObject({ status: 'ACTIVE' });
  }
  expect(modelRejections(bench.emulator)).toEqual([]);
  const throttledRemoving = bench.emulator.calls.filter((c) => c.error === 'ThrottlingException').length - throttled;
  process.stderr.write(`load: ${bench.emulator.calls.length} calls, ${throttled} throttled creating, ${throttledRemoving} removing, ${bench.emulator.validatedCount} validated\n`);
});
