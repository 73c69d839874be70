import { UnsupportedPolicyError } from './errors';
import { accessDeniedMessage } from './messages';
import { AuthorizationDecision, Authorizer, PolicyType } from './types';

/** One IAM permission a call needs: `proton:TagResource` on the instance's ARN. */
export interface Permission {
  readonly action: string;
  readonly resource: string;
}

/** Why a service refused a call: the first permission the authorizer did not grant, and the message to answer. */
export interface AccessDenial extends Permission {
  readonly reason: Exclude<AuthorizationDecision['reason'], 'allowed' | 'unknown-principal'>;
  readonly principalArn?: string;
  /** For a denial by policy: which policy type denied (absent: identity-based policy). */
  readonly deniedBy?: PolicyType;
  /** For `unsupported`: what the local evaluation could not decide. */
  readonly problem?: string;
  /** The error message the service answers with. */
  readonly message: string;
}

/** An `unsupported` denial as a service keeps it, so that a test can fail on it even when the caller swallowed the error. */
export interface AuthorizationProblem extends AccessDenial {
  /** Epoch milliseconds of the call. */
  readonly at: number;
  /** The service's operation, e.g. `GetServiceInstance` or `DescribeStacks`. */
  readonly operation: string;
}

const DENIALS = new Set<string>(['explicit-deny', 'implicit-deny', 'unsupported']);

/** The authorizer's answer; a throw, or a denial without a denial reason, is a problem the test must see. */
function ask(authorizer: Authorizer, accessKeyId: string | undefined, permission: Permission): AuthorizationDecision {
  let decision: AuthorizationDecision;
  try {
    decision = authorizer({ accessKeyId, action: permission.action, resource: permission.resource });
  } catch (err) {
    const problem = err instanceof UnsupportedPolicyError ? err.problem : `the call: the authorizer threw ${(err as Error).message}`;
    return { allowed: false, reason: 'unsupported', problem };
  }
  if (!decision.allowed && !DENIALS.has(decision.reason)) {
    return { ...decision, reason: 'unsupported', problem: `the call: the authorizer denied it with reason ${decision.reason}` };
  }
  return decision;
}

/**
 * What every local service does before it acts: each permission the call needs, in order, through the authorizer;
 * the first one not granted denies the call. No authorizer: everything is allowed.
 */
export function firstDenial(
  authorizer: Authorizer | undefined,
  accessKeyId: string | undefined,
  permissions: readonly Permission[],
): AccessDenial | undefined {
  if (!authorizer) return undefined;
  for (const permission of permissions) {
    const decision = ask(authorizer, accessKeyId, permission);
    if (decision.allowed) continue;
    return {
      ...permission,
      reason: decision.reason as AccessDenial['reason'],
      ...(decision.principalArn !== undefined ? { principalArn: decision.principalArn } : {}),
      ...(decision.deniedBy !== undefined ? { deniedBy: decision.deniedBy } : {}),
      ...(decision.problem !== undefined ? { problem: decision.problem } : {}),
      message: accessDeniedMessage(permission, decision),
    };
  }
  return undefined;
}
