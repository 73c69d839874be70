import { UnsupportedPolicyError } from './errors';
import { parsePolicy, ParsedStatement } from './policy';
import { PolicyDocument, PolicyType } from './types';
import { actionMatches, resourceMatches } from './wildcard';

/**
 * AWS's evaluation logic for a request inside one account, reduced to the policy types a Lambda role has:
 * identity-based policies and, optionally, a permissions boundary. (No resource-based policy, SCP or session policy
 * takes part in the calls this project makes.)
 *
 *   1. an explicit Deny in any applicable statement of any of them denies;
 *   2. otherwise an identity-based policy must allow it;
 *   3. and, when the role has a permissions boundary, the boundary must allow it too.
 */

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface EvaluationRequest {
  /** `service:Action`, e.g. `proton:GetServiceInstance`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
}

export interface Evaluation {
  readonly decision: Decision;
  /** For a denial: the policy type AWS names in the message. */
  readonly deniedBy?: PolicyType;
}

const IDENTITY: PolicyType = 'identity-based policy';
const BOUNDARY: PolicyType = 'permissions boundary';

function applies(statement: ParsedStatement, request: EvaluationRequest): boolean {
  const actionHit = statement.actions.patterns.some((p) => actionMatches(p, request.action));
  const resourceHit = statement.resources.patterns.some((p) => resourceMatches(p, request.resource));
  return actionHit !== statement.actions.negated && resourceHit !== statement.resources.negated;
}

/** The statements of every document of one policy type that apply to the request. */
function applicable(documents: readonly PolicyDocument[], type: PolicyType, request: EvaluationRequest): ParsedStatement[] {
  return documents.flatMap((doc, i) => parsePolicy(doc, `${type} ${i + 1}`)).filter((s) => applies(s, request));
}

/** The decision if every applicable conditional statement's Condition held (`true`) or none did (`false`). */
function decideAssuming(identity: ParsedStatement[], boundary: ParsedStatement[] | undefined, conditionsHold: boolean): Evaluation {
  const counts = (s: ParsedStatement) => s.conditionOperators === undefined || conditionsHold;
  const has = (list: ParsedStatement[] | undefined, effect: 'Allow' | 'Deny') => (list ?? []).some((s) => s.effect === effect && counts(s));
  if (has(identity, 'Deny')) return { decision: 'ExplicitDeny', deniedBy: IDENTITY };
  if (has(boundary, 'Deny')) return { decision: 'ExplicitDeny', deniedBy: BOUNDARY };
  if (!has(identity, 'Allow')) return { decision: 'ImplicitDeny', deniedBy: IDENTITY };
  if (boundary && !has(boundary, 'Allow')) return { decision: 'ImplicitDeny', deniedBy: BOUNDARY };
  return { decision: 'Allow' };
}

/**
 * The decision and, for a denial, which policy type denied. Throws UnsupportedPolicyError when the documents hold
 * something it cannot read, or when a Condition on an applicable statement could change the answer: the decision is
 * taken once as if every such Condition held and once as if none did, and when the two differ it refuses. (The
 * decision is monotone in each statement's Condition, so equal extremes mean every combination agrees; a Condition
 * on a statement whose Action and Resource do not match the request cannot matter and is ignored.)
 */
export function explain(request: EvaluationRequest, identity: readonly PolicyDocument[], boundary?: readonly PolicyDocument[]): Evaluation {
  if (request.action.split(':').length !== 2) {
    throw new Error(`evaluate: the request's action must be <service>:<Action>, got ${JSON.stringify(request.action)}`);
  }
  const fromIdentity = applicable(identity, IDENTITY, request);
  const fromBoundary = boundary && applicable(boundary, BOUNDARY, request);
  const ifHeld = decideAssuming(fromIdentity, fromBoundary, true);
  const ifNot = decideAssuming(fromIdentity, fromBoundary, false);
  if (ifHeld.decision !== ifNot.decision || ifHeld.deniedBy !== ifNot.deniedBy) {
    const conditional = [...fromIdentity, ...(fromBoundary ?? [])].filter((s) => s.conditionOperators !== undefined);
    const which = conditional.map((s) => `the Condition (${s.conditionOperators!.join(', ') || 'no operators'}) of ${s.label}`).join('; ');
    const [it, holds] = conditional.length === 1 ? ['it', 'it holds'] : ['them', 'they hold'];
    throw new UnsupportedPolicyError(
      `${which}: whether ${request.action} on ${request.resource} is allowed depends on ${it} (${ifHeld.decision} if ${holds}, ${ifNot.decision} if not)`,
    );
  }
  return ifHeld;
}

/** `Allow`, `ExplicitDeny` or `ImplicitDeny` for the request; see `explain`. */
export function evaluate(request: EvaluationRequest, identity: readonly PolicyDocument[], boundary?: readonly PolicyDocument[]): Decision {
  return explain(request, identity, boundary).decision;
}
