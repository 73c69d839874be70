/**
 * Who calls: every function runs with a session of its execution role (Lambda assumes the role with the function
 * name as the session name), and the waiter state machine with a session of its role. Each session gets its own
 * access key; the local services see only the key a request was signed with, and the authorizer maps it back to
 * the role and evaluates the policies that role has *in the stack's current state* (local/iam does the evaluation).
 */
import { createHash } from 'crypto';
import { AuthorizationDecision, AuthorizationRequest, Authorizer, decide, policiesForRole, principalArn } from '../iam';
import { DeployedResource } from './provider-model';

export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export interface RoleSession {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly credentials: SessionCredentials;
}

/** Where a role lives now: its name and the live resources of its stack (policies that name it among them). */
export interface RoleLocation {
  readonly roleName: string;
  readonly resources: readonly DeployedResource[];
}

export interface IdentitiesOptions {
  readonly accountId: string;
  readonly partition: string;
  /** Finds a role by ARN in the driver's stacks; undefined once it is deleted. */
  readonly findRole: (roleArn: string) => RoleLocation | undefined;
  /** Told about every decision the evaluation could not take (`unsupported`). */
  readonly onProblem: (problem: string) => void;
}

export class Identities {
  private readonly byKey = new Map<string, RoleSession>();
  /** Roles found deployed at least once: one missing now was deleted. */
  private readonly seenRoles = new Set<string>();

  constructor(private readonly options: IdentitiesOptions) {}

  /** The session (and its access key) of `roleArn` for `sessionName`; the same every time it is asked for. */
  public session(roleArn: string, sessionName: string): RoleSession {
    if (this.options.findRole(roleArn)) this.seenRoles.add(roleArn);
    const digest = createHash('sha256').update(`${roleArn}\n${sessionName}`).digest('hex').toUpperCase();
    const accessKeyId = `ASIA${digest.slice(0, 16)}`;
    const known = this.byKey.get(accessKeyId);
    if (known) return known;
    const session: RoleSession = {
      roleArn,
      sessionName,
      credentials: { accessKeyId, secretAccessKey: `local-secret-${digest.slice(16, 56)}`, sessionToken: `local-session-${digest.slice(0, 32)}` },
    };
    this.byKey.set(accessKeyId, session);
    return session;
  }

  /** The caller as AWS names it, for records and messages; undefined for a key no role session owns. */
  public principalOf(accessKeyId: string | undefined): string | undefined {
    const session = accessKeyId === undefined ? undefined : this.byKey.get(accessKeyId);
    return session && principalArn(this.options.accountId, roleNameOf(session.roleArn), session.sessionName, this.options.partition);
  }

  public readonly authorizer: Authorizer = (request: AuthorizationRequest): AuthorizationDecision => {
    const session = request.accessKeyId === undefined ? undefined : this.byKey.get(request.accessKeyId);
    // A key no role session owns is a test's own client: it may do anything.
    if (!session) return { allowed: true, reason: 'unknown-principal' };
    const principal = this.principalOf(request.accessKeyId);
    const role = this.options.findRole(session.roleArn);
    if (!role) {
      // A deleted role's sessions no longer grant anything; a role no stack of the driver ever had (imported by
      // ARN) has policies nobody here knows.
      if (this.seenRoles.has(session.roleArn)) return { allowed: false, reason: 'implicit-deny', principalArn: principal };
      const problem = `the policies of role ${session.roleArn}: it is not a role of the driver's stacks (imported by ARN?)`;
      this.options.onProblem(`${request.action} on ${request.resource} for ${principal}: ${problem}`);
      return { allowed: false, reason: 'unsupported', principalArn: principal, problem };
    }
    this.seenRoles.add(session.roleArn);
    const decision = decide(request, principal!, () => policiesForRole(role.resources, role.roleName));
    if (decision.reason === 'unsupported') this.options.onProblem(`${request.action} on ${request.resource} for ${principal}: ${decision.problem}`);
    return decision;
  };
}

/** `arn:aws:iam::123456789012:role/path/Name` → `Name`. */
function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}
