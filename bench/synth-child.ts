/**
 * One whole-process synth: `node synth-child.js <variant> <n> <outdir>`. Requires the variant's app module,
 * synthesizes one stack into outdir, prints what the child saw of itself as one JSON line, and exits.
 * Compiled to JS by bench/compile.ts, so every variant pays the same loading cost.
 */
import { App, Stack } from 'aws-cdk-lib';

type Build = (stack: Stack, n: number) => void;

function main(): void {
  const [variant, nText, outdir] = process.argv.slice(2);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { build } = require(`./apps/${variant}-app`) as { build: Build };
  // Per-construct providers exceed CloudFormation's 500 resources from N = 30 on; lift CDK's check for every
  // variant alike, so the synth still completes and can be timed.
  // The in-process time covers the app's construction and synthesis only: what each extra instance adds, without
  // the process start and module loading that every run pays alike (and whose jitter hides a per-instance cost).
  const started = process.hrtime.bigint();
  const app = new App({ outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Bench');
  build(stack, Number(nText));
  app.synth();
  const inProcessMs = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, inProcessMs })}\n`);
}

main();
