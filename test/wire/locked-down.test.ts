import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Bench, iamDenials, instanceSpec, seedFrontend, startBench, stopChecked } from './harness';
import { ServiceInstance, ServiceInstanceProvider, ServiceInstanceSpec } from '../../src';
import { lockedDownProvider } from '../fixtures/locked-down';

/**
 * The provider configured for a locked-down account (VPC, KMS key, ARM, log settings, a 20-second poll, a
 * permissions boundary on every role), deployed and destroyed through the local CloudFormation with IAM enforced:
 * the same bundles run (the driver does not place functions in a VPC), and the boundary is evaluated with the
 * roles' own policies at every call.
 */

jest.setTimeout(120_000);

let bench: Bench;
/** Set by a test whose denial is the point; the others must end with none. */
let deniedOnPurpose = false;
beforeEach(async () => {
  bench = await startBench();
  seedFrontend(bench.emulator);
  deniedOnPurpose = false;
});
afterEach(async () => (deniedOnPurpose ? bench.stop() : stopChecked(bench)));

/** The account's boundary: what the provider's roles need, and optionally a Deny on top. */
function boundary(stack: Stack, deny: string[] = []): iam.ManagedPolicy {
  const statements = [
    new iam.PolicyStatement({
      actions: ['proton:*', 'cloudformation:DescribeStacks', 'logs:*', 'lambda:InvokeFunction', 'lambda:GetFunction', 'states:*', 'ec2:*'],
      resources: ['*'],
    }),
  ];
  if (deny.length > 0) statements.push(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: deny, resources: ['*'] }));
  return new iam.ManagedPolicy(stack, 'AccountBoundary', { statements });
}

function app(deny: string[] = []) {
  return (stack: Stack) => {
    ServiceInstanceProvider.of(stack, lockedDownProvider(stack));
    iam.PermissionsBoundary.of(stack).apply(boundary(stack, deny));
    new ServiceInstance(stack, 'Prod', {
      serviceName: 'frontend',
      serviceInstanceName: 'prod',
      spec: ServiceInstanceSpec.fromString(instanceSpec('prod-env')),
      removalPolicy: RemovalPolicy.DESTROY,
      timeout: Duration.minutes(10),
    });
  };
}

/**
 * Stack-clock seconds from the end of one invocation of a function to the start of the next: the waiter's wait.
 * (Start to start would add the invocation's own run time, real time even on the virtual clock.)
 */
function gapsSeconds(functionPattern: RegExp): number[] {
  const runs = bench.driver.invocations.filter((i) => functionPattern.test(i.functionName));
  return runs.slice(1).map((run, i) => Math.round((run.startedAt.getTime() - runs[i].endedAt!.getTime()) / 1000));
}

test('deploys and destroys with every option set, polling every 20 seconds, within the boundary', async () => {
  bench.emulator.planDeployment('frontend', 'prod', { outcome: 'SUCCEEDED', durationMs: 50_000 });
  const created = await bench.deploy(app());
  expect(created.failureReason).toBeUndefined();
  expect(created.status).toBe('CREATE_COMPLETE');
  expect(bench.emulator.instance('frontend', 'prod')).toMatchObject({ deploymentStatus: 'SUCCEEDED' });
  // The waiter's framework isComplete runs at the configured interval while the 50-second deployment runs.
  const gaps = gapsSeconds(/framework-isComplete|frameworkisComplete/i);
  expect(gaps.length).toBeGreaterThanOrEqual(2);
  for (const gap of gaps) expect(gap).toBe(20);

  const destroyed = await bench.destroy();
  expect(destroyed.status).toBe('DELETE_COMPLETE');
  expect(bench.emulator.state.instancesOf('frontend').map((i) => i.name)).toEqual(['keeper']);
});

test('the boundary is enforced: a Deny on proton:UpdateService fails the removal with the action named', async () => {
  expect((await bench.deploy(app(['proton:UpdateService']))).status).toBe('CREATE_COMPLETE');
  const destroyed = await bench.destroy();
  expect(destroyed.status).toBe('DELETE_FAILED');
  expect(destroyed.failureReason).toMatch(/AccessDeniedException/);
  expect(destroyed.failureReason).toMatch(/The handler role needs proton:UpdateService/);
  expect(bench.emulator.state.instancesOf('frontend').map((i) => i.name)).toEqual(['keeper', 'prod']);
  expect(iamDenials(bench)).toEqual([expect.stringMatching(/^UpdateService: .* with an explicit deny in a permissions boundary$/)]);
  deniedOnPurpose = true;
});
