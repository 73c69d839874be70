import { isDeepStrictEqual } from 'util';
import { DeploymentUpdateType } from '@aws-sdk/client-proton';
import { parse } from 'yaml';
import type { UpdateInstanceInput, ServiceInstance } from '../proton';
import type { InstanceRef } from './types';

/**
 * The deployment that takes an instance from what it is (GetServiceInstance) to what the template asks for.
 * Deciding from the instance's real state rather than from the old and new properties keeps a retried, deferred
 * or rolled-back request right: pinning the major version an instance already runs deploys nothing, and an
 * instance that already has the desired spec is not redeployed — unless its last deployment failed or was
 * cancelled: Proton is as the template says only once the template's spec has deployed.
 */

/** What the template asks for. */
export interface DesiredInstance {
  readonly spec: string;
  readonly templateMajorVersion?: string;
  readonly templateMinorVersion?: string;
}

export type DeploymentPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'deploy'; readonly input: Omit<UpdateInstanceInput, 'clientToken'> }
  /** Proton deploys only higher major versions: the template asks for a lower one than the instance runs. */
  | { readonly kind: 'downgrade'; readonly from: string; readonly to: string };

/** The fields of Proton's answer a plan reads. */
export type PlannedInstance = Pick<ServiceInstance, 'spec' | 'templateMajorVersion' | 'templateMinorVersion'> & Partial<Pick<ServiceInstance, 'deploymentStatus'>>;

/** Statuses after which the instance's spec is not what runs: deploying it again is a change. */
const UNDEPLOYED = new Set(['FAILED', 'CANCELLED']);

/** The deployment that brings the instance to the template's spec and versions, and to a successful deployment. */
export function planDeployment(ref: InstanceRef, desired: DesiredInstance, instance: PlannedInstance): DeploymentPlan {
  const plan = planConfiguration(ref, desired, instance);
  if (plan.kind === 'none' && UNDEPLOYED.has(instance.deploymentStatus ?? '')) {
    return { kind: 'deploy', input: { serviceName: ref.serviceName, name: ref.serviceInstanceName, spec: desired.spec, deploymentType: DeploymentUpdateType.CURRENT_VERSION } };
  }
  return plan;
}

/** The deployment that brings the instance's spec and versions to the template's, whatever its last deployment did. */
export function planConfiguration(ref: InstanceRef, desired: DesiredInstance, instance: PlannedInstance): DeploymentPlan {
  const base = { serviceName: ref.serviceName, name: ref.serviceInstanceName };
  const spec = sameSpec(desired.spec, instance.spec) ? {} : { spec: desired.spec };
  const major = desired.templateMajorVersion;
  const minor = desired.templateMinorVersion;
  const runningMajor = instance.templateMajorVersion;
  if (major !== undefined && runningMajor !== undefined) {
    const order = compareVersions(major, runningMajor);
    if (order < 0) return { kind: 'downgrade', from: runningMajor, to: major };
    if (order > 0) {
      const versions = { templateMajorVersion: major, templateMinorVersion: minor };
      return { kind: 'deploy', input: { ...base, ...spec, deploymentType: DeploymentUpdateType.MAJOR_VERSION, ...versions } };
    }
  }
  if (minor !== undefined && minor !== instance.templateMinorVersion) {
    const versions = { templateMajorVersion: runningMajor ?? major, templateMinorVersion: minor };
    return { kind: 'deploy', input: { ...base, ...spec, deploymentType: DeploymentUpdateType.MINOR_VERSION, ...versions } };
  }
  if (spec.spec !== undefined) {
    return { kind: 'deploy', input: { ...base, ...spec, deploymentType: DeploymentUpdateType.CURRENT_VERSION } };
  }
  return { kind: 'none' };
}

/** Two specs are the same when their text is, or when they parse to the same YAML (Proton may re-render it). */
export function sameSpec(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  if (a === b) return true;
  try {
    return isDeepStrictEqual(parse(a), parse(b));
  } catch {
    return false;
  }
}

/** Orders version numbers (whole numbers without leading zeros, of any length). */
export function compareVersions(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
