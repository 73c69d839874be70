import type { Service, ServiceInstance } from '@aws-sdk/client-proton';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { IsCompleteRequest, OnEventResponse, WaitState } from '../../lambda/lifecycle/types';

/** Typed CloudFormation requests, Proton answers and the event isComplete receives, for the handler tests. */

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Test/11111111-2222-3333-4444-555555555555';
/** The id of another stack: a parent of the handler's (nested) stack, or a stack elsewhere. */
export const stackIdOf = (name: string, uuid = '99999999-8888-7777-6666-555555555555') => `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/${uuid}`;
export const LOGICAL_ID = 'ProdA1B2C3D4';
export const ARN = 'arn:aws:proton:us-east-1:123456789012:service/frontend/service-instance/prod';
export const SERVICE_ARN = 'arn:aws:proton:us-east-1:123456789012:service/frontend';
export const SPEC = 'environment: prod-env\nspec:\n  port: 80\n';
/** The spec an update changes SPEC to. */
export const NEW_SPEC = 'environment: prod-env\nspec:\n  port: 8080\n';
/** The instance ARN of another name in the same service. */
export const arnOf = (name: string, serviceName = 'frontend') => `arn:aws:proton:us-east-1:123456789012:service/${serviceName}/service-instance/${name}`;

/** Resource properties as CloudFormation delivers them: every scalar a string. */
export type Props = Record<string, unknown>;

export const PROPS = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ServiceName: 'frontend',
  ServiceInstanceName: 'prod',
  Spec: SPEC,
  TemplateMajorVersion: '1',
  RemovalPolicy: 'Destroy',
  TimeoutSeconds: '600',
};

/** A pre-signed S3 URL as long as CloudFormation's real ones: it travels in every event. */
export const RESPONSE_URL =
  'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/' +
  encodeURIComponent(`${STACK_ID}|${LOGICAL_ID}|f2b3b5a1-0000-4000-8000-000000000000`) +
  `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261127T100000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=7200&X-Amz-Credential=${'A'.repeat(20)}` +
  `%2F20261127%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=${'T'.repeat(800)}&X-Amz-Signature=${'f'.repeat(64)}`;

const COMMON = {
  ServiceToken: PROPS.ServiceToken,
  ResponseURL: RESPONSE_URL,
  StackId: STACK_ID,
  LogicalResourceId: LOGICAL_ID,
  ResourceType: 'Custom::ProtonServiceInstance',
};

export type UpdateEvent = CloudFormationCustomResourceUpdateEvent;
export type DeleteEvent = CloudFormationCustomResourceDeleteEvent;

export function createEvent(props: Props = {}, requestId = 'req-create-1'): CloudFormationCustomResourceCreateEvent {
  return { ...COMMON, RequestType: 'Create', RequestId: requestId, ResourceProperties: { ...PROPS, ...props } };
}

export function updateEvent(newProps: Props, oldProps: Props = {}, requestId = 'req-update-1', physicalId = ARN): UpdateEvent {
  return {
    ...COMMON,
    RequestType: 'Update',
    RequestId: requestId,
    PhysicalResourceId: physicalId,
    ResourceProperties: { ...PROPS, ...newProps },
    OldResourceProperties: { ...PROPS, ...oldProps },
  };
}

export function deleteEvent(props: Props = {}, physicalId = ARN, requestId = 'req-delete-1'): DeleteEvent {
  return { ...COMMON, RequestType: 'Delete', RequestId: requestId, PhysicalResourceId: physicalId, ResourceProperties: { ...PROPS, ...props } };
}

/**
 * The event isComplete receives, as the Provider framework builds it (framework.js createResponseEvent): the
 * request with onEvent's answer merged over it.
 */
export function waiterEvent(request: CloudFormationCustomResourceEvent, answer: OnEventResponse): IsCompleteRequest {
  // The spread's type loses which request type it was; the value is exactly what the framework builds.
  return { ...request, ...answer, PhysicalResourceId: answer.PhysicalResourceId } as IsCompleteRequest;
}

/** An isComplete event built from a wait state directly (deadline ten minutes ahead unless given). */
export function completeEvent(event: CloudFormationCustomResourceEvent, state: Partial<WaitState> = {}, physicalId = ARN): IsCompleteRequest {
  return waiterEvent(event, { PhysicalResourceId: physicalId, ProtonState: { deadline: Date.now() + 600_000, ...state } });
}

/** GetServiceInstance's answer for the instance 'prod' of service 'frontend', running major version 1 with SPEC. */
export function instance(overrides: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    arn: ARN,
    name: 'prod',
    serviceName: 'frontend',
    environmentName: 'prod-env',
    templateName: 'fargate-service',
    templateMajorVersion: '1',
    templateMinorVersion: '0',
    createdAt: new Date('2026-11-27T10:00:00Z'),
    lastDeploymentAttemptedAt: new Date('2026-11-27T10:00:00Z'),
    lastDeploymentSucceededAt: new Date('2026-11-27T10:00:00Z'),
    deploymentStatus: 'IN_PROGRESS',
    lastAttemptedDeploymentId: 'dep-1',
    spec: SPEC,
    ...overrides,
  };
}

/** An instance that has deployed successfully. */
export function succeeded(overrides: Partial<ServiceInstance> = {}): ServiceInstance {
  return instance({ deploymentStatus: 'SUCCEEDED', lastSucceededDeploymentId: 'dep-1', ...overrides });
}

export const SERVICE_SPEC = [
  'proton: ServiceSpec',
  '# the pipeline stays as written',
  'pipeline:',
  '  unit_test_command: "npm test"',
  'instances:',
  '  - name: prod',
  '    environment: prod-env',
  '    spec:',
  '      port: 80',
  '  - name: staging   # keep this comment',
  '    environment: staging-env',
  '    spec:',
  "      port: '8080'",
  '',
].join('\n');

/** GetService's answer for service 'frontend', ACTIVE with the instances prod and staging. */
export function service(overrides: Partial<Service> = {}): Service {
  return {
    name: 'frontend',
    arn: SERVICE_ARN,
    templateName: 'fargate-service',
    createdAt: new Date('2026-11-01T10:00:00Z'),
    lastModifiedAt: new Date('2026-11-27T10:00:00Z'),
    status: 'ACTIVE',
    spec: SERVICE_SPEC,
    ...overrides,
  };
}
