import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DEFAULT_POLL_INTERVAL, MAX_POLL_INTERVAL, MIN_POLL_INTERVAL } from './runtime';

/**
 * The provider's options once checked and defaulted: what the provider is built from, and what a second
 * configuration of the same stack's provider is compared with.
 */
export interface ProviderOptions {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly environmentEncryption?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly architecture: lambda.Architecture;
  readonly pollInterval: Duration;
}

/** The options a ServiceInstanceProvider may be given (see ServiceInstanceProviderProps for each one's meaning). */
export type ProviderOptionsInput = Partial<ProviderOptions>;

export const DEFAULT_PROVIDER_OPTIONS: ProviderOptions = {
  logRetention: logs.RetentionDays.ONE_MONTH,
  logRemovalPolicy: RemovalPolicy.DESTROY,
  architecture: lambda.Architecture.X86_64,
  pollInterval: DEFAULT_POLL_INTERVAL,
};

const ARCHITECTURES = [lambda.Architecture.X86_64.name, lambda.Architecture.ARM_64.name];
const LOG_REMOVAL_POLICIES = [RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE];

function fail(option: string, message: string): never {
  throw new Error(`ServiceInstanceProvider: invalid ${option}: ${message}`);
}

/** Checks each option (the message names it and the bad value) and fills in the defaults. */
export function resolveProviderOptions(input: ProviderOptionsInput): ProviderOptions {
  if (input.vpcSubnets && !input.vpc) fail('vpcSubnets', 'it is set without vpc; subnets are chosen within a VPC');
  if (input.securityGroups && !input.vpc) fail('securityGroups', 'they are set without vpc; security groups apply within a VPC');
  if (input.securityGroups && input.securityGroups.length === 0) {
    fail('securityGroups', 'the list is empty; leave it out to have the provider create one (HTTPS out only), or give at least one');
  }
  if (input.securityGroups && input.securityGroups.length > 5) {
    fail('securityGroups', `${input.securityGroups.length} given; a Lambda function takes at most 5`);
  }
  if (input.architecture && !ARCHITECTURES.includes(input.architecture.name)) {
    fail('architecture', `${JSON.stringify(input.architecture.name)} is not one Lambda runs; use Architecture.X86_64 or Architecture.ARM_64`);
  }
  if (input.logRemovalPolicy && !LOG_REMOVAL_POLICIES.includes(input.logRemovalPolicy)) {
    fail('logRemovalPolicy', `${input.logRemovalPolicy} does not apply to log groups; use DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE`);
  }
  if (input.pollInterval) checkPollInterval(input.pollInterval);
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_PROVIDER_OPTIONS, ...given };
}

/**
 * Whole seconds (the waiter's Step Functions retry interval is an integer), known at synth (the waiter's attempt
 * count is derived from it), and within bounds: often enough to see a deployment end, and rare enough that the
 * handler still answers within the margin CloudFormation gives it after an instance's timeout.
 */
function checkPollInterval(interval: Duration): void {
  if (interval.isUnresolved()) fail('pollInterval', 'it is a token; the waiter is built from it at synth, so it must be a literal');
  const ms = interval.toMilliseconds();
  if (ms % 1000 !== 0) fail('pollInterval', `${interval.toHumanString()} is not a whole number of seconds`);
  if (ms < MIN_POLL_INTERVAL.toMilliseconds() || ms > MAX_POLL_INTERVAL.toMilliseconds()) {
    fail('pollInterval', `${interval.toHumanString()} is outside ${MIN_POLL_INTERVAL.toHumanString()} to ${MAX_POLL_INTERVAL.toHumanString()}`);
  }
}

/**
 * Where two configurations of one provider differ, one line per option. Constructs (VPC, key, security groups,
 * subnet selections) are compared by identity: configure the provider with the same objects.
 */
export function differences(a: ProviderOptions, b: ProviderOptions): string[] {
  const keys: Array<keyof ProviderOptions> = [
    'vpc', 'vpcSubnets', 'securityGroups', 'environmentEncryption', 'logRetention', 'logRemovalPolicy', 'architecture', 'pollInterval',
  ];
  return keys.filter((key) => !same(a[key], b[key])).map((key) => `${key}: ${describe(a[key])}, then ${describe(b[key])}`);
}

function same(x: unknown, y: unknown): boolean {
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => v === y[i]);
  if (x instanceof Duration && y instanceof Duration) return x.toMilliseconds() === y.toMilliseconds();
  if (x instanceof lambda.Architecture && y instanceof lambda.Architecture) return x.name === y.name;
  return x === y;
}

function describe(value: unknown): string {
  if (value === undefined) return 'not set';
  if (value instanceof Duration) return value.toHumanString();
  if (value instanceof lambda.Architecture) return value.name;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'object' && value !== null && 'node' in value) return (value as { node: { path: string } }).node.path;
  if (typeof value === 'object') return 'another subnet selection';
  return String(value);
}
