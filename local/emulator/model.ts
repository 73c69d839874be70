import { readFileSync } from 'fs';
import { join } from 'path';

/** One shape of the extracted model (see model/extract_model.py for how it is produced). */
export interface ShapeDef {
  readonly type: 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'list' | 'map' | 'structure' | 'blob' | 'double' | 'float';
  readonly required?: string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: string[];
  readonly sensitive?: boolean;
  readonly members?: Record<string, string>;
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
  readonly idempotencyTokens?: string[];
}

export interface OperationDef {
  readonly input: string;
  readonly output: string;
  readonly errors: string[];
  readonly idempotent: boolean;
}

export interface ProtonModel {
  readonly source: { package: string; version: string; file: string };
  readonly metadata: { apiVersion: string; jsonVersion: string; protocol: string; targetPrefix: string };
  readonly operations: Record<string, OperationDef>;
  readonly errors: Record<string, { fault?: boolean; retryable?: { throttling: boolean } }>;
  readonly shapes: Record<string, ShapeDef>;
}

export const MODEL_FILE = join(__dirname, 'model', 'proton-model.json');

let cached: ProtonModel | undefined;

/** Read at runtime rather than imported, so the JSON stays data and is not type-checked as a literal. */
export function loadModel(): ProtonModel {
  cached ??= JSON.parse(readFileSync(MODEL_FILE, 'utf-8')) as ProtonModel;
  return cached;
}
