/**
 * Integration test: the provider as a locked-down account runs it. Its functions live in isolated subnets (no NAT
 * gateway) and reach AWS only through VPC endpoints, their environment is encrypted with the account's key, every
 * role carries a permissions boundary, the logs are kept a year, the functions run on ARM, and the waiter polls
 * every 20 seconds. One instance is deployed and Proton is asked whether its deployment succeeded.
 *
 * Run and settings as for integ.service-instance.ts (the instance defaults to `integ-locked-down`).
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { integSettings } from './integ-settings';
import { ServiceInstance, ServiceInstanceProvider, ServiceInstanceSpec } from '../../src';

const app = new App();
const { serviceName, serviceInstanceName, environmentName, specInputs } = integSettings(app, 'integ-locked-down');

const stack = new Stack(app, 'CdkProtonLockedDownInteg');

// No route out of the VPC but its endpoints: what the provider's functions call, and nothing else.
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
});
const s3 = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
const endpoints = Object.entries({
  Proton: ec2.InterfaceVpcEndpointAwsService.PROTON,
  CloudFormation: ec2.InterfaceVpcEndpointAwsService.CLOUDFORMATION,
  Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
  StepFunctions: ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
}).map(([id, service]) => vpc.addInterfaceEndpoint(id, { service, privateDnsEnabled: true }));

const provider = ServiceInstanceProvider.of(stack, {
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  environmentEncryption: new kms.Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY }),
  architecture: lambda.Architecture.ARM_64,
  logRetention: logs.RetentionDays.ONE_YEAR,
  logRemovalPolicy: RemovalPolicy.DESTROY,
  pollInterval: Duration.seconds(20),
});
// The endpoints exist before the first instance is created and outlive the last one's removal.
provider.node.addDependency(s3, ...endpoints);

// The account's boundary: what the provider's roles do, and nothing beyond.
iam.PermissionsBoundary.of(stack).apply(
  new iam.ManagedPolicy(stack, 'Boundary', {
    statements: [
      new iam.PolicyStatement({
        actions: [
          'proton:*',
          'cloudformation:DescribeStacks',
          'logs:*',
          'lambda:InvokeFunction',
          'lambda:GetFunction',
          'states:*',
          'ec2:*Network*',
          'ec2:DescribeSubnets',
          // For the VPC's own custom resource (Custom::VpcRestrictDefaultSG), which the boundary reaches too.
          'ec2:AuthorizeSecurityGroup*',
          'ec2:RevokeSecurityGroup*',
        ],
        resources: ['*'],
      }),
    ],
  }),
);

new ServiceInstance(stack, 'Instance', {
  serviceName,
  serviceInstanceName,
  spec: ServiceInstanceSpec.fromObject({ proton: 'ServiceSpec', environment: environmentName, spec: specInputs }),
  removalPolicy: RemovalPolicy.DESTROY,
  timeout: Duration.minutes(50),
  tags: { 'cdk-proton:integ': 'locked-down' },
});

const integ = new IntegTest(app, 'LockedDownIntegTest', { testCases: [stack], stackUpdateWorkflow: false });

integ.assertions
  .awsApiCall('Proton', 'getServiceInstance', { serviceName, name: serviceInstanceName })
  .expect(ExpectedResult.objectLike({ serviceInstance: { name: serviceInstanceName, deploymentStatus: 'SUCCEEDED' } }));

app.synth();
