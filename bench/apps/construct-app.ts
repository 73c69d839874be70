import { Stack } from 'aws-cdk-lib';
import { instanceName, SERVICE_NAME, specFor } from './instance-props';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';

/** N ServiceInstances: the construct under test, one shared provider. */
export function build(stack: Stack, n: number): void {
  for (let i = 0; i < n; i++) {
    new ServiceInstance(stack, `Instance${i}`, {
      serviceName: SERVICE_NAME,
      serviceInstanceName: instanceName(i),
      spec: ServiceInstanceSpec.fromString(specFor(i)),
      templateMajorVersion: '1',
      tags: { stage: 'bench' },
    });
  }
}
