import { InstanceRef, parseServiceInstanceArn } from '../src/private/contract';

/**
 * What a resource's physical id says about its instance.
 *
 * Normally the physical id is the instance's ARN. A create that Proton refused because the service was busy
 * returns before anything exists; its physical id then names the instance and the client token of the create
 * that isComplete keeps retrying. A Delete of such an id removes the instance only if it carries that token,
 * i.e. only if this resource created it — the ARN of an instance that someone else created in the meantime is
 * never this resource's physical id.
 */

const PENDING_PREFIX = 'cdk-proton:pending-create:';

export interface PhysicalInstance {
  readonly ref: InstanceRef;
  /** Set for a create still pending: the token the instance carries if this resource created it. */
  readonly pendingToken?: string;
}

export function pendingCreateId(ref: InstanceRef, token: string): string {
  return `${PENDING_PREFIX}${ref.serviceName}/${ref.serviceInstanceName}:${token}`;
}

export function physicalInstance(physicalId: string | undefined): PhysicalInstance | undefined {
  if (!physicalId) return undefined;
  const ref = parseServiceInstanceArn(physicalId);
  if (ref) return { ref };
  const pending = /^([^/]+)\/([^:]+):([!-~]+)$/.exec(physicalId.startsWith(PENDING_PREFIX) ? physicalId.slice(PENDING_PREFIX.length) : '');
  return pending ? { ref: { serviceName: pending[1], serviceInstanceName: pending[2] }, pendingToken: pending[3] } : undefined;
}

export function sameInstance(a: InstanceRef, b: InstanceRef): boolean {
  return a.serviceName === b.serviceName && a.serviceInstanceName === b.serviceInstanceName;
}
