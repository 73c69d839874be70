/** Shapes shared by the driver's parts: a CloudFormation template as synthesized, and what the driver reports. */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
}

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, CfnParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
}

export type StackStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED';

/** One line of `describe-stack-events`: the stack itself uses its name as logicalId. */
export interface StackEvent {
  readonly timestamp: Date;
  readonly stackName: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: StackStatus | ResourceStatus;
  readonly reason?: string;
  readonly physicalId?: string;
}

/** The body the Provider framework PUTs to the ResponseURL (cfn-response.js submitResponse). */
export interface CfnResponseBody {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
}

/** The request CloudFormation sends to a custom resource's ServiceToken. */
export interface CfnRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

/** Whether a request is delivered twice (same RequestId): for every request, or for those the function picks. */
export type DuplicatePolicy = boolean | ((request: CfnRequest) => boolean);

export interface OperationOptions {
  readonly duplicateRequests?: DuplicatePolicy;
  /** Template parameter values (otherwise defaults). */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface StackOperationResult {
  readonly stackName: string;
  readonly status: StackStatus;
  /** Events of this operation only, oldest first. */
  readonly events: StackEvent[];
  /** The first failure's reason, when the operation failed. */
  readonly failureReason?: string;
  readonly outputs: Record<string, string>;
  /** True when an update found nothing to change (CloudFormation: "No updates are to be performed"). */
  readonly noChanges?: boolean;
}
