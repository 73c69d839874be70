export * from './types';
export { readAssembly, findStack } from './assembly';
export type { CloudAssembly, AssemblyStack } from './assembly';
export { resolveValue, stringifyScalars, IntrinsicError, NO_VALUE } from './intrinsics';
export type { ResolveContext } from './intrinsics';
export { topologicalOrder } from './graph';
export { VirtualClock } from './clock';
export type { VirtualClockOptions } from './clock';
export * from './limits';
export { LocalLambdaRuntime } from './lambda-runtime';
export type { LambdaFunctionSpec, LambdaErrorPayload, RunOutcome } from './lambda-runtime';
export type { InvocationRecord, InvokeResponse } from './local-lambda';
export type { ExecutionRecord, ExecutionStatus } from './local-step-functions';
export type { LogLine, LogLevel, LoggingSettings } from './logs';
export type { ResponseRecord } from './response-urls';
export type { WaiterPolicy, ProviderTarget } from './provider-model';
export { describeCustomResources } from './describe';
export type { CustomResourceDescription, DescribeOptions } from './describe';
export { CloudFormationDriver } from './driver';
export { UnsupportedServiceTokenError } from './provider-model';
export type { CloudFormationDriverOptions } from './driver';

/** The physical id aws-cdk-lib's Provider framework (cfn-response.js) answers a failed Create with; its Delete is then ignored. */
export const CREATE_FAILED_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
