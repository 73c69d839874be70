/** The app the deploy bench deploys: one stack per instance, so that each can go through its own driver process. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ServiceInstance, ServiceInstanceSpec } from '../src';
import { SERVICE_NAME, SPEC_YAML } from './apps/instance-props';

export function stackName(i: number): string {
  return `BenchDeploy${i}`;
}

export function constructInstanceName(i: number): string {
  return `construct-${i}`;
}

/** Synthesizes `count` stacks, each with one ServiceInstance; returns the assembly directory. */
export function synthDeployApp(count: number): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-bench-deploy-'));
  const app = new App({ outdir });
  for (let i = 0; i < count; i++) {
    const stack = new Stack(app, stackName(i), { env: { account: '123456789012', region: 'us-east-1' } });
    new ServiceInstance(stack, 'Instance', {
      serviceName: SERVICE_NAME,
      serviceInstanceName: constructInstanceName(i),
      spec: ServiceInstanceSpec.fromString(SPEC_YAML),
      templateMajorVersion: '1',
    });
  }
  app.synth();
  return outdir;
}
