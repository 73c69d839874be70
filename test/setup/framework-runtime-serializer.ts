/**
 * Masks the runtime aws-cdk-lib picks for its Provider framework functions (its latest Node.js runtime, which moves
 * with each aws-cdk-lib release), so an aws-cdk-lib upgrade does not rewrite every snapshot. The handlers' own
 * runtime, which this library chooses, stays in the snapshot.
 */
const MASK = "[aws-cdk-lib's latest Node.js runtime]";

interface FunctionProperties {
  readonly Handler?: unknown;
  readonly Runtime?: unknown;
}

function isFrameworkFunction(value: unknown): value is FunctionProperties {
  const props = value as FunctionProperties | null;
  return typeof props === 'object' && props !== null && typeof props.Handler === 'string' && props.Handler.startsWith('framework.')
    && typeof props.Runtime === 'string' && props.Runtime !== MASK;
}

type Printer = (value: unknown, config: unknown, indentation: string, depth: number, refs: unknown) => string;

module.exports = {
  test: isFrameworkFunction,
  serialize: (value: FunctionProperties, config: unknown, indentation: string, depth: number, refs: unknown, printer: Printer) =>
    printer({ ...value, Runtime: MASK }, config, indentation, depth, refs),
};
