import { ProtonDeploymentError } from './errors';
import type { ServiceInstance } from './proton';
import { ATTRIBUTES, AttributeName } from '../src/private/contract';

/** CloudFormation rejects a custom resource response over 4,096 bytes. */
export const RESPONSE_LIMIT = 4096;
/** Room kept for the fields the Provider framework adds around Data (Status, Reason, NoEcho) and rounding. */
const ENVELOPE_MARGIN = 160;
const TRUNCATED = ' …[truncated]';

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

/** The request fields the Provider framework echoes back to CloudFormation next to Data. */
export interface ResponseEnvelope {
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
}

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Cuts a string so that, as JSON, it takes at most `maxBytes` of UTF-8, never splitting a character. */
function cutToBytes(value: string, maxBytes: number): string {
  let budget = maxBytes - bytes(TRUNCATED);
  if (budget <= 0) return '';
  let out = '';
  for (const ch of value) {
    // The JSON cost of one character: its escaped form without the quotes.
    const cost = bytes(ch) - 2;
    if (cost > budget) break;
    budget -= cost;
    out += ch;
  }
  return out + TRUNCATED;
}

/**
 * Fits Data into CloudFormation's response cap by shortening the status message, the only free-text field.
 * Every key stays: a missing key would fail any GetAtt on it.
 */
export function fitResponse<T extends Record<string, string>>(data: T, envelope: ResponseEnvelope, field: keyof T & string): T {
  const size = (d: T) => bytes({ ...envelope, Status: 'SUCCESS', Reason: 'SUCCESS', NoEcho: false, Data: d }) + ENVELOPE_MARGIN;
  const total = size(data);
  if (total <= RESPONSE_LIMIT) return data;
  const allowed = Math.max(0, bytes(data[field]) - (total - RESPONSE_LIMIT));
  const fitted = { ...data, [field]: cutToBytes(data[field], allowed) };
  if (size(fitted) > RESPONSE_LIMIT) {
    // Only the requested outputs can make it this large; cutting them would hand CloudFormation wrong values.
    const largest = Object.entries(data)
      .filter(([k]) => k !== field)
      .sort(([, a], [, b]) => bytes(b) - bytes(a))
      .slice(0, 5)
      .map(([k, v]) => `${k} (${bytes(v)} bytes)`);
    throw new ProtonDeploymentError(
      `The attributes of this service instance make a ${size(fitted)}-byte response, over CloudFormation's ${RESPONSE_LIMIT}-byte ` +
        `limit for a custom resource. Ask for fewer outputs with getOutput; the largest values: ${largest.join(', ')}.`,
    );
  }
  return fitted;
}
