/**
 * Integration test: deploys one ServiceInstance into an existing Proton service and asserts, through Proton's
 * own API, that its deployment succeeded. Proton is at end of support and has no CloudFormation resource for
 * its services, so this test cannot create the service it needs: it runs against a Proton customer's account.
 *
 * Deploy (needs AWS credentials and an existing Proton service and environment):
 *   npx integ-runner --directory test/integ --language typescript \
 *     --app "ts-node --transpile-only --project test/tsconfig.json {filePath}" --no-clean
 * naming them with context (`-c`) or the environment variables below. Offline, `npx projen integ:verify` checks
 * that the committed snapshot matches what this file synthesizes, and `npx projen integ:update` rewrites it.
 *
 * - service:     context `serviceName`, env `CDK_PROTON_INTEG_SERVICE` (default `cdk-proton-integ`)
 * - instance:    context `serviceInstanceName`, env `CDK_PROTON_INTEG_INSTANCE` (default `integ-instance`)
 * - environment: context `environmentName`, env `CDK_PROTON_INTEG_ENVIRONMENT` (default `cdk-proton-integ-env`)
 * - spec inputs: context `specInputs` (a JSON object), env `CDK_PROTON_INTEG_SPEC_INPUTS` (default `{}`)
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { integSettings } from './integ-settings';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';

const app = new App();
const { serviceName, serviceInstanceName, environmentName, specInputs } = integSettings(app);

const stack = new Stack(app, 'CdkProtonServiceInstanceInteg');

const instance = new ServiceInstance(stack, 'Instance', {
  serviceName,
  serviceInstanceName,
  spec: ServiceInstanceSpec.fromObject({ proton: 'ServiceSpec', environment: environmentName, spec: specInputs }),
  // The test removes what it created: the instance leaves its service when the stack is destroyed.
  removalPolicy: RemovalPolicy.DESTROY,
  timeout: Duration.minutes(50),
  tags: { 'cdk-proton:integ': 'true' },
});

new CfnOutput(stack, 'InstanceArn', { value: instance.serviceInstanceArn });

const integ = new IntegTest(app, 'ServiceInstanceIntegTest', {
  testCases: [stack],
  // The update workflow deploys the committed snapshot first: pointless here, where each run names its own service.
  stackUpdateWorkflow: false,
});

// Proton itself, not the custom resource's answer, must say the deployment succeeded.
integ.assertions
  .awsApiCall('Proton', 'getServiceInstance', { serviceName, name: serviceInstanceName })
  .expect(
    ExpectedResult.objectLike({
      serviceInstance: { name: serviceInstanceName, serviceName, environmentName, deploymentStatus: 'SUCCEEDED' },
    }),
  );

app.synth();
