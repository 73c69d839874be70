/** Builds and synthesizes small CDK apps around the fixture handler, one assembly per call. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';

export const STACK = 'DriverTest';
export const HANDLER_DIR = path.join(__dirname, 'fixtures', 'handler');

export interface ThingSpec {
  readonly id: string;
  readonly props?: Record<string, unknown>;
  /** Ids of other things whose `Name` attribute this one takes as property `Upstream`. */
  readonly upstream?: string;
  /** Ids of things (or `Grant`, the policy) this one depends on. */
  readonly dependsOn?: string[];
  readonly serviceTimeoutSeconds?: number;
  /** Served by the plain function (no Provider framework) instead of the Provider. */
  readonly plain?: boolean;
}

/** Removes the statements granting `action` from the policy whose logical id starts with `policy`. */
export interface Revocation {
  readonly policy: string;
  readonly action: string;
  /** Only statements whose Resource mentions this text (a logical id). */
  readonly resourceMentioning?: string;
}

export interface AppSpec {
  readonly things: ThingSpec[];
  /** Output name → [thing id, attribute]. */
  readonly outputs?: Record<string, [string, string]>;
  readonly queryIntervalSeconds?: number;
  readonly totalTimeoutSeconds?: number;
  readonly functionTimeoutSeconds?: number;
  readonly assetMetadata?: boolean;
  /** The framework functions' ApplicationLogLevel (aws-cdk-lib's default is FATAL). */
  readonly frameworkLogLevel?: lambda.ApplicationLogLevel;
  /** The user functions log to a log group of their own (LoggingConfig.LogGroup) instead of /aws/lambda/<name>. */
  readonly userLogGroup?: boolean;
  /** Grants the user onEvent function's role cloudformation:DescribeStacks on this stack. */
  readonly describeStacks?: boolean;
  /** An AWS::IAM::Policy `Grant` on the user onEvent function's role with these actions on `*`. */
  readonly grant?: string[];
  readonly revoke?: Revocation[];
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `driver-${prefix}-`));
}

export function synth(spec: AppSpec): string {
  const outdir = tempDir('cdkout');
  const app = new App({ outdir, context: spec.assetMetadata ? { 'aws:cdk:enable-asset-metadata': true } : {} });
  const stack = new Stack(app, STACK);
  const userLogs = spec.userLogGroup ? new logs.LogGroup(stack, 'UserLogs') : undefined;
  const fn = (id: string, handler: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler,
    code: lambda.Code.fromAsset(HANDLER_DIR),
    timeout: Duration.seconds(spec.functionTimeoutSeconds ?? 60),
    environment: { OWN_SETTING: `own-${stack.region}` },
    ...(userLogs ? { logGroup: userLogs, loggingFormat: lambda.LoggingFormat.JSON } : {}),
  });
  const onEvent = fn('OnEvent', 'index.onEvent');
  const provider = new cr.Provider(stack, 'Provider', {
    onEventHandler: onEvent,
    isCompleteHandler: fn('IsComplete', 'index.isComplete'),
    queryInterval: Duration.seconds(spec.queryIntervalSeconds ?? 5),
    totalTimeout: Duration.seconds(spec.totalTimeoutSeconds ?? 30),
    frameworkLambdaLoggingLevel: spec.frameworkLogLevel,
  });
  const plain = spec.things.some((t) => t.plain) ? fn('Plain', 'index.plain') : undefined;
  if (spec.describeStacks) {
    onEvent.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks'],
      resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` })],
    }));
  }
  const made = new Map<string, IConstruct>();
  if (spec.grant) {
    made.set('Grant', new iam.Policy(stack, 'Grant', {
      roles: [onEvent.role!],
      statements: [new iam.PolicyStatement({ actions: spec.grant, resources: ['*'] })],
    }));
  }
  for (const t of spec.things) {
    const upstream = t.upstream ? { Upstream: (made.get(t.upstream) as CustomResource).getAttString('Name') } : {};
    const res = new CustomResource(stack, t.id, {
      serviceToken: t.plain ? plain!.functionArn : provider.serviceToken,
      resourceType: 'Custom::Thing',
      properties: { Name: t.id.toLowerCase(), ...upstream, ...t.props },
      serviceTimeout: t.serviceTimeoutSeconds ? Duration.seconds(t.serviceTimeoutSeconds) : undefined,
    });
    for (const d of t.dependsOn ?? []) res.node.addDependency(made.get(d)!);
    made.set(t.id, res);
  }
  for (const [name, [id, attr]] of Object.entries(spec.outputs ?? {})) {
    new CfnOutput(stack, name, { value: (made.get(id) as CustomResource).getAttString(attr) });
  }
  app.synth();
  if (spec.revoke) revoke(path.join(outdir, `${STACK}.template.json`), spec.revoke);
  return outdir;
}

/** Edits the synthesized template: what a policy the user trimmed (or a construct that forgot a grant) looks like. */
function revoke(templateFile: string, revocations: Revocation[]): void {
  const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
  for (const r of revocations) {
    const [id, policy] = Object.entries<any>(template.Resources).find(([logicalId, res]) => logicalId.startsWith(r.policy) && res.Type === 'AWS::IAM::Policy') ?? [];
    if (!policy) throw new Error(`no AWS::IAM::Policy ${r.policy}* in the template`);
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const kept = statements.filter((s) => !([] as string[]).concat(s.Action).includes(r.action)
      || (r.resourceMentioning !== undefined && !JSON.stringify(s.Resource).includes(r.resourceMentioning)));
    if (kept.length === statements.length) throw new Error(`${id} has no statement granting ${r.action}`);
    policy.Properties.PolicyDocument.Statement = kept;
  }
  fs.writeFileSync(templateFile, JSON.stringify(template, undefined, 1));
}

export interface HandlerCall {
  step: 'onEvent' | 'isComplete' | 'plain';
  type: string;
  requestId: string;
  logicalId: string;
  physicalId?: string;
  props?: Record<string, string>;
  oldProps?: Record<string, string>;
  extra?: string;
  poll?: number;
  env?: Record<string, string | undefined>;
  accessKey?: string;
  context?: { functionName: string; remaining: number };
  event?: Record<string, string>;
  /** The how-manieth invocation of its function's sandbox this was. */
  warm?: number;
  stackStatus?: string;
}

export interface HandlerState {
  calls: HandlerCall[];
  things: Record<string, Record<string, string>>;
  creates: Record<string, number>;
}

export function readState(file: string): HandlerState {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Logical id of the template resource of this type whose id is `prefix` plus CDK's hash. */
export function logicalIdOf(assemblyDir: string, prefix: string, type: string): string {
  const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, `${STACK}.template.json`), 'utf8'));
  const id = Object.keys(template.Resources).find((k) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(k) && template.Resources[k].Type === type);
  if (!id) throw new Error(`no ${type} ${prefix}* in ${assemblyDir}`);
  return id;
}

/** What the driver names a function: its physical id, `<stack>-<logical id>`. */
export function functionName(assemblyDir: string, prefix: string): string {
  return `${STACK}-${logicalIdOf(assemblyDir, prefix, 'AWS::Lambda::Function')}`;
}

/** The principal a role's session appears as, without the session name. */
export function rolePrincipal(assemblyDir: string, prefix: string): string {
  return `arn:aws:sts::123456789012:assumed-role/${STACK}-${logicalIdOf(assemblyDir, prefix, 'AWS::IAM::Role')}`;
}
