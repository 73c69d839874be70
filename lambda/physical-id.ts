import { InstanceRef, parseServiceInstanceArn } from '../src/private/contract';

/**
 * What a resource's physical id says about its instance.
 *
 * Normally the physical id is the instance's ARN. A create that Proton refused because the service was busy
 * returns before anything exists; its physical id then names the instance, the client token of the create that
 * isComplete keeps retrying, and when that create began. A Delete of such an id removes the instance only if this
 * resource created it: it carries that token (or, where Proton records no token, was created after that moment).
 * The ARN of an instance that someone else created in the meantime is never this resource's physical id.
 */

const PENDING_PREFIX = 'cdk-proton:pending-create:';

export interface PhysicalInstance {
  readonly ref: InstanceRef;
  /** Set for a create still pending: the token the instance carries if this resource created it. */
  readonly pendingToken?: string;
  /** Set for a create still pending: when it began (epoch ms). */
  readonly pendingSince?: number;
}

export function pendingCreateId(ref: InstanceRef, token: string, since: number): string {
  return `${PENDING_PREFIX}${ref.serviceName}/${ref.serviceInstanceName}:${token}:${since}`;
}

export function physicalInstance(physicalId: string | undefined): PhysicalInstance | undefined {
  if (!physicalId) return undefined;
  const ref = parseServiceInstanceArn(physicalId);
  if (ref) return { ref };
  const body = physicalId.startsWith(PENDING_PREFIX) ? physicalId.slice(PENDING_PREFIX.length) : '';
  const pending = /^([^/]+)\/([^:]+):([0-9a-f]+)(?::(\d+))?$/.exec(body);
  if (!pending) return undefined;
  const since = pending[4] === undefined ? undefined : Number(pending[4]);
  return { ref: { serviceName: pending[1], serviceInstanceName: pending[2] }, pendingToken: pending[3], pendingSince: since };
}

export function sameInstance(a: InstanceRef, b: InstanceRef): boolean {
  return a.serviceName === b.serviceName && a.serviceInstanceName === b.serviceInstanceName;
}
