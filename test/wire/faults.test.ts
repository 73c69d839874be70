import { ProtonClient, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Bench, instanceSpec, seedFrontend, startBench, stopChecked } from './harness';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';

jest.setTimeout(120_000);

let bench: Bench;
beforeEach(async () => {
  // Few SDK attempts, so that a persistent fault surfaces quickly; single faults are still retried.
  bench = await startBench({ env: { AWS_MAX_ATTEMPTS: '3' } });
  seedFrontend(bench.emulator);
});
afterEach(async () => stopChecked(bench));

const prod = (port = 80) => (stack: Stack) =>
  new ServiceInstance(stack, 'Prod', {
    serviceName: 'frontend',
    serviceInstanceName: 'prod',
    spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env', port)),
    removalPolicy: RemovalPolicy.DESTROY,
    timeout: Duration.minutes(5),
  });

const FAILING = ['ValidationException', 'AccessDeniedException', 'ResourceNotFoundException'] as const;
const PASSING = ['ThrottlingException', 'InternalServerException'] as const;

describe('errors at create', () => {
  test.each(FAILING)('%s fails the stack with the error named, and leaves nothing in Proton', async (error) => {
    bench.emulator.faults.failCall('CreateServiceInstance', { next: 10, error, message: `injected ${error}` });
    const result = await bench.deploy(prod());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failureReason).toContain(`(${error}: injected ${error})`);
    expect(bench.emulator.instance('frontend', 'prod')).toBeUndefined();
  });

  // A conflict while the instance does not exist means a busy service, not a taken name (that case: test/stack).
  test('ConflictException while the instance does not exist is waited out: the create is sent again and completes', async () => {
    bench.emulator.faults.failCall('CreateServiceInstance', { next: 10, error: 'ConflictException', message: 'injected ConflictException' });
    const result = await bench.deploy(prod());
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(bench.emulator.callsTo('CreateServiceInstance').map((c) => c.error ?? 'ok')).toEqual([...Array(10).fill('ConflictException'), 'ok']);
    expect(bench.attribute('prod', 'Arn')).toBe(bench.emulator.instance('frontend', 'prod')!.arn);
  });

  test('ConflictException until the deadline fails with one error naming the last one, and leaves nothing in Proton', async () => {
    bench.emulator.faults.failCall('CreateServiceInstance', { next: 1_000, error: 'ConflictException', message: 'injected ConflictException' });
    const result = await bench.deploy(prod());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failureReason).toMatch(
      /Timed out after 5 minute\(s\) waiting for Proton to accept the creation of the service instance 'prod' of service 'frontend' \(its service stayed busy\)\. The last error was ConflictException: injected ConflictException\./,
    );
    expect(bench.emulator.instance('frontend', 'prod')).toBeUndefined();
  });

  test.each(PASSING)('%s once is retried by the SDK: the stack completes', async (error) => {
    bench.emulator.faults.failCall('CreateServiceInstance', { next: 1, error });
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    expect(bench.emulator.callsTo('CreateServiceInstance').map((c) => c.error ?? 'ok')).toEqual([error, 'ok']);
  });

  test.each(PASSING)('%s that persists fails after the SDK\'s retries, saying to deploy again later', async (error) => {
    bench.emulator.faults.failCall('CreateServiceInstance', { next: 10, error });
    const result = await bench.deploy(prod());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failureReason).toMatch(/Proton kept failing after retries; deploy again later/);
    expect(bench.emulator.callsTo('CreateServiceInstance')).toHaveLength(3);
  });
});

describe('errors while waiting', () => {
  test.each(PASSING)('%s on GetServiceInstance is waited out', async (error) => {
    bench.emulator.faults.failCall('GetServiceInstance', { next: 6, error });
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
  });

  test('a dropped connection while waiting is waited out', async () => {
    bench.emulator.faults.dropConnection('GetServiceInstance', { next: 4 });
    const result = await bench.deploy(prod());
    expect(result.failureReason).toBeUndefined();
    expect(result.status).toBe('CREATE_COMPLETE');
  });

  test.each(['AccessDeniedException', 'ValidationException'] as const)('%s on GetServiceInstance fails at once; the failed instance is cleaned up', async (error) => {
    bench.emulator.faults.failCall('GetServiceInstance', { next: 1, error });
    const result = await bench.deploy(prod());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failureReason).toContain(`GetServiceInstance failed for service instance 'prod' of service 'frontend' (${error}`);
    // Rollback sent a real Delete: the instance was created, so it is removed again (DESTROY).
    expect(bench.emulator.instance('frontend', 'prod')).toBeUndefined();
  });

  test('ResourceNotFoundException while waiting: the instance disappeared', async () => {
    bench.emulator.faults.failCall('GetServiceInstance', { next: 1, error: 'ResourceNotFoundException' });
    const result = await bench.deploy(prod());
    expect(result.failureReason).toContain('disappeared while its deployment was being watched');
  });
});

describe('terminal deployment statuses', () => {
  test('FAILED: Proton\'s message comes first in the reason, and rollback leaves no orphan even under RETAIN', async () => {
    bench.emulator.planDeployment('frontend', 'kept', { outcome: 'FAILED', message: 'ECS service did not stabilize' });
    const result = await bench.deploy((stack) =>
      new ServiceInstance(stack, 'Kept', { serviceName: 'frontend', serviceInstanceName: 'kept', spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env')) }),
    );
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failureReason).toMatch(/Message returned: ECS service did not stabilize \(the Proton deployment of service instance 'kept' of service 'frontend' ended FAILED/);
    expect(bench.emulator.instance('frontend', 'kept')).toBeUndefined();
    expect(bench.emulator.service('frontend')!.status).toBe('ACTIVE');
  });

  test('FAILED update: the update rolls back to the previous spec', async () => {
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    bench.emulator.planDeployment('frontend', 'prod', { outcome: 'FAILED', message: 'port 8080 refused' });
    const result = await bench.deploy(prod(8080));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.failureReason).toMatch(/Message returned: port 8080 refused/);
    expect(bench.emulator.instance('frontend', 'prod')).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: instanceSpec('prod-env', 80) });
  });

  test('DELETE_FAILED: the stack deletion fails with Proton\'s message', async () => {
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    bench.emulator.planRemoval('frontend', 'prod', { outcome: 'DELETE_FAILED', message: 'load balancer still in use' });
    const result = await bench.destroy();
    expect(result.status).toBe('DELETE_FAILED');
    expect(result.failureReason).toMatch(/load balancer still in use/);
  });
});

describe('errors at update and delete', () => {
  test.each(['ValidationException', 'AccessDeniedException', 'ResourceNotFoundException'] as const)('%s at update fails and rolls back', async (error) => {
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    bench.emulator.faults.failCall('UpdateServiceInstance', { nth: 1, error });
    const result = await bench.deploy(prod(8080));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.failureReason).toContain(`UpdateServiceInstance failed for service instance 'prod' of service 'frontend' (${error}`);
  });

  test.each(['ConflictException', 'ThrottlingException', 'InternalServerException'] as const)('%s at update is retried from isComplete: the update lands', async (error) => {
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    bench.emulator.faults.failCall('UpdateServiceInstance', { next: 3, error });
    expect((await bench.deploy(prod(8080))).status).toBe('UPDATE_COMPLETE');
    expect(bench.emulator.instance('frontend', 'prod')).toMatchObject({ spec: instanceSpec('prod-env', 8080), deploymentStatus: 'SUCCEEDED' });
  });

  test('an update that meets a deployment in progress waits for it, then deploys', async () => {
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    // Someone else starts a deployment just before the stack update.
    bench.emulator.planDeployment('frontend', 'prod', { outcome: 'SUCCEEDED', durationMs: 1500 });
    const client = new ProtonClient({ endpoint: bench.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await client.send(new UpdateServiceInstanceCommand({ serviceName: 'frontend', name: 'prod', deploymentType: 'CURRENT_VERSION', spec: instanceSpec('prod-env', 81) }));
    const result = await bench.deploy(prod(8080));
    expect(result.status).toBe('UPDATE_COMPLETE');
    // The handler saw the running deployment and waited: it never sent into it, and sent its own once.
    const handlerUpdates = bench.emulator.callsTo('UpdateServiceInstance').filter((c) => c.input.clientToken !== undefined && c.input.spec !== instanceSpec('prod-env', 81));
    expect(handlerUpdates.map((c) => c.error ?? 'ok')).toEqual(['ok']);
    expect(bench.emulator.instance('frontend', 'prod')).toMatchObject({ spec: instanceSpec('prod-env', 8080), deploymentStatus: 'SUCCEEDED' });
  });

  test.each(['ConflictException', 'ThrottlingException', 'InternalServerException'] as const)('%s on UpdateService at delete is retried: the instance goes', async (error) => {
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    bench.emulator.faults.failCall('UpdateService', { next: 4, error });
    expect((await bench.destroy()).status).toBe('DELETE_COMPLETE');
    expect(bench.emulator.instance('frontend', 'prod')).toBeUndefined();
  });

  test.each(['ValidationException', 'AccessDeniedException'] as const)('%s on UpdateService at delete fails the deletion', async (error) => {
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    bench.emulator.faults.failCall('UpdateService', { next: 10, error });
    const result = await bench.destroy();
    expect(result.status).toBe('DELETE_FAILED');
    expect(result.failureReason).toContain(`UpdateService failed for service 'frontend' (${error}`);
  });

  test('the last instance of a service cannot be removed: the deletion fails saying how to proceed', async () => {
    bench.emulator.seedService({ name: 'solo', templateName: 'fargate-service', instances: [] });
    const result = await bench.deploy((stack) =>
      new ServiceInstance(stack, 'Only', { serviceName: 'solo', serviceInstanceName: 'only', spec: ServiceInstanceSpec.fromString(instanceSpec('e')), removalPolicy: RemovalPolicy.DESTROY }),
    );
    expect(result.status).toBe('CREATE_COMPLETE');
    const destroyed = await bench.destroy();
    expect(destroyed.status).toBe('DELETE_FAILED');
    expect(destroyed.failureReason).toMatch(/it is the last instance of the service/);
  });
});

describe('account where Proton refuses', () => {
  test('fails within seconds with one clear message', async () => {
    bench.emulator.faults.unavailable(true);
    const started = Date.now();
    const result = await bench.deploy(prod());
    const elapsed = Date.now() - started;
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failureReason).toMatch(/AccessDeniedException.*The handler role needs proton:CreateServiceInstance.*support ended on 2026-10-07; there is nothing to retry/s);
    expect(elapsed).toBeLessThan(60_000);
    const failures = result.events.filter((e) => e.status.endsWith('_FAILED'));
    expect(failures.map((f) => f.logicalId)).toEqual([bench.logicalId('prod')]);
  });
});

describe('timeout', () => {
  test('the deployment is cancelled in Proton and the stack fails saying so', async () => {
    // A 1-minute timeout against a 10-minute deployment: the handler and the emulator share the virtual clock,
    // which jumps from poll to poll, so the minute passes without a real wait.
    bench.emulator.planDeployment('frontend', 'slow', { outcome: 'SUCCEEDED', durationMs: 600_000 });
    const started = Date.now();
    const result = await bench.deploy((stack) =>
      new ServiceInstance(stack, 'Slow', {
        serviceName: 'frontend',
        serviceInstanceName: 'slow',
        spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env')),
        timeout: Duration.minutes(1),
      }),
    );
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failureReason).toMatch(/Timed out after 1 minute\(s\) waiting for the Proton deployment of service instance 'slow' of service 'frontend'; cancelled it with CancelServiceInstanceDeployment/);
    expect(bench.emulator.callsTo('CancelServiceInstanceDeployment')).toHaveLength(1);
    // The cancelled, never-successful instance is removed by the rollback, even under RETAIN.
    expect(bench.emulator.instance('frontend', 'slow')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
