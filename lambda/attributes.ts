import { ProtonDeploymentError } from './errors';
import type { ServiceInstance } from './proton';
import { cutToBytes, jsonBytes, RESPONSE_LIMIT, stringBytes } from './response-size';
import { ATTRIBUTES, AttributeName } from '../src/private/contract';

/** Room for rounding and for a longer physical id the framework might echo; the envelope itself is counted exactly. */
const ENVELOPE_MARGIN = 64;

export type Attributes = Record<AttributeName, string>;

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Every attribute key, from Proton's answer; an absent field becomes '' so that no GetAtt can fail. */
export function attributesOf(instance: ServiceInstance): Attributes {
  const fields: Record<AttributeName, unknown> = {
    Arn: instance.arn,
    CreatedAt: instance.createdAt,
    DeploymentStatus: instance.deploymentStatus,
    DeploymentStatusMessage: instance.deploymentStatusMessage,
    EnvironmentName: instance.environmentName,
    LastAttemptedDeploymentId: instance.lastAttemptedDeploymentId,
    LastClientRequestToken: instance.lastClientRequestToken,
    LastDeploymentAttemptedAt: instance.lastDeploymentAttemptedAt,
    LastDeploymentSucceededAt: instance.lastDeploymentSucceededAt,
    LastSucceededDeploymentId: instance.lastSucceededDeploymentId,
    Name: instance.name,
    ServiceName: instance.serviceName,
    TemplateMajorVersion: instance.templateMajorVersion,
    TemplateMinorVersion: instance.templateMinorVersion,
    TemplateName: instance.templateName,
  };
  return Object.fromEntries(ATTRIBUTES.map((key) => [key, text(fields[key])])) as Attributes;
}

/** Every attribute key as an empty string, for an instance that is not there. */
export function blankAttributes(): Attributes {
  return Object.fromEntries(ATTRIBUTES.map((key) => [key, ''])) as Attributes;
}

/** The request fields the Provider framework copies into its answer next to Data; the request's properties are not among them. */
export interface ResponseEnvelope {
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
}

/**
 * Fits Data into CloudFormation's response cap by shortening the status message, the only free-text field.
 * Every key stays: a missing key would fail any GetAtt on it. Only what the framework sends is counted: the
 * envelope's ids, Status, Reason, NoEcho and Data.
 */
export function fitResponse<T extends Record<string, string>>(data: T, envelope: ResponseEnvelope, field: keyof T & string): T {
  const { StackId, RequestId, LogicalResourceId, PhysicalResourceId } = envelope;
  const response = (d: T) => ({ Status: 'SUCCESS', Reason: 'SUCCESS', StackId, RequestId, PhysicalResourceId, LogicalResourceId, NoEcho: false, Data: d });
  const size = (d: T) => jsonBytes(response(d)) + ENVELOPE_MARGIN;
  const total = size(data);
  if (total <= RESPONSE_LIMIT) return data;
  const allowed = Math.max(0, stringBytes(data[field]) - (total - RESPONSE_LIMIT));
  const fitted = { ...data, [field]: cutToBytes(data[field], allowed) };
  if (size(fitted) > RESPONSE_LIMIT) {
    // Only the requested outputs can make it this large; cutting them would hand CloudFormation wrong values.
    const largest = Object.entries(data)
      .filter(([k]) => k !== field)
      .sort(([, a], [, b]) => stringBytes(b) - stringBytes(a))
      .slice(0, 5)
      .map(([k, v]) => `${k} (${stringBytes(v)} bytes)`);
    throw new ProtonDeploymentError(
      `The attributes of this service instance make a ${size(fitted)}-byte response, over CloudFormation's ${RESPONSE_LIMIT}-byte ` +
        `limit for a custom resource. Ask for fewer outputs with getOutput; the largest values: ${largest.join(', ')}.`,
    );
  }
  return fitted;
}
