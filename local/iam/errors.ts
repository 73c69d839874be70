/** How every refusal of the local IAM evaluation begins, so a test log points straight at it. */
export const CANNOT_EVALUATE = 'Local IAM cannot evaluate';

/**
 * The policies hold something this evaluation does not decide (a Condition that matters, an unknown managed policy,
 * an element it does not know, a malformed document). Thrown rather than guessed: a wrong Allow would let a test
 * pass that fails in AWS, a wrong Deny would fail one that passes.
 */
export class UnsupportedPolicyError extends Error {
  /** What could not be evaluated, without the `Local IAM cannot evaluate` prefix. */
  public readonly problem: string;

  constructor(problem: string) {
    super(`${CANNOT_EVALUATE} ${problem}`);
    this.name = 'UnsupportedPolicyError';
    this.problem = problem;
  }
}
