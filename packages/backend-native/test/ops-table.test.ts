import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS } from '../src/ops.generated.js';

const file = (path: string) => fileURLToPath(new URL(path, import.meta.url));

describe('the op-code table shared by C++ and TypeScript', () => {
  it('both generated files are up to date with native/ops.json', () => {
    expect(() =>
      execFileSync(process.execPath, [file('../scripts/generate-ops.mjs'), '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('codes are the positions in ops.json, in both languages', () => {
    const ops = JSON.parse(readFileSync(file('../native/ops.json'), 'utf8')) as Record<string, string[]>;
    const header = readFileSync(file('../native/ops.generated.h'), 'utf8');
    for (const [group, table] of [
      ['binary', BINARY_OPS],
      ['compare', COMPARE_OPS],
      ['unary', UNARY_OPS],
    ] as const) {
      expect(Object.entries(table)).toEqual((ops[group] as string[]).map((name, i) => [name, i]));
      for (const [name, code] of Object.entries(table)) expect(header).toContain(`  k${name} = ${code},`);
    }
  });
});
