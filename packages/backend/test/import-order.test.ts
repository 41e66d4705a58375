import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('register-gradients', () => {
  it('works when imported before @tensorflow/tfjs-core (plain node, built package)', async () => {
    // The order a sorted import list gives: '@sparsevd/…' before '@tensorflow/…'.
    const code = `
      import '@sparsevd/backend/register-gradients';
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      await tf.setBackend('cpu');
      const g = tf.grad((x) => tf.sum(tf.mul(tf.cast(x, 'float32'), x)))(tf.tensor1d([1, 2, 3]));
      console.log(JSON.stringify(Array.from(g.dataSync())));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: root });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual([2, 4, 6]);
  });
});
