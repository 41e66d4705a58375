import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every ```js block of every package README, with the package directory to run it in. */
const examples = readdirSync(join(root, 'packages')).flatMap((name) => {
  const readme = join(root, 'packages', name, 'README.md');
  if (!existsSync(readme)) return [];
  const blocks = [...readFileSync(readme, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map(
    (m) => m[1] as string,
  );
  return blocks.map((code, i) => ({
    label: `${name} README example ${i + 1}`,
    dir: join(root, 'packages', name),
    code,
  }));
});

describe('README examples', () => {
  it('every published package README has at least one runnable js example (a private one, the command that runs it)', () => {
    const packages = readdirSync(join(root, 'packages'));
    for (const name of packages) {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
      if (manifest.private === true) {
        // The playground is a page, not a library: its README's example is the command that serves it, which
        // tools/scripts/readme-commands.mjs runs (the page must answer).
        expect(readFileSync(join(root, 'packages', name, 'README.md'), 'utf8'), name).toMatch(
          /```sh\nnpm run \S+/,
        );
        continue;
      }
      expect(
        examples.some((e) => e.label.startsWith(`${name} `)),
        name,
      ).toBe(true);
    }
  });

  it.each(examples)('$label runs under plain node', async ({ dir, code }) => {
    const { stderr } = await run(process.execPath, ['--input-type=module', '-e', code], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    expect(stderr).not.toMatch(/Error/);
  });
});
