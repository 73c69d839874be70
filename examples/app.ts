import * as path from 'path';
import { App, CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ServiceInstance, ServiceInstanceProvider, ServiceInstanceSpec, ServiceTemplateSchema } from '../src';

/**
 * An app a Proton customer would write: the `frontend` service (created in Proton beforehand from a Fargate
 * service template) gets a staging and a production instance, each in its own environment. Staging's task count
 * comes from the `stagingDesiredCount` context value (`cdk deploy -c stagingDesiredCount=2`), 1 by default.
 */
export class FrontendInstancesStack extends Stack {
  public readonly staging: ServiceInstance;
  public readonly production: ServiceInstance;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The provider all instances of the stack share: its logs kept three months, its functions on ARM, and the
    // deployments watched every 15 seconds (ServiceInstanceProvider.of also takes a VPC, a KMS key, ...).
    ServiceInstanceProvider.of(this, {
      logRetention: logs.RetentionDays.THREE_MONTHS,
      architecture: lambda.Architecture.ARM_64,
      pollInterval: Duration.seconds(15),
    });

    // The service template's input schema: a spec that does not satisfy it fails `cdk synth`, not the deployment.
    const schema = ServiceTemplateSchema.fromFile(path.join(__dirname, 'templates', 'fargate-service', 'schema', 'schema.yaml'));

    this.staging = new ServiceInstance(this, 'Staging', {
      serviceName: 'frontend',
      serviceInstanceName: 'staging',
      spec: ServiceInstanceSpec.fromObject({
        proton: 'ServiceSpec',
        environment: 'staging-env',
        spec: { image: 'public.ecr.aws/nginx/nginx:1.27', port: 80, desired_count: Number(this.node.tryGetContext('stagingDesiredCount') ?? 1) },
      }, { schema }),
      templateMajorVersion: '1',
      removalPolicy: RemovalPolicy.DESTROY,
      timeout: Duration.minutes(30),
      tags: { stage: 'staging' },
    });

    this.production = new ServiceInstance(this, 'Production', {
      serviceName: 'frontend',
      serviceInstanceName: 'production',
      spec: ServiceInstanceSpec.fromObject({
        proton: 'ServiceSpec',
        environment: 'production-env',
        spec: { image: 'public.ecr.aws/nginx/nginx:1.27', port: 80, desired_count: 3 },
      }, { schema }),
      templateMajorVersion: '1',
      tags: { stage: 'production' },
    });

    Tags.of(this).add('team', 'web');

    new CfnOutput(this, 'ProductionInstanceArn', { value: this.production.serviceInstanceArn });
    new CfnOutput(this, 'StagingDeploymentStatus', { value: this.staging.deploymentStatus });
    // An output of the infrastructure the production instance provisioned, as its template names it.
    new CfnOutput(this, 'ProductionEndpoint', { value: this.production.getOutput('ServiceEndpoint') });
  }
}

const app = new App();
new FrontendInstancesStack(app, 'FrontendInstances', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
});
app.synth();
