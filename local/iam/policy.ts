import { UnsupportedPolicyError } from './errors';
import { PolicyDocument } from './types';
import { arnSegments } from './wildcard';

/**
 * Reads an identity-based policy document as CloudFormation hands it over (resolved: strings, a single statement
 * object or a list, a single action or a list) into statements the evaluation can match. Everything the evaluation
 * would otherwise have to guess about is refused here, naming the policy and statement.
 */

/** One statement, its lists normalised; `conditionOperators` is set when it carries a Condition. */
export interface ParsedStatement {
  /** e.g. `statement 2 (Sid "Read") of identity-based policy 1`, for messages. */
  readonly label: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: { readonly negated: boolean; readonly patterns: readonly string[] };
  readonly resources: { readonly negated: boolean; readonly patterns: readonly string[] };
  readonly conditionOperators?: readonly string[];
}

/** The IAM policy language versions; only 2012-10-17 substitutes policy variables (`${aws:username}`). */
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

/** A string, or a non-empty list of strings; anything else (an unresolved `{"Ref": ...}`) is refused. */
function stringList(value: unknown, element: string, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new UnsupportedPolicyError(`${where}: its ${element} is an empty list, which matches nothing and IAM rejects`);
  for (const item of list) {
    if (typeof item !== 'string') {
      throw new UnsupportedPolicyError(`${where}: its ${element} holds ${show(item)}, not a string (an intrinsic function left unresolved?)`);
    }
  }
  return list as string[];
}

/** Exactly one of `name` / `Not<name>` must be present, as IAM requires of Action and Resource. */
function oneOf(statement: Record<string, unknown>, name: 'Action' | 'Resource', where: string): { negated: boolean; value: unknown } {
  const plain = statement[name];
  const not = statement[`Not${name}`];
  if (plain !== undefined && not !== undefined) throw new UnsupportedPolicyError(`${where}: it has both ${name} and Not${name}`);
  if (plain === undefined && not === undefined) throw new UnsupportedPolicyError(`${where}: it has neither ${name} nor Not${name}`);
  return plain !== undefined ? { negated: false, value: plain } : { negated: true, value: not };
}

function checkAction(pattern: string, where: string): void {
  // IAM rejects an action without its service prefix ("Actions/Conditions must be prefaced by a vendor").
  if (pattern !== '*' && pattern.split(':').length !== 2) {
    throw new UnsupportedPolicyError(`${where}: action ${show(pattern)} is not of the form <service>:<action>`);
  }
}

function checkResource(pattern: string, version: string | undefined, where: string): void {
  if (pattern !== '*' && !arnSegments(pattern)) {
    throw new UnsupportedPolicyError(`${where}: resource ${show(pattern)} is neither "*" nor an ARN (arn:partition:service:region:account:resource)`);
  }
  if (version === '2012-10-17' && pattern.includes('${')) {
    throw new UnsupportedPolicyError(`${where}: resource ${show(pattern)} uses a policy variable, whose value depends on the request context`);
  }
}

function parseStatement(raw: unknown, version: string | undefined, where: string): ParsedStatement {
  if (!isObject(raw)) throw new UnsupportedPolicyError(`${where}: it is ${show(raw)}, not an object`);
  for (const key of Object.keys(raw)) {
    if (key === 'Principal' || key === 'NotPrincipal') {
      throw new UnsupportedPolicyError(`${where}: it has ${key}, which an identity-based policy cannot have (IAM rejects the document)`);
    }
    if (!STATEMENT_ELEMENTS.has(key)) throw new UnsupportedPolicyError(`${where}: it has the unknown element ${show(key)}`);
  }
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw new UnsupportedPolicyError(`${where}: its Effect is ${show(effect)}, not "Allow" or "Deny"`);

  const action = oneOf(raw, 'Action', where);
  const actions = stringList(action.value, action.negated ? 'NotAction' : 'Action', where);
  actions.forEach((p) => checkAction(p, where));
  const resource = oneOf(raw, 'Resource', where);
  const resources = stringList(resource.value, resource.negated ? 'NotResource' : 'Resource', where);
  resources.forEach((p) => checkResource(p, version, where));

  let conditionOperators: string[] | undefined;
  if (raw.Condition !== undefined) {
    if (!isObject(raw.Condition)) throw new UnsupportedPolicyError(`${where}: its Condition is ${show(raw.Condition)}, not an object`);
    conditionOperators = Object.keys(raw.Condition);
  }
  return {
    label: where,
    effect,
    actions: { negated: action.negated, patterns: actions },
    resources: { negated: resource.negated, patterns: resources },
    ...(conditionOperators ? { conditionOperators } : {}),
  };
}

/**
 * `label` names the document in messages, e.g. `identity-based policy 2`. CloudFormation takes a PolicyDocument as
 * a JSON object or as a string holding one, so a string is parsed.
 */
export function parsePolicy(given: PolicyDocument | string | unknown, label: string): ParsedStatement[] {
  let document = given;
  if (typeof given === 'string') {
    try {
      document = JSON.parse(given);
    } catch (err) {
      throw new UnsupportedPolicyError(`${label}: the document is a string that is not JSON (${(err as Error).message})`);
    }
  }
  if (!isObject(document)) throw new UnsupportedPolicyError(`${label}: the document is ${show(document)}, not an object`);
  for (const key of Object.keys(document)) {
    if (!DOCUMENT_ELEMENTS.has(key)) throw new UnsupportedPolicyError(`${label}: the document has the unknown element ${show(key)}`);
  }
  const version = document.Version;
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    throw new UnsupportedPolicyError(`${label}: Version ${show(version)} is not a policy language version (2012-10-17 or 2008-10-17)`);
  }
  const raw = document.Statement;
  if (raw === undefined) throw new UnsupportedPolicyError(`${label}: the document has no Statement`);
  const statements = Array.isArray(raw) ? raw : [raw];
  return statements.map((s, i) => {
    const sid = isObject(s) && typeof s.Sid === 'string' ? ` (Sid ${JSON.stringify(s.Sid)})` : '';
    return parseStatement(s, version, `statement ${i + 1}${sid} of ${label}`);
  });
}
