export { firstDenial } from './authorize';
export type { AccessDenial, AuthorizationProblem, Permission } from './authorize';
export { AWS_MANAGED_POLICIES, awsManagedPolicyPath } from './aws-managed-policies';
export { decide } from './decide';
export { CANNOT_EVALUATE, UnsupportedPolicyError } from './errors';
export { evaluate, explain } from './evaluate';
export type { Decision, Evaluation, EvaluationRequest } from './evaluate';
export { accessDeniedMessage, principalArn } from './messages';
export { policiesForRole } from './role-policies';
export type { DeployedResource, RolePolicies } from './role-policies';
export { accessKeyIdOf } from './sigv4';
export type {
  AuthorizationDecision, AuthorizationRequest, Authorizer, PolicyDocument, PolicyStatement, PolicyType,
} from './types';
