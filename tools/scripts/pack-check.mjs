#!/usr/bin/env node
// Checks that every public package installs and works alone, as a user would get it from the registry:
//   1. `publint` finds no error or warning in its package.json / exports / files;
//   2. `npm pack` makes its tarball (from the built dist/);
//   3. an empty scratch project installs that tarball, plus the tarballs of the @sparsevd packages it
//      depends on (not yet on the registry), with every other dependency from the registry;
//   4. plain `node` imports every entry of its `exports` map there, and runs its bins with --help; each
//      library package's root entry also bundles with esbuild for `--platform=browser` with no `node:` import;
//   5. a second scratch project installs exactly what the package README's `npm install` lines name (tarballs
//      standing in for the registry for @sparsevd packages, with the @sparsevd packages those depend on), and
//      every ```js example of the README runs there under plain `node`, its output checked against the
//      `// expected output` comments of its console.log / print lines (… stands for any text).
// Usage: node tools/scripts/pack-check.mjs [package-dir...]   (default: every package under packages/)
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
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

/** The library packages, whose root entry must bundle for the browser (their Node-only parts are `/node`). */
const BROWSER_SAFE = new Set([
  '@sparsevd/kernels',
  '@sparsevd/kl',
  '@sparsevd/estimators',
  '@sparsevd/layers',
  '@sparsevd/models',
  '@sparsevd/pruning',
  '@sparsevd/datasets',
  '@sparsevd/train',
]);
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
  if (BROWSER_SAFE.has(name)) {
    const entry = join(project, 'browser-entry.mjs');
    writeFileSync(entry, `export * from '${name}';\n`);
    const bundled = await build({
      entryPoints: [entry],
      absWorkingDir: project,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      logLevel: 'silent',
    }).catch((error) => ({ errors: error.errors ?? [{ text: error.message }], outputFiles: [] }));
    const code = bundled.outputFiles.map((f) => f.text).join('\n');
    if (bundled.errors.length > 0 || /from ["']node:|require\(["']node:/.test(code))
      fail(
        name,
        `does not bundle for the browser: ${bundled.errors.map((e) => e.text).join('; ') || 'a node: import'}`,
      );
    else process.stdout.write(`pack-check: ${name}: bundles for --platform=browser with no node: import\n`);
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
// 5. The README's own install line, then its examples.
/** The specs of every `npm install` line of the README's ```sh blocks (comments after # dropped). */
const installSpecs = (readme) =>
  [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1].split('\n'))
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.startsWith('npm install '))
    .flatMap((line) =>
      line
        .slice('npm install '.length)
        .split(/\s+/)
        .filter((w) => w !== '' && !w.startsWith('-')),
    );
/** The ```js blocks of the README with, for each, the outputs its comments promise, in order. */
const examples = (readme) =>
  [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => ({
    code: m[1],
    expected: m[1]
      .split('\n')
      .filter((line) => /console\.log\(|\.print\(\)/.test(line) && line.includes('); // '))
      .map((line) => line.slice(line.indexOf('); // ') + 6).trim()),
  }));
const normalise = (text) => text.replace(/\s+/g, ' ').trim();
/** Whether `stdout` shows every expected output in order (each split at … into fragments that must follow). */
const showsAll = (stdout, expected) => {
  const out = normalise(stdout);
  let at = 0;
  for (const fragment of expected.flatMap((e) => e.split('…').map(normalise)).filter((f) => f !== '')) {
    const found = out.indexOf(fragment, at);
    if (found < 0) return fragment;
    at = found + fragment.length;
  }
  return undefined;
};
for (const dir of dirs) {
  const manifest = readManifest(dir);
  if (manifest.private) continue;
  const name = manifest.name;
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const specs = installSpecs(readme);
  if (specs.length === 0) {
    fail(name, 'README has no `npm install` line in a ```sh block');
    continue;
  }
  const named = specs.filter((s) => manifests.has(s));
  const project = mkdtempSync(join(scratch, 'readme-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'readme-scratch', private: true, type: 'module' }),
  );
  const seen = new Set();
  const local = named.flatMap((s) => closure(manifests.get(s), seen));
  try {
    npm(['install', ...specs.filter((s) => !manifests.has(s)), ...local], project);
  } catch (error) {
    fail(name, `the README's install line failed: ${error.stderr || error.message}`);
    continue;
  }
  const installed = new Set(specs.map((s) => s.replace(/(?<=.)@[^@/]*$/, '')));
  for (const [i, { code, expected }] of examples(readme).entries()) {
    // Every package the example imports must be one the install line names: nothing found by hoisting.
    const imported = [...code.matchAll(/(?:from\s+|import\s+)'([^']+)'/g)]
      .map((m) => m[1])
      .filter((spec) => !spec.startsWith('node:') && !spec.startsWith('.'))
      .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]));
    const unnamed = [...new Set(imported)].filter((pkg) => !installed.has(pkg));
    if (unnamed.length > 0)
      fail(
        name,
        `README example ${i + 1} imports ${unnamed.join(', ')}, which its install line does not name`,
      );
    try {
      const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: project,
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 180_000,
      });
      const missing = showsAll(stdout, expected);
      if (missing !== undefined)
        fail(
          name,
          `README example ${i + 1} ran but did not print "${missing}"; it printed: ${normalise(stdout).slice(0, 300)}`,
        );
      else
        process.stdout.write(
          `pack-check: ${name}: README example ${i + 1} runs after \`npm install ${specs.join(' ')}\` (${expected.length} outputs checked)\n`,
        );
    } catch (error) {
      fail(
        name,
        `README example ${i + 1} fails after \`npm install ${specs.join(' ')}\`: ${(
          error.stderr || error.message
        )
          .split('\n')
          .filter((l) => l.trim() !== '')
          .slice(0, 4)
          .join(' ')}`,
      );
    }
  }
}
// @sparsevd/backend-native from its tarball alone, as a user without a compiler gets it: installed with
// --ignore-scripts (npm 11 installs a dependency whose scripts are not allowed that way), then a SparseVD training
// run on `native` with no compiler on PATH — the prebuilt binary the tarball ships (scripts/prebuild.mjs, run by
// `npm pack`) must serve it. Only where a prebuild recipe exists (Linux x64 / arm64).
const nativeDir = manifests.get('@sparsevd/backend-native');
const cliDir = manifests.get('@sparsevd/cli');
if (
  nativeDir !== undefined &&
  cliDir !== undefined &&
  dirs.includes(nativeDir) &&
  process.platform === 'linux' &&
  ['x64', 'arm64'].includes(process.arch)
) {
  const project = mkdtempSync(join(scratch, 'no-compiler-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  // A PATH holding node and npm alone (no g++, cc, make, python).
  const bin = join(project, '.bin-no-compiler');
  mkdirSync(bin);
  for (const tool of ['node', 'sh']) {
    const found = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    symlinkSync(found, join(bin, tool));
  }
  const env = { ...process.env, PATH: bin };
  try {
    npm(['install', '--ignore-scripts', ...closure(cliDir), pack(nativeDir)], project);
    const compilers = ['g++', 'c++', 'cc'].filter(
      (c) => spawnSync(c, ['--version'], { env, stdio: 'ignore' }).error === undefined,
    );
    if (compilers.length > 0)
      fail('@sparsevd/backend-native', `a compiler is still on PATH: ${compilers.join(', ')}`);
    const run = spawnSync(
      join(bin, 'node'),
      [
        join(project, 'node_modules', '@sparsevd', 'cli', 'bin', 'sparsevd.js'),
        'train',
        '--backend',
        'native',
        '--epochs',
        '1',
        '--train-subset',
        '1000',
        '--test-subset',
        '500',
        '--out',
        join(project, 'run'),
      ],
      { cwd: project, env, encoding: 'utf8' },
    );
    const said = `${run.stdout}${run.stderr}`;
    // Nothing was compiled in the install: no source build beside the prebuilt binary.
    const compiled = existsSync(
      join(
        project,
        'node_modules',
        '@sparsevd',
        'backend-native',
        'build',
        'Release',
        'sparsevd_native.node',
      ),
    );
    if (compiled)
      fail('@sparsevd/backend-native', 'the install compiled the addon although scripts were ignored');
    if (run.status !== 0 || !/native/.test(said))
      fail(
        '@sparsevd/backend-native',
        `a training run on native from the tarball installed with --ignore-scripts and no compiler on PATH failed (exit ${run.status}): ${said.split('\n').slice(-6).join(' ')}`,
      );
    else
      process.stdout.write(
        `pack-check: @sparsevd/backend-native: installed with --ignore-scripts, no compiler on PATH, trained on native from its prebuilt binary (${said.match(/backend[^\n]*native[^\n]*/)?.[0]?.trim() ?? 'native'})\n`,
      );
  } catch (error) {
    fail(
      '@sparsevd/backend-native',
      `install with --ignore-scripts failed: ${error.stderr || error.message}`,
    );
  }
}

rmSync(scratch, { recursive: true, force: true });
if (failures > 0) {
  process.stderr.write(`pack-check: ${failures} problem(s)\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('pack-check: every public package installs alone and imports under plain node\n');
}
