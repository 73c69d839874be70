import { CANNOT_EVALUATE } from './errors';
import { AuthorizationDecision, PolicyType } from './types';

/**
 * The caller as AWS names it in a denial when a Lambda function runs with its execution role: Lambda assumes the
 * role with the function's name as the session name.
 */
export function principalArn(account: string, roleName: string, functionName: string, partition = 'aws'): string {
  return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${functionName}`;
}

const ARTICLE: Record<PolicyType, string> = {
  'identity-based policy': 'an',
  'permissions boundary': 'a',
};

/**
 * The message AWS services give for a denied call (IAM's "enhanced" access-denied messages), the same for Proton's
 * AccessDeniedException and CloudFormation's AccessDenied:
 *   User: <principal> is not authorized to perform: <action> on resource: <resource> because no identity-based policy allows the <action> action
 *   User: <principal> is not authorized to perform: <action> on resource: <resource> with an explicit deny in an identity-based policy
 *   User: <principal> is not authorized to perform: <action> on resource: <resource> because no permissions boundary allows the <action> action
 * An `unsupported` decision gets `Local IAM cannot evaluate <problem>` instead, so no test mistakes it for a policy
 * it wrote.
 */
export function accessDeniedMessage(request: { readonly action: string; readonly resource: string }, decision: AuthorizationDecision): string {
  const { action, resource } = request;
  const principal = decision.principalArn ?? 'an unknown principal';
  switch (decision.reason) {
    case 'unsupported': {
      const problem = decision.problem ?? 'the policies (the authorizer gave no reason)';
      const text = problem.startsWith(CANNOT_EVALUATE) ? problem : `${CANNOT_EVALUATE} ${problem}`;
      return `${text} (deciding ${action} on ${resource} for ${principal})`;
    }
    case 'explicit-deny': {
      const type = decision.deniedBy ?? 'identity-based policy';
      return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in ${ARTICLE[type]} ${type}`;
    }
    case 'implicit-deny': {
      const type = decision.deniedBy ?? 'identity-based policy';
      return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no ${type} allows the ${action} action`;
    }
    default:
      throw new Error(`accessDeniedMessage: decision ${decision.reason} is not a denial`);
  }
}
