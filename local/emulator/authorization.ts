import { Input } from './operations/types';
import { requiredPermissions } from './permissions';
import { ProtonState } from './state/store';
import { AccessDenial, AuthorizationProblem, firstDenial } from '../iam/authorize';
import { Authorizer } from '../iam/types';

/**
 * The emulator's IAM check: the permissions a call needs, through the authorizer the wire harness or driver sets.
 * Calls the local evaluation cannot decide are kept in `problems`, so a test fails on them even when the handler
 * under test caught the AccessDeniedException.
 */
export class ProtonAuthorization {
  public readonly problems: AuthorizationProblem[] = [];

  constructor(public authorizer: Authorizer | undefined) {}

  public check(operation: string, input: Input, state: ProtonState, accessKeyId: string | undefined, at: number): AccessDenial | undefined {
    if (!this.authorizer) return undefined;
    const denial = firstDenial(this.authorizer, accessKeyId, requiredPermissions(operation, input, state));
    if (denial?.reason === 'unsupported') this.problems.push({ ...denial, at, operation });
    return denial;
  }
}
