#!/usr/bin/env node
// Runs what the READMEs tell a person to run, as a person would: a fresh clone of this repository, exactly the
// README's two quick-start lines (`npm ci && npm start`, then `npm ci && npm test`), then every other command
// that README.md and packages/*/README.md show — in ```sh blocks and in inline code starting with npx, npm,
// node or bash — as written, in the order they appear. `.ci/run` calls it after the tests (it cannot run
// inside `npm test`, which it runs itself).
//
// A command runs from the clone's root (a package README's `node scripts/…` from that package's folder) and
// must exit 0, except:
//   - long trainings (the 200-epoch protocol, LeNet-5 for 5 epochs) are interrupted with SIGINT once they have
//     trained for a while, as a person pressing Ctrl-C would, and must then save a checkpoint and exit 130;
//     the commands after them (resume, eval, export, report) then run on that checkpoint;
//   - servers (`npm run playground`) run until the page they print answers on localhost, with the files it
//     loads (the dataset, the wasm binaries), and are then stopped — as a person would open the page, then
//     press Ctrl-C;
//   - a few are not run, each for the reason printed (the registry installs that pack-check covers with
//     tarballs, this script's own caller, an interactive prompt, system installs that .ci/run does).
// Every command's output is shown as it runs (the quick start's test runner lines included).
// Usage: node tools/scripts/readme-commands.mjs [--then CMD] [--keep]
//   --then CMD   run CMD in the clone afterwards (it must exit 0): .ci/run runs pack-check there
//   --keep       leave the clone in place
// It needs nothing installed: node's own modules only.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
const keep = process.argv.includes('--keep');
const thenAt = process.argv.indexOf('--then');
const then = thenAt > 0 ? process.argv[thenAt + 1] : undefined;

/** Why a command is not run, by pattern; everything else runs. */
const NOT_RUN = [
  [
    /^npm install @sparsevd\//,
    'a registry install of a package: tools/scripts/pack-check.mjs runs it with tarballs',
  ],
  [
    /^npm install @tensorflow\//,
    'a registry install for a package README: tools/scripts/pack-check.mjs runs it',
  ],
  [/^npm install-scripts /, "a setting for the user's own project"],
  [/^bash \.ci\/run$/, "this script's own caller"],
  [/^npx changeset$/, 'an interactive prompt (it asks which packages changed)'],
  [/^apt-get install /, 'a system install: .ci/run installs these packages'],
];
/** Commands interrupted with SIGINT after `after` ms of training (counted from their first progress output). */
const INTERRUPTED = [
  [/^npx sparsevd train --protocol paper\b/, 20_000],
  [/^npx sparsevd train .*--model lenet5\b/, 20_000],
  [/^npx sparsevd resume /, 10_000],
];

/** Commands that start a server: the paths that must answer (200) under the URL they print, then they stop. */
const SERVED = [
  [
    /^npm run playground$/,
    [
      '',
      'src/main.ts',
      'src/worker.ts',
      'data/mnist/t10k-labels-idx1-ubyte.gz',
      'wasm/tfjs-backend-wasm-simd.wasm',
    ],
  ],
];

/** The commands of one README, in order: [command, package dir or undefined]. */
const commandsOf = (file) => {
  const text = readFileSync(file, 'utf8');
  const found = [];
  const blocks = [...text.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => [m.index, m[1]]);
  for (const [index, body] of blocks)
    for (const line of body.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '') found.push([index, command]);
    }
  for (const m of text.matchAll(/`((?:npx|npm|node|bash) [^`\n]+)`/g)) {
    if (blocks.some(([start, body]) => m.index > start && m.index < start + body.length + 10)) continue;
    found.push([m.index, m[1].trim()]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, command]) => command);
};

const clone = mkdtempSync(join(tmpdir(), 'sparsevd-readme-'));
const repo = join(clone, 'sparsevd');
execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, repo], { stdio: 'inherit' });
// The clone needs the project's sibling shared/ folder no more than a user's clone does; nothing else is copied.

const env = { ...process.env, FORCE_COLOR: '0', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
delete env.npm_config_prefix;
// A new user's machine has an empty nx cache: the clone gets its own (so nothing cached on this machine by
// earlier runs can stand in for a build or a test), and the commands run with it as they would for them —
// the README's `npx nx run-many …` after `npm test` is then served from it, as the README says.
delete env.NX_SKIP_NX_CACHE;
env.NX_CACHE_DIRECTORY = join(clone, 'nx-cache');
let failures = 0;
const ran = new Set();
const results = [];

/** Runs one command in bash; resolves with its exit code (and whether it was interrupted or served). */
const run = (command, cwd, interruptAfter, served) =>
  new Promise((done) => {
    const started = Date.now();
    const child = spawn('bash', ['-c', command], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let timer;
    let interrupted = false;
    let serving;
    const onOutput = (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
      // Colour codes split the URL (Vite prints the port in bold, whatever FORCE_COLOR says): read it without them.
      const plain = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
      const url =
        served !== undefined &&
        serving === undefined &&
        /(http:\/\/(?:localhost|127\.0\.0\.1):\d+\/\S*)/.exec(plain)?.[1];
      if (url) {
        serving = Promise.all(
          served.map((path) =>
            fetch(new URL(path, url)).then(
              (r) => (r.ok ? '' : `${path}: HTTP ${r.status}`),
              (e) => `${path}: ${e.message}`,
            ),
          ),
        ).then((problems) => {
          output += `\nreadme-commands: served ${url} — ${problems.filter(Boolean).join('; ') || `all ${served.length} paths answer`}\n`;
          interrupted = problems.every((p) => p === '');
          process.kill(-child.pid, 'SIGINT');
        });
      }
      if (output.length > 200_000) output = output.slice(-100_000);
      // The clock of an interrupted command starts at its first progress output (the run has started).
      if (interruptAfter !== undefined && timer === undefined && /sparsevd: (training|resuming)/.test(output))
        timer = setTimeout(() => {
          interrupted = true;
          process.kill(-child.pid, 'SIGINT');
        }, interruptAfter);
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    // A server that never answers is stopped after 3 minutes; anything else after 20.
    const limit = setTimeout(
      () => process.kill(-child.pid, 'SIGKILL'),
      (served === undefined ? 20 : 3) * 60_000,
    );
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(limit);
      done({
        code: code ?? (signal === 'SIGKILL' ? 137 : 1),
        interrupted,
        output,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });

const check = async (command, cwd, where) => {
  const skip = NOT_RUN.find(([pattern]) => pattern.test(command));
  if (skip !== undefined) {
    results.push(`not run  ${command}  — ${skip[1]}`);
    return;
  }
  if (ran.has(command)) return; // shown again further down: once is enough
  ran.add(command);
  const interruptAfter = INTERRUPTED.find(([pattern]) => pattern.test(command))?.[1];
  const served = SERVED.find(([pattern]) => pattern.test(command))?.[1];
  process.stdout.write(`readme-commands: ${where}: $ ${command}\n`);
  const { code, interrupted, output, seconds } = await run(command, cwd, interruptAfter, served);
  if (served !== undefined) {
    // A server is right when every path answered; it then stops on SIGINT (npm reports 130 or 1).
    results.push(
      `${interrupted ? 'ok      ' : 'FAILED  '} ${command}  — ${interrupted ? 'served the page and its files, then stopped' : `exit ${code}`}, ${seconds.toFixed(0)} s`,
    );
    if (!interrupted) {
      failures += 1;
      process.stderr.write(
        `readme-commands: \`${command}\` (${where}) did not serve its page; its last output:\n${output.slice(-3000)}\n`,
      );
    }
    return;
  }
  const wanted = interruptAfter === undefined ? 0 : 130;
  // Ctrl-C reaches the whole process group, npm exec included: the command exits 130 after saving its
  // checkpoint, but npm, interrupted itself, reports 1. What the person sees is the saved checkpoint.
  const saved = /checkpoint saved in .*; continue with: sparsevd resume/.test(output);
  const ok =
    interruptAfter === undefined
      ? code === 0
      : interrupted && saved && (code === 130 || (command.startsWith('npx ') && code === 1));
  results.push(
    `${ok ? 'ok      ' : 'FAILED  '} ${command}  — exit ${code}${interrupted ? ' after Ctrl-C (checkpoint saved)' : ''}, ${seconds.toFixed(0)} s`,
  );
  if (!ok) {
    failures += 1;
    process.stderr.write(
      `readme-commands: \`${command}\` (${where}) exited ${code}, expected ${wanted}${interruptAfter === undefined ? '' : ' after SIGINT with a saved checkpoint'}; its last output:\n${output.slice(-3000)}\n`,
    );
  }
};

// 1. The quick start, exactly.
for (const command of ['npm ci && npm start', 'npm ci && npm test'])
  await check(command, repo, 'README quick start');
// 2. Every other command of every README (the quick start's own pieces already ran).
for (const piece of ['npm ci', 'npm start', 'npm test']) ran.add(piece);
const readmes = [
  ['README.md', undefined],
  ...readdirSync(join(repo, 'packages'))
    .sort()
    .map((p) => [join('packages', p, 'README.md'), join('packages', p)]),
].filter(([file]) => existsSync(join(repo, file)));
for (const [file, pkg] of readmes)
  for (const command of commandsOf(join(repo, file))) {
    // `node scripts/…` in a package README means that package's folder; every other path is the root's.
    const script = /^node (\S+)/.exec(command)?.[1];
    const inPackage =
      pkg !== undefined &&
      script !== undefined &&
      !existsSync(join(repo, script)) &&
      existsSync(join(repo, pkg, script));
    await check(command, inPackage ? join(repo, pkg) : repo, file);
  }

if (then !== undefined) {
  process.stdout.write(`readme-commands: then, in the clone: $ ${then}\n`);
  const { code } = await run(then, repo, undefined);
  results.push(`${code === 0 ? 'ok      ' : 'FAILED  '} ${then}  — exit ${code} (--then)`);
  if (code !== 0) failures += 1;
}
process.stdout.write(
  `\nreadme-commands: from a fresh clone (${repo}):\n${results.map((r) => `  ${r}`).join('\n')}\n`,
);
if (!keep && failures === 0) rmSync(clone, { recursive: true, force: true });
if (failures > 0) {
  process.stderr.write(
    `readme-commands: ${failures} command(s) failed; the clone is kept in ${dirname(repo)}\n`,
  );
  process.exitCode = 1;
} else process.stdout.write('readme-commands: every README command works as written\n');
