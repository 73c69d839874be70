/**
 * The names that cross from the construct to the custom-resource handler and back.
 *
 * Defined once here and imported by both `src/` (at synth) and `lambda/` (bundled by esbuild), so the
 * property and attribute names cannot drift. This module is deliberately not exported from `index.ts`:
 * it is an implementation detail, not part of the jsii API.
 */

/** The CloudFormation resource type. A published interface: never change it. */
export const RESOURCE_TYPE = 'Custom::ProtonServiceInstance';

/** The handler bundle's exports, one per Provider framework function (`index.<name>`). */
export const HANDLER_ENTRY_POINTS = { onEvent: 'onEvent', isComplete: 'isComplete' } as const;

/**
 * A ServiceInstance's `timeout`, in seconds: how long each deployment may take. CloudFormation gives a custom
 * resource at most an hour, and the handler needs a few minutes of it to cancel a deployment and answer.
 */
export const INSTANCE_TIMEOUT_SECONDS = { min: 60, max: 55 * 60, default: 50 * 60 } as const;

/** Resource properties, as the handler receives them. CloudFormation delivers every scalar as a string. */
export const Prop = {
  SERVICE_NAME: 'ServiceName',
  SERVICE_INSTANCE_NAME: 'ServiceInstanceName',
  SPEC: 'Spec',
  TEMPLATE_MAJOR_VERSION: 'TemplateMajorVersion',
  TEMPLATE_MINOR_VERSION: 'TemplateMinorVersion',
  TAGS: 'Tags',
  CLIENT_TOKEN: 'ClientToken',
  REMOVAL_POLICY: 'RemovalPolicy',
  TIMEOUT_SECONDS: 'TimeoutSeconds',
  /** The instance outputs the app asked for with getOutput(), sorted. */
  OUTPUT_KEYS: 'OutputKeys',
  /** 'true' when CloudFormation must mask the attributes (the response's NoEcho). */
  NO_ECHO: 'NoEcho',
} as const;

/** What the handler does with the Proton instance when CloudFormation deletes the resource. */
export const RemovalBehaviour = {
  /** Remove the instance from its service (UpdateService without it). */
  DESTROY: 'Destroy',
  /** Leave the instance in Proton; an instance whose first deployment never succeeded is still removed. */
  RETAIN: 'Retain',
} as const;

/**
 * CloudFormation attributes (`Fn::GetAtt`): every field of Proton's `serviceInstance` except `spec`.
 * Each key is returned on Create and on Update, as an empty string when Proton left the field out.
 */
export const ATTRIBUTES = [
  'Arn',
  'CreatedAt',
  'DeploymentStatus',
  'DeploymentStatusMessage',
  'EnvironmentName',
  'LastAttemptedDeploymentId',
  'LastClientRequestToken',
  'LastDeploymentAttemptedAt',
  'LastDeploymentSucceededAt',
  'LastSucceededDeploymentId',
  'Name',
  'ServiceName',
  'TemplateMajorVersion',
  'TemplateMinorVersion',
  'TemplateName',
] as const;

export type AttributeName = (typeof ATTRIBUTES)[number];

/** Attribute name of an instance output: `Output.<key>`. */
export const OUTPUT_ATTRIBUTE_PREFIX = 'Output.';

/** A service instance ARN: `arn:<partition>:proton:<region>:<account>:service/<service>/service-instance/<name>`. */
const INSTANCE_ARN = /^arn:[^:]+:proton:[^:]*:[^:]*:service\/([^/]+)\/service-instance\/([^/]+)$/;

/** A service instance, by its names. */
export interface InstanceRef {
  readonly serviceName: string;
  readonly serviceInstanceName: string;
}

/** The ARN of a service instance in the account and region of a stack, from the stack's id (itself an ARN). */
export function serviceInstanceArnIn(stackId: string, ref: InstanceRef): string {
  const [, partition, , region, account] = stackId.split(':');
  return `arn:${partition}:proton:${region}:${account}:service/${ref.serviceName}/service-instance/${ref.serviceInstanceName}`;
}

/** The service and instance names in a service instance ARN, or undefined when it is not one. */
export function parseServiceInstanceArn(arn: string): InstanceRef | undefined {
  const match = INSTANCE_ARN.exec(arn);
  return match ? { serviceName: match[1], serviceInstanceName: match[2] } : undefined;
}
