#!/usr/bin/env node
// Checks that every public package installs and works alone, as a user would get it from the registry:
//   1. `publint` finds no error or warning in its package.json / exports / files;
//   2. `npm pack` makes its tarball (from the built dist/);
//   3. an empty scratch project installs that tarball, plus the tarballs of the @sparsevd packages it
//      depends on (not yet on the registry), with every other dependency from the registry;
//   4. plain `node` imports every entry of its `exports` map there, and runs its bins with --help.
// Usage: node tools/scripts/pack-check.mjs [package-dir...]   (default: every package under packages/)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = resolve(new URL('../..', import.meta.url).pathname);
const args = process.argv.slice(2);
const dirs = (
  args.length > 0 ? args : readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d))
).map((d) => resolve(d));
const manifests = new Map(
  readdirSync(join(root, 'packages')).map((d) => {
    const dir = join(root, 'packages', d);
    return [JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, dir];
  }),
);
const readManifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const npm = (argv, cwd) =>
  execFileSync('npm', [...argv, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

const scratch = mkdtempSync(join(tmpdir(), 'sparsevd-pack-'));
const tarballs = new Map();
const pack = (dir) => {
  const name = readManifest(dir).name;
  if (!tarballs.has(name)) {
    const [info] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], dir));
    tarballs.set(name, join(scratch, info.filename));
  }
  return tarballs.get(name);
};
/** The package's own tarball and those of the @sparsevd packages it needs at run time, transitively. */
const closure = (dir, seen = new Set()) => {
  const manifest = readManifest(dir);
  if (seen.has(manifest.name)) return [];
  seen.add(manifest.name);
  const optional = manifest.peerDependenciesMeta ?? {};
  const deps = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ].filter((d) => d.startsWith('@sparsevd/') && !optional[d]?.optional && manifests.has(d));
  return [pack(dir), ...deps.flatMap((d) => closure(manifests.get(d), seen))];
};

// Commands that prove an installed package really works beyond importing (a backend starts and computes).
const SMOKE = {
  '@sparsevd/backend': [
    ['sparsevd-backend', '--backend', 'wasm'],
    ['sparsevd-backend', '--backend', 'cpu'],
  ],
};

const UNINSTALLABLE = new Set([
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@sparsevd/backend-native',
]);

let failures = 0;
const fail = (name, text) => {
  failures += 1;
  process.stderr.write(`pack-check: ${name}: ${text}\n`);
};

for (const dir of dirs) {
  const manifest = readManifest(dir);
  if (manifest.private) continue;
  const name = manifest.name;
  const { messages } = await publint({ pkgDir: dir, level: 'warning', strict: true });
  for (const message of messages) fail(name, `publint ${message.type}: ${formatMessage(message, manifest)}`);

  const project = mkdtempSync(join(scratch, 'project-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  // Optional peers a subpath needs are installed too, except those that cannot install on a machine without
  // libtensorflow downloads or a compiler (their absence is what @sparsevd/backend reports).
  const optionalPeers = Object.entries(manifest.peerDependenciesMeta ?? {})
    .filter(([dep, meta]) => meta.optional && !UNINSTALLABLE.has(dep))
    .map(([dep]) => `${dep}@${manifest.peerDependencies[dep]}`);
  try {
    npm(['install', ...closure(dir), ...optionalPeers], project);
  } catch (error) {
    fail(name, `npm install of the tarball failed: ${error.stderr || error.message}`);
    continue;
  }
  const entries = Object.keys(manifest.exports ?? { '.': null })
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? name : `${name}/${key.slice(2)}`));
  for (const entry of entries) {
    const script = `const m = await import(${JSON.stringify(entry)}); process.stdout.write(Object.keys(m).length + ' exports');`;
    try {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: project,
        encoding: 'utf8',
      });
      process.stdout.write(`pack-check: ${entry}: imported under plain node (${out})\n`);
    } catch (error) {
      fail(
        name,
        `plain node cannot import ${entry}: ${(error.stderr || error.message).split('\n').slice(0, 5).join(' ')}`,
      );
    }
  }
  const bins = Object.keys(
    typeof manifest.bin === 'string' ? { [name]: manifest.bin } : (manifest.bin ?? {}),
  );
  for (const [bin, ...argv] of [...bins.map((bin) => [bin, '--help']), ...(SMOKE[name] ?? [])]) {
    try {
      execFileSync(join(project, 'node_modules', '.bin', bin), argv, { cwd: project, encoding: 'utf8' });
      process.stdout.write(`pack-check: ${name}: \`${bin} ${argv.join(' ')}\` runs\n`);
    } catch (error) {
      fail(name, `\`${bin} ${argv.join(' ')}\` failed: ${error.stderr || error.message}`);
    }
  }
}
rmSync(scratch, { recursive: true, force: true });
if (failures > 0) {
  process.stderr.write(`pack-check: ${failures} problem(s)\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('pack-check: every public package installs alone and imports under plain node\n');
}
