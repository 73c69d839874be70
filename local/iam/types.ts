/**
 * The contract between the local AWS services (the Proton emulator, the local CloudFormation API, the driver's
 * Lambda and Step Functions) and the IAM evaluation that decides whether a caller may make a call.
 *
 * The driver knows who each caller is (every function's role gets its own access key) and which policies that
 * role has in the stack's current state; the services only know the access key a request was signed with, the
 * IAM action and the resource ARN. An `Authorizer` joins the two.
 */

/** One IAM policy document, as it appears (resolved) in a template. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, unknown>;
  readonly Principal?: unknown;
}

/** A call to authorize: who signed it, the IAM action (`proton:GetServiceInstance`) and the resource ARN. */
export interface AuthorizationRequest {
  /** The access key id from the request's SigV4 `Authorization` header; undefined when unsigned. */
  readonly accessKeyId?: string;
  readonly action: string;
  readonly resource: string;
}

export interface AuthorizationDecision {
  readonly allowed: boolean;
  /**
   * - `allowed`: an identity policy allows it (and the permissions boundary, if any, too)
   * - `explicit-deny`: a Deny statement matched
   * - `implicit-deny`: nothing allows it (or the boundary does not)
   * - `unknown-principal`: the access key belongs to no role the authorizer knows (a test's own client): allowed
   * - `unsupported`: the policies hold something the local evaluation cannot decide (a Condition, an unknown
   *   managed policy); refused, and `problem` says what, so the test fails loudly rather than passing by accident
   */
  readonly reason: 'allowed' | 'explicit-deny' | 'implicit-deny' | 'unknown-principal' | 'unsupported';
  /** The caller as AWS names it in a denial: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly principalArn?: string;
  /** For `unsupported`: what could not be evaluated. */
  readonly problem?: string;
  /**
   * For `explicit-deny` and `implicit-deny`: which policy type denied, as AWS names it in the message. Absent means
   * `identity-based policy`; `permissions boundary` when the identity policies allow but the boundary does not (or a
   * Deny in the boundary matched).
   */
  readonly deniedBy?: PolicyType;
}

/** The policy types this evaluation knows, spelled as AWS spells them in access-denied messages. */
export type PolicyType = 'identity-based policy' | 'permissions boundary';

export type Authorizer = (request: AuthorizationRequest) => AuthorizationDecision;
