import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { build as buildInstances } from './construct-app';
import { ServiceInstanceProvider, ServiceInstanceProviderProps } from '../../src';

/** The env variable that names the option under measurement (see PROVIDER_OPTIONS). */
export const PROVIDER_OPTION_ENV = 'BENCH_PROVIDER_OPTION';

/** Each option as a locked-down account would set it; the network and key are imported, as such accounts hand them over. */
const OPTIONS: Record<string, (stack: Stack) => ServiceInstanceProviderProps> = {
  'default': () => ({}),
  'vpc': (stack) => ({ vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'] }) }),
  'environmentEncryption': (stack) => ({ environmentEncryption: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') }),
  'architecture ARM_64': () => ({ architecture: lambda.Architecture.ARM_64 }),
  'logRetention + logRemovalPolicy': () => ({ logRetention: logs.RetentionDays.ONE_YEAR, logRemovalPolicy: RemovalPolicy.RETAIN }),
  'pollInterval 20 s': () => ({ pollInterval: Duration.seconds(20) }),
  'all of them + a permissions boundary': (stack) => ({
    ...OPTIONS.vpc(stack),
    ...OPTIONS.environmentEncryption(stack),
    ...OPTIONS['architecture ARM_64'](stack),
    ...OPTIONS['logRetention + logRemovalPolicy'](stack),
    ...OPTIONS['pollInterval 20 s'](stack),
  }),
};

export const PROVIDER_OPTIONS = Object.keys(OPTIONS);

/** N ServiceInstances on a provider configured with the option PROVIDER_OPTION_ENV names. */
export function build(stack: Stack, n: number): void {
  const option = process.env[PROVIDER_OPTION_ENV] ?? 'default';
  const props = OPTIONS[option];
  if (!props) throw new Error(`unknown provider option ${option}; one of ${PROVIDER_OPTIONS.join(', ')}`);
  ServiceInstanceProvider.of(stack, props(stack));
  if (option.includes('boundary')) {
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'account-boundary'));
  }
  buildInstances(stack, n);
}
