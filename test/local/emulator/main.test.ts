import { spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';
import { GetServiceCommand, ProtonClient } from '@aws-sdk/client-proton';

const ROOT = join(__dirname, '..', '..', '..');

describe('standalone emulator (local/emulator/main.ts)', () => {
  test('prints its endpoint as one JSON line, serves, and exits on SIGTERM', async () => {
    // transpile-only: type checking is the test suite's job; it keeps start-up near 2 s instead of 6.
    // Node runs ts-node's bin in-process (no npx wrapper), so SIGTERM reaches the emulator itself.
    const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', '--project', 'local/tsconfig.json', 'local/emulator/main.ts', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`main.ts exited early with ${code}`)));
      });
      const { endpoint } = JSON.parse(line) as { endpoint: string };
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const client = new ProtonClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
      const err = await client.send(new GetServiceCommand({ name: 'nothing' })).catch((e: Error) => e);
      client.destroy();
      expect((err as Error).name).toBe('ResourceNotFoundException');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
