/**
 * A subset of CloudFormation's intrinsic functions, enough for CDK-synthesized templates.
 * Anything else fails loudly with the place it was found, so an unsupported template never deploys half-right.
 */

/** Marks `{ Ref: 'AWS::NoValue' }`: the enclosing key or list element disappears. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface ResolveContext {
  readonly region: string;
  /** Pseudo parameters and template parameters, by name. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Value of `Ref` to a resource (usually its physical id); throws when not available. */
  ref(logicalId: string): unknown;
  /** Value of `Fn::GetAtt`; throws when not available. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** Whether a named condition holds. */
  condition(name: string): boolean;
  /** Value of an export for `Fn::ImportValue`. */
  importValue?(name: string): unknown;
}

export class IntrinsicError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'IntrinsicError';
  }
}

export function resolveValue(value: unknown, ctx: ResolveContext, where: string): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolveValue(v, ctx, where)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return resolveIntrinsic(keys[0], (value as Record<string, unknown>)[keys[0]], ctx, where);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = resolveValue(v, ctx, where);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

/** Evaluates a template condition expression (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition). */
export function evaluateCondition(expr: unknown, ctx: ResolveContext, where: string): boolean {
  if (typeof expr === 'boolean') return expr;
  if (expr && typeof expr === 'object' && !Array.isArray(expr)) {
    const [key, arg] = Object.entries(expr)[0] ?? [];
    if (key === 'Condition') return ctx.condition(String(arg));
    if (key === 'Fn::Equals' || key === 'Fn::And' || key === 'Fn::Or' || key === 'Fn::Not') {
      return resolveIntrinsic(key, arg, ctx, where) as boolean;
    }
  }
  throw new IntrinsicError(where, `not a condition expression: ${JSON.stringify(expr)}`);
}

function resolveIntrinsic(fn: string, arg: unknown, ctx: ResolveContext, where: string): unknown {
  const sub = (v: unknown) => resolveValue(v, ctx, where);
  switch (fn) {
    case 'Ref': {
      const name = String(arg);
      if (name === 'AWS::NoValue') return NO_VALUE;
      if (name in ctx.parameters) return ctx.parameters[name];
      return ctx.ref(name);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(arg)
        ? [String(arg[0]), String(sub(arg[1]))]
        : splitOnce(String(arg), '.');
      return ctx.getAtt(logicalId, attribute);
    }
    case 'Fn::Join': {
      const [sep, list] = expectArray(arg, 2, fn, where);
      const items = sub(list);
      if (!Array.isArray(items)) throw new IntrinsicError(where, 'Fn::Join needs a list');
      return items.map((i) => scalarToString(i, fn, where)).join(String(sep));
    }
    case 'Fn::Select': {
      const [index, list] = expectArray(arg, 2, fn, where);
      const items = sub(list);
      const i = Number(sub(index));
      if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
        throw new IntrinsicError(where, `Fn::Select index ${i} out of range`);
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [sep, source] = expectArray(arg, 2, fn, where);
      return String(sub(source)).split(String(sep));
    }
    case 'Fn::Sub':
      return resolveSub(arg, ctx, where);
    case 'Fn::If': {
      const [cond, whenTrue, whenFalse] = expectArray(arg, 3, fn, where);
      return ctx.condition(String(cond)) ? sub(whenTrue) : sub(whenFalse);
    }
    case 'Fn::Equals': {
      const [a, b] = expectArray(arg, 2, fn, where);
      return JSON.stringify(sub(a)) === JSON.stringify(sub(b));
    }
    case 'Fn::And':
      return (arg as unknown[]).every((c) => evaluateCondition(c, ctx, where));
    case 'Fn::Or':
      return (arg as unknown[]).some((c) => evaluateCondition(c, ctx, where));
    case 'Fn::Not':
      return !evaluateCondition(expectArray(arg, 1, fn, where)[0], ctx, where);
    case 'Fn::Base64':
      return Buffer.from(String(sub(arg))).toString('base64');
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((z) => `${ctx.region}${z}`);
    case 'Fn::ImportValue': {
      if (!ctx.importValue) throw new IntrinsicError(where, 'Fn::ImportValue is not supported here');
      return ctx.importValue(String(sub(arg)));
    }
    default:
      throw new IntrinsicError(where, `unsupported intrinsic function ${fn}`);
  }
}

function resolveSub(arg: unknown, ctx: ResolveContext, where: string): string {
  const [template, vars] = Array.isArray(arg) ? [String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>] : [String(arg), {}];
  const resolvedVars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) resolvedVars[k] = resolveValue(v, ctx, where);
  // `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
  return template.replace(/\$\{([^}]*)\}/g, (_m, body: string) => {
    if (body.startsWith('!')) return '${' + body.slice(1) + '}';
    const name = body.trim();
    if (name in resolvedVars) return scalarToString(resolvedVars[name], 'Fn::Sub', where);
    if (name in ctx.parameters) return scalarToString(ctx.parameters[name], 'Fn::Sub', where);
    if (name.includes('.')) {
      const [id, attribute] = splitOnce(name, '.');
      return scalarToString(ctx.getAtt(id, attribute), 'Fn::Sub', where);
    }
    return scalarToString(ctx.ref(name), 'Fn::Sub', where);
  });
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function expectArray(arg: unknown, length: number, fn: string, where: string): unknown[] {
  if (!Array.isArray(arg) || arg.length < length) {
    throw new IntrinsicError(where, `${fn} expects a list of ${length} arguments, got ${JSON.stringify(arg)}`);
  }
  return arg;
}

function scalarToString(v: unknown, fn: string, where: string): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new IntrinsicError(where, `${fn} cannot use a non-scalar value ${JSON.stringify(v)}`);
}

/**
 * CloudFormation hands custom resources every scalar as a string (numbers and booleans included);
 * the user handler sees exactly that, so tests catch code that assumes real numbers.
 */
export function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}
