/**
 * Runs the emulator as a process: prints `{"endpoint":"http://127.0.0.1:PORT"}` on one line,
 * then serves until SIGINT/SIGTERM.
 *   npx ts-node --project local/tsconfig.json local/emulator/main.ts [--port N] [--deployment-ms N]
 */
import { ProtonEmulator } from './emulator';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function numberFlag(name: string): number | undefined {
  const raw = flag(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a non-negative integer, got ${raw}`);
  return value;
}

async function main(): Promise<void> {
  const emulator = await ProtonEmulator.start({
    port: numberFlag('--port') ?? 0,
    deploymentMs: numberFlag('--deployment-ms'),
    removalMs: numberFlag('--removal-ms'),
  });
  process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint })}\n`);
  const shutdown = () => {
    emulator.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
