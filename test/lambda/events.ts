import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { IsCompleteRequest, WaitState } from '../../lambda/lifecycle/types';

/** Typed CloudFormation requests for handler tests. */

export const ARN = 'arn:aws:proton:us-east-1:123456789012:service/frontend/service-instance/prod';
export const SPEC = 'environment: prod-env\nspec:\n  port: 80\n';

export const PROPS = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ServiceName: 'frontend',
  ServiceInstanceName: 'prod',
  Spec: SPEC,
  TemplateMajorVersion: '1',
  RemovalPolicy: 'Destroy',
  TimeoutSeconds: '600',
};

const COMMON = {
  ServiceToken: PROPS.ServiceToken,
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Test/11111111-2222-3333-4444-555555555555',
  LogicalResourceId: 'ProdA1B2C3D4',
  ResourceType: 'Custom::ProtonServiceInstance',
};

export function createEvent(props: Record<string, any> = {}, requestId = 'req-create-1'): CloudFormationCustomResourceEvent {
  return { ...COMMON, RequestType: 'Create', RequestId: requestId, ResourceProperties: { ...PROPS, ...props } } as CloudFormationCustomResourceEvent;
}

export function updateEvent(newProps: Record<string, any>, oldProps: Record<string, any> = {}, requestId = 'req-update-1'): CloudFormationCustomResourceEvent & { PhysicalResourceId: string } {
  return {
    ...COMMON,
    RequestType: 'Update',
    RequestId: requestId,
    PhysicalResourceId: ARN,
    ResourceProperties: { ...PROPS, ...newProps },
    OldResourceProperties: { ...PROPS, ...oldProps },
  } as CloudFormationCustomResourceEvent & { PhysicalResourceId: string };
}

export function deleteEvent(props: Record<string, any> = {}, physicalId = ARN, requestId = 'req-delete-1'): CloudFormationCustomResourceEvent & { PhysicalResourceId: string } {
  return { ...COMMON, RequestType: 'Delete', RequestId: requestId, PhysicalResourceId: physicalId, ResourceProperties: { ...PROPS, ...props } } as any;
}

/** The event isComplete receives: the request with onEvent's answer merged in. */
export function completeEvent(event: CloudFormationCustomResourceEvent, state: Partial<WaitState> = {}, physicalId = ARN): IsCompleteRequest {
  return { ...event, PhysicalResourceId: physicalId, ProtonState: { deadline: Date.now() + 600_000, ...state } } as IsCompleteRequest;
}

export function instance(overrides: Record<string, any> = {}) {
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
    ...overrides,
  };
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
