import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { parse } from 'yaml';
import { Bench, instanceSpec, modelRejections, seedFrontend, startBench, stopChecked } from './harness';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';

jest.setTimeout(120_000);

let bench: Bench;
beforeEach(async () => {
  bench = await startBench();
  seedFrontend(bench.emulator);
});
afterEach(async () => stopChecked(bench));

interface InstanceOptions {
  readonly name?: string;
  readonly port?: number;
  readonly major?: string;
  readonly minor?: string;
  readonly tags?: Record<string, string>;
}

const prod = (o: InstanceOptions = {}) => (stack: any) =>
  new ServiceInstance(stack, 'Prod', {
    serviceName: 'frontend',
    serviceInstanceName: o.name ?? 'prod',
    spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env', o.port)),
    templateMajorVersion: o.major ?? '1',
    templateMinorVersion: o.minor,
    tags: o.tags ?? { team: 'web' },
    removalPolicy: RemovalPolicy.DESTROY,
    timeout: Duration.minutes(5),
  });

describe('full lifecycle on the wire', () => {
  test('create → attributes → spec update → minor → major → replacement → delete', async () => {
    const { emulator } = bench;

    // Create: the deployment is watched until SUCCEEDED, and every attribute reaches CloudFormation.
    const created = await bench.deploy(prod());
    expect(created.status).toBe('CREATE_COMPLETE');
    expect(bench.attribute('prod', 'Arn')).toBe('arn:aws:proton:us-east-1:123456789012:service/frontend/service-instance/prod');
    expect(bench.attribute('prod', 'DeploymentStatus')).toBe('SUCCEEDED');
    expect(bench.attribute('prod', 'EnvironmentName')).toBe('prod-env');
    expect(bench.attribute('prod', 'TemplateName')).toBe('fargate-service');
    expect(bench.attribute('prod', 'DeploymentStatusMessage')).toBe('');
    expect(bench.attribute('prod', 'CreatedAt')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(emulator.instance('frontend', 'prod')).toMatchObject({ deploymentStatus: 'SUCCEEDED', templateMajorVersion: '1' });
    const createCall = emulator.callsTo('CreateServiceInstance')[0];
    expect(createCall.input).toMatchObject({ tags: [{ key: 'team', value: 'web' }], clientToken: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // Spec change: CURRENT_VERSION with the new spec.
    expect((await bench.deploy(prod({ port: 8080 }))).status).toBe('UPDATE_COMPLETE');
    expect(emulator.callsTo('UpdateServiceInstance').at(-1)!.input).toMatchObject({ deploymentType: 'CURRENT_VERSION', spec: instanceSpec('prod-env', 8080) });
    expect(emulator.instance('frontend', 'prod')!.spec).toBe(instanceSpec('prod-env', 8080));

    // Minor version: MINOR_VERSION.
    expect((await bench.deploy(prod({ port: 8080, minor: '1' }))).status).toBe('UPDATE_COMPLETE');
    expect(emulator.callsTo('UpdateServiceInstance').at(-1)!.input).toMatchObject({ deploymentType: 'MINOR_VERSION', templateMinorVersion: '1' });
    expect(bench.attribute('prod', 'TemplateMinorVersion')).toBe('1');

    // Major version: MAJOR_VERSION.
    expect((await bench.deploy(prod({ port: 8080, major: '2', minor: '0' }))).status).toBe('UPDATE_COMPLETE');
    expect(emulator.callsTo('UpdateServiceInstance').at(-1)!.input).toMatchObject({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2' });
    expect(bench.attribute('prod', 'TemplateMajorVersion')).toBe('2');

    // Tags only: no deployment.
    const updatesBefore = emulator.callsTo('UpdateServiceInstance').length;
    expect((await bench.deploy(prod({ port: 8080, major: '2', minor: '0', tags: { team: 'platform' } }))).status).toBe('UPDATE_COMPLETE');
    expect(emulator.callsTo('UpdateServiceInstance')).toHaveLength(updatesBefore);
    expect(emulator.callsTo('TagResource').at(-1)!.input).toMatchObject({ tags: [{ key: 'team', value: 'platform' }] });

    // Replacement: a new name creates a new instance, then the old one is removed from the service.
    const replaced = await bench.deploy(prod({ name: 'prod2', port: 8080, major: '2', minor: '0', tags: { team: 'platform' } }));
    expect(replaced.status).toBe('UPDATE_COMPLETE');
    expect(emulator.instance('frontend', 'prod2')).toMatchObject({ deploymentStatus: 'SUCCEEDED' });
    expect(emulator.instance('frontend', 'prod')).toBeUndefined();
    expect(bench.attribute('prod2', 'Arn')).toContain('service-instance/prod2');

    // Delete: removed through UpdateService; the service keeps its other instance and is ACTIVE again.
    expect((await bench.destroy()).status).toBe('DELETE_COMPLETE');
    expect(emulator.instance('frontend', 'prod2')).toBeUndefined();
    expect(emulator.service('frontend')).toMatchObject({ status: 'ACTIVE' });
    expect(parse(emulator.service('frontend')!.spec as string).instances.map((i: any) => i.name)).toEqual(['keeper']);

    expect(modelRejections(emulator)).toEqual([]);
    expect(emulator.validatedCount).toBeGreaterThan(20);
  });

  test('a removed instance that reads DELETE_COMPLETE counts as gone', async () => {
    await bench.stop();
    bench = await startBench({ emulator: { removedInstanceReads: 'DELETE_COMPLETE' } });
    seedFrontend(bench.emulator);
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    expect((await bench.destroy()).status).toBe('DELETE_COMPLETE');
    expect(bench.emulator.instance('frontend', 'prod')).toMatchObject({ deploymentStatus: 'DELETE_COMPLETE' });
  });

  test('two instances of one service are removed one after the other, without racing', async () => {
    const two = (stack: any) => {
      for (const name of ['alpha', 'beta']) {
        new ServiceInstance(stack, name, {
          serviceName: 'frontend',
          serviceInstanceName: name,
          spec: ServiceInstanceSpec.fromString(instanceSpec(`${name}-env`)),
          removalPolicy: RemovalPolicy.DESTROY,
        });
      }
    };
    expect((await bench.deploy(two)).status).toBe('CREATE_COMPLETE');
    expect((await bench.destroy()).status).toBe('DELETE_COMPLETE');
    const updates = bench.emulator.callsTo('UpdateService').filter((c) => !c.error);
    expect(updates).toHaveLength(2);
    expect(bench.emulator.instance('frontend', 'alpha')).toBeUndefined();
    expect(bench.emulator.instance('frontend', 'beta')).toBeUndefined();
    expect(parse(bench.emulator.service('frontend')!.spec as string).instances.map((i: any) => i.name)).toEqual(['keeper']);
  });

  test('RETAIN keeps a working instance in Proton when the stack is destroyed', async () => {
    const retained = (stack: any) =>
      new ServiceInstance(stack, 'Kept', { serviceName: 'frontend', serviceInstanceName: 'kept', spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env')) });
    expect((await bench.deploy(retained)).status).toBe('CREATE_COMPLETE');
    expect((await bench.destroy()).status).toBe('DELETE_COMPLETE');
    expect(bench.emulator.instance('frontend', 'kept')).toMatchObject({ deploymentStatus: 'SUCCEEDED' });
    expect(bench.emulator.callsTo('UpdateService')).toHaveLength(0);
  });

  test('retried Create and Delete with the same RequestId: no duplicate, no error', async () => {
    await bench.stop();
    bench = await startBench({ driver: { duplicateRequests: true } });
    seedFrontend(bench.emulator);
    expect((await bench.deploy(prod())).status).toBe('CREATE_COMPLETE');
    const creates = bench.emulator.callsTo('CreateServiceInstance');
    expect(creates).toHaveLength(2);
    expect(creates[0].input.clientToken).toBe(creates[1].input.clientToken);
    expect(creates.every((c) => !c.error)).toBe(true);
    const instances = (bench.emulator.service('frontend')!.spec as string).match(/name: prod\b/g);
    expect(instances).toHaveLength(1);
    expect((await bench.destroy()).status).toBe('DELETE_COMPLETE');
    expect(bench.emulator.instance('frontend', 'prod')).toBeUndefined();
  });
});
