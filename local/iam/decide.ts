import { UnsupportedPolicyError } from './errors';
import { EvaluationRequest, explain } from './evaluate';
import { RolePolicies } from './role-policies';
import { AuthorizationDecision } from './types';

/**
 * The evaluation turned into the decision an Authorizer returns, for a caller whose policies are known. `policies`
 * may be a function, so that a refusal while gathering them (an unknown managed policy) becomes `unsupported` too.
 * Other errors are bugs and propagate.
 */
export function decide(request: EvaluationRequest, principal: string, policies: RolePolicies | (() => RolePolicies)): AuthorizationDecision {
  try {
    const { identity, boundary } = typeof policies === 'function' ? policies() : policies;
    const { decision, deniedBy } = explain(request, identity, boundary);
    switch (decision) {
      case 'Allow': return { allowed: true, reason: 'allowed', principalArn: principal };
      case 'ExplicitDeny': return { allowed: false, reason: 'explicit-deny', principalArn: principal, deniedBy };
      case 'ImplicitDeny': return { allowed: false, reason: 'implicit-deny', principalArn: principal, deniedBy };
    }
  } catch (err) {
    if (err instanceof UnsupportedPolicyError) return { allowed: false, reason: 'unsupported', principalArn: principal, problem: err.problem };
    throw err;
  }
}
