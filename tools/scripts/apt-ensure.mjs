// Installs Debian packages the project's own set-up needs, when a marker file says they are missing: with
// apt-get as root, or through sudo when that needs no password; otherwise it says which command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * @param {{ tool: string, markers: string[], packages: string[], purpose: string, missing: string }} what
 *   markers: files of which one exists once the packages are installed; missing: what happens without them.
 * @returns {boolean} whether a marker exists now.
 */
export const ensurePackages = ({ tool, markers, packages, purpose, missing }) => {
  const present = () => markers.some((m) => existsSync(m));
  if (present()) return true;
  const say = (text) => process.stderr.write(`${tool}: ${text}\n`);
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (hasApt && (root || sudo)) {
    const [cmd, ...pre] = root ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
    const apt = (...args) =>
      spawnSync(cmd, [...pre, ...args], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status === 0;
    say(`installing Debian packages ${packages.join(' ')} (${purpose})`);
    if (!apt('install', '-y', '-qq', '--no-install-recommends', ...packages)) {
      apt('update', '-qq');
      apt('install', '-y', '-qq', '--no-install-recommends', ...packages);
    }
  }
  if (present()) return true;
  say(`${missing}; install them with: sudo apt-get install ${packages.join(' ')}`);
  return false;
};
