import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const soak = fileURLToPath(new URL('../soak/resume-soak.mjs', import.meta.url));

// The short resume soak: SIGKILLs aimed at training steps, evaluation and checkpoint writes, with every core
// loaded by other processes; every resumed run must equal the uninterrupted one bit for bit. The long version
// is `node tools/soak/resume-soak.mjs` (see its header).
describe('resume soak (short)', () => {
  it('every run killed and resumed ends bit for bit where the uninterrupted run ends', async () => {
    const { stdout } = await run(process.execPath, [soak, '--short'], { timeout: 280_000 });
    process.stderr.write(stdout);
    const rows = stdout.split('\n').filter((l) => /^ {2}\w+: \d+ resumed runs/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const [, runs, killed, same] =
        /: (\d+) resumed runs, (\d+) SIGKILLs .*, (\d+) of \d+ identical/.exec(row) ?? [];
      expect(Number(killed), row).toBeGreaterThan(0);
      expect(Number(same), row).toBe(Number(runs));
    }
  }, 300_000);
});
