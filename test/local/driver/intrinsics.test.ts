import { IntrinsicError, resolveValue, ResolveContext, stringifyScalars, topologicalOrder } from '../../../local/driver';

const ctx: ResolveContext = {
  region: 'eu-west-1',
  parameters: { 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111', 'Env': 'prod' },
  ref: (id) => `phys-${id}`,
  getAtt: (id, attr) => `${id}.${attr}`,
  condition: (name) => name === 'IsProd',
};
const where = 'Stack/Res';

describe('intrinsics', () => {
  test('Ref, GetAtt, Join, Select, Split and Sub', () => {
    expect(resolveValue({ Ref: 'Bucket' }, ctx, where)).toBe('phys-Bucket');
    expect(resolveValue({ 'Fn::GetAtt': ['Fn', 'Arn'] }, ctx, where)).toBe('Fn.Arn');
    expect(resolveValue({ 'Fn::GetAtt': 'Fn.Arn' }, ctx, where)).toBe('Fn.Arn');
    expect(resolveValue({ 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }, 3]] }, ctx, where)).toBe('a-eu-west-1-3');
    expect(resolveValue({ 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y,z'] }] }, ctx, where)).toBe('y');
    expect(resolveValue({ 'Fn::Sub': 'arn:${AWS::Region}:${AWS::AccountId}:${Fn.Arn}:${Bucket}:${!Literal}' }, ctx, where))
      .toBe('arn:eu-west-1:111:Fn.Arn:phys-Bucket:${Literal}');
    expect(resolveValue({ 'Fn::Sub': ['${X}-${Env}', { X: { Ref: 'B' } }] }, ctx, where)).toBe('phys-B-prod');
  });

  test('Fn::If with conditions and AWS::NoValue', () => {
    expect(resolveValue({ A: { 'Fn::If': ['IsProd', 'big', 'small'] }, B: { 'Fn::If': ['IsDev', 1, { Ref: 'AWS::NoValue' }] } }, ctx, where))
      .toEqual({ A: 'big' });
    expect(resolveValue([{ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, { 'Fn::Not': [{ Condition: 'IsProd' }] }], ctx, where)).toEqual([true, false]);
  });

  test('an unknown intrinsic fails with the resource it belongs to', () => {
    expect(() => resolveValue({ X: { 'Fn::Transmogrify': [] } }, ctx, where)).toThrow(IntrinsicError);
    expect(() => resolveValue({ X: { 'Fn::Transmogrify': [] } }, ctx, where)).toThrow('Stack/Res: unsupported intrinsic function Fn::Transmogrify');
  });

  test('stringifies scalars deeply as CloudFormation does for custom resources', () => {
    expect(stringifyScalars({ n: 1, b: false, l: [2, { t: true }], s: 'x' })).toEqual({ n: '1', b: 'false', l: ['2', { t: 'true' }], s: 'x' });
  });
});

describe('dependency order', () => {
  test('orders by DependsOn and references, keeping template order for ties', () => {
    expect(topologicalOrder({
      C: { Type: 'T', DependsOn: 'B' },
      B: { Type: 'T', Properties: { X: { 'Fn::Sub': '${A.Arn}' } } },
      A: { Type: 'T' },
      D: { Type: 'T' },
    })).toEqual(['A', 'B', 'C', 'D']);
  });

  test('reports a cycle', () => {
    expect(() => topologicalOrder({ A: { Type: 'T', DependsOn: 'B' }, B: { Type: 'T', Properties: { X: { Ref: 'A' } } } }))
      .toThrow('Circular dependency between resources: [A, B]');
  });
});
