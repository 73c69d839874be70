import { Input } from './operations/types';
import { ProtonState } from './state/store';
import { Permission } from '../iam/authorize';

/**
 * The IAM permissions each Proton operation needs (Service Authorization Reference, see ../shared/docs/proton-api.md
 * "ARN and IAM"): the action shares the operation's name; the resource is the ARN the operation acts on, or `*` for
 * the List operations without resource-level permissions. Read from validated input, so every name is well formed.
 */
type PermissionRule = (input: Input, state: ProtonState) => Permission[];

const SERVICE_PREFIX = 'proton';
const actionOf = (operation: string) => `${SERVICE_PREFIX}:${operation}`;

/** On the service instance the input names (its instance-name member differs between operations). */
const onInstance = (operation: string, nameMember: 'name' | 'serviceInstanceName'): PermissionRule =>
  (input, state) => [{ action: actionOf(operation), resource: state.instanceArn(input.serviceName, input[nameMember]) }];

const onService = (operation: string): PermissionRule =>
  (input, state) => [{ action: actionOf(operation), resource: state.serviceArn(input.name) }];

const onResourceArn = (operation: string): PermissionRule =>
  (input) => [{ action: actionOf(operation), resource: input.resourceArn }];

const onAnyResource = (operation: string): PermissionRule =>
  () => [{ action: actionOf(operation), resource: '*' }];

export const REQUIRED_PERMISSIONS: Readonly<Record<string, PermissionRule>> = {
  // Creating with tags also tags the new instance: the authorization reference maps proton:TagResource to it.
  CreateServiceInstance: (input, state) => {
    const [create] = onInstance('CreateServiceInstance', 'name')(input, state);
    return (input.tags ?? []).length > 0 ? [create, { action: actionOf('TagResource'), resource: create.resource }] : [create];
  },
  GetServiceInstance: onInstance('GetServiceInstance', 'name'),
  UpdateServiceInstance: onInstance('UpdateServiceInstance', 'name'),
  CancelServiceInstanceDeployment: onInstance('CancelServiceInstanceDeployment', 'serviceInstanceName'),
  ListServiceInstanceOutputs: onInstance('ListServiceInstanceOutputs', 'serviceInstanceName'),
  ListServiceInstances: onAnyResource('ListServiceInstances'),
  CreateService: onService('CreateService'),
  GetService: onService('GetService'),
  UpdateService: onService('UpdateService'),
  DeleteService: onService('DeleteService'),
  TagResource: onResourceArn('TagResource'),
  UntagResource: onResourceArn('UntagResource'),
  ListTagsForResource: onResourceArn('ListTagsForResource'),
};

/** What the call needs, in the order AWS checks it (the operation's own action first). */
export function requiredPermissions(operation: string, input: Input, state: ProtonState): Permission[] {
  const rule = REQUIRED_PERMISSIONS[operation];
  // Every served operation has a rule (a test checks); a missing one is an emulator bug, not an open door.
  if (!rule) throw new Error(`no IAM permissions are defined for ${operation}`);
  return rule(input, state);
}
