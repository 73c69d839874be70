import { validation } from './errors';
import { loadModel, ProtonModel, ShapeDef } from './model';

/** Per-shape replacements, for the few places where the emulator knowingly departs from the model. */
export type ShapeOverrides = Record<string, Partial<ShapeDef>>;

/**
 * Checks request bodies against the botocore model, the way the service's front end does:
 * every violation is listed in one ValidationException, each naming the member path
 * (Coral style: `tags.2.member.key`) and the constraint it broke.
 */
export class RequestValidator {
  /** Requests that went through validation, whatever the outcome. */
  public validatedCount = 0;
  private readonly model: ProtonModel;
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly overrides: ShapeOverrides = {}, model?: ProtonModel) {
    this.model = model ?? loadModel();
  }

  /** Returns the list of violations (empty when valid); does not count. */
  public violations(operation: string, input: unknown): string[] {
    const op = this.model.operations[operation];
    if (!op) throw new Error(`operation ${operation} is not in the model`);
    const problems: string[] = [];
    this.check(op.input, input ?? {}, '', problems);
    return problems;
  }

  /** Throws ValidationException when the input breaks the model. */
  public validate(operation: string, input: unknown): void {
    this.validatedCount++;
    const problems = this.violations(operation, input);
    if (problems.length > 0) {
      const count = problems.length === 1 ? '1 validation error detected' : `${problems.length} validation errors detected`;
      throw validation(`${count}: ${problems.join('; ')}`);
    }
  }

  public shape(name: string): ShapeDef {
    const base = this.model.shapes[name];
    if (!base) throw new Error(`shape ${name} is not in the extracted model`);
    const override = this.overrides[name];
    return override ? { ...base, ...override } : base;
  }

  private check(shapeName: string, value: unknown, path: string, problems: string[]): void {
    const shape = this.shape(shapeName);
    const shown = shape.sensitive ? 'Value' : `Value ${describe(value)}`;
    const fail = (constraint: string) => problems.push(`${shown} at '${path || '$'}' failed to satisfy constraint: Member must ${constraint}`);
    switch (shape.type) {
      case 'string': {
        if (typeof value !== 'string') return void fail('be a string');
        // Lengths are in characters (code points), not UTF-16 units.
        const length = [...value].length;
        if (shape.min !== undefined && length < shape.min) fail(`have length greater than or equal to ${shape.min}`);
        if (shape.max !== undefined && length > shape.max) fail(`have length less than or equal to ${shape.max}`);
        if (shape.pattern !== undefined && !this.regex(shape.pattern).test(value)) fail(`satisfy regular expression pattern: ${shape.pattern}`);
        if (shape.enum && !shape.enum.includes(value)) fail(`satisfy enum value set: [${shape.enum.join(', ')}]`);
        return;
      }
      case 'integer':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value)) return void fail(`be an ${shape.type === 'long' ? 'integer (long)' : 'integer'}`);
        if (shape.min !== undefined && value < shape.min) fail(`have value greater than or equal to ${shape.min}`);
        if (shape.max !== undefined && value > shape.max) fail(`have value less than or equal to ${shape.max}`);
        return;
      }
      case 'double':
      case 'float':
        if (typeof value !== 'number') fail('be a number');
        return;
      case 'boolean':
        if (typeof value !== 'boolean') fail('be a boolean');
        return;
      case 'timestamp':
        // awsJson sends epoch seconds; the SDK never sends the string forms.
        if (typeof value !== 'number' || !Number.isFinite(value)) fail('be a timestamp in epoch seconds');
        return;
      case 'blob':
        if (typeof value !== 'string') fail('be a base64 string');
        return;
      case 'list': {
        if (!Array.isArray(value)) return void fail('be a list');
        this.checkCount(shape, value.length, fail);
        value.forEach((item, i) => this.check(shape.member!, item, `${path}.${i + 1}.member`.replace(/^\./, ''), problems));
        return;
      }
      case 'map': {
        if (!isPlainObject(value)) return void fail('be a map');
        const entries = Object.entries(value);
        this.checkCount(shape, entries.length, fail);
        for (const [k, v] of entries) {
          this.check(shape.key!, k, `${path}.${k}.key`.replace(/^\./, ''), problems);
          this.check(shape.value!, v, `${path}.${k}.value`.replace(/^\./, ''), problems);
        }
        return;
      }
      case 'structure': {
        if (!isPlainObject(value)) return void fail('be a structure');
        const members = shape.members ?? {};
        const join = (name: string) => (path ? `${path}.${name}` : name);
        for (const name of shape.required ?? []) {
          if (value[name] === undefined || value[name] === null) {
            problems.push(`Value null at '${join(name)}' failed to satisfy constraint: Member must not be null`);
          }
        }
        for (const [name, member] of Object.entries(value)) {
          if (!(name in members)) {
            problems.push(`Unknown member '${join(name)}': ${shapeName} has no member named '${name}'`);
          } else if (member !== undefined && member !== null) {
            this.check(members[name], member, join(name), problems);
          }
        }
        return;
      }
    }
  }

  private checkCount(shape: ShapeDef, count: number, fail: (c: string) => void) {
    if (shape.min !== undefined && count < shape.min) fail(`have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && count > shape.max) fail(`have length less than or equal to ${shape.max}`);
  }

  /** botocore patterns are Java regexes; the ones in this model mean the same in JS with the `u` flag. */
  private regex(pattern: string): RegExp {
    let re = this.patterns.get(pattern);
    if (!re) {
      re = new RegExp(pattern, 'u');
      this.patterns.set(pattern, re);
    }
    return re;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 80)}...` : value}'`;
  return `'${JSON.stringify(value)}'`;
}
