/** The facts about this machine and toolchain that the results depend on. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './compile';

export interface MachineInfo {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly awsCdkLib: string;
  readonly esbuild: string;
  /** Whether this aws-cdk-lib has the built-in CloudFormation validation switch. */
  readonly hasValidationSwitch: boolean;
  readonly gnuTime: boolean;
}

function packageVersion(name: string): string {
  const file = path.join(ROOT, 'node_modules', name, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

export function machineInfo(gnuTime: boolean): MachineInfo {
  const appDts = fs.readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk-lib', 'core', 'lib', 'app.d.ts'), 'utf8');
  return {
    date: new Date().toISOString().slice(0, 10),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    awsCdkLib: packageVersion('aws-cdk-lib'),
    esbuild: packageVersion('esbuild'),
    hasValidationSwitch: appDts.includes('builtinCloudFormationValidation'),
    gnuTime,
  };
}
