// Shared by build-addon.mjs (the install script and the workspace build) and prebuild.mjs (the binary shipped in
// the npm package): where node-gyp is, how it is run, where a prebuilt binary lives, and Debian's library
// directories. (src/addon.ts loads prebuilds/<platform>-<arch>/sparsevd_native.node by the same convention.)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Debian's multiarch directory name for a Node architecture (`x64`, `arm64`); undefined for others. */
export const multiarchOf = (arch = process.arch) =>
  ({ x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' })[arch];

/** The prebuilt binary for this platform and architecture, in the `prebuilds/<platform>-<arch>/` convention. */
export const prebuildPath = (root, platform = process.platform, arch = process.arch) =>
  join(root, 'prebuilds', `${platform}-${arch}`, 'sparsevd_native.node');

/** node-gyp's script: the one npm names in lifecycle scripts, a resolvable package, or the one npm ships. */
export const findNodeGyp = () =>
  [
    process.env.npm_config_node_gyp,
    (() => {
      try {
        return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
      } catch {
        return undefined;
      }
    })(),
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ].find((p) => p !== undefined && existsSync(p));

/**
 * `node-gyp rebuild --release` in `cwd` (which holds binding.gyp and native/), against the running Node's headers
 * when they are installed (no download: this machine reaches no network but the package registries); `variables`
 * become gyp variables. Throws with node-gyp's stderr on failure.
 */
export const runNodeGyp = (gyp, cwd, variables = {}) => {
  const local = join(dirname(process.execPath), '..');
  const nodedir =
    process.env.npm_config_nodedir ??
    (existsSync(join(local, 'include', 'node', 'node_api.h')) ? local : undefined);
  execFileSync(
    process.execPath,
    [
      gyp,
      'rebuild',
      '--release',
      ...(nodedir ? [`--nodedir=${nodedir}`] : []),
      ...Object.entries(variables).map(([k, v]) => `--${k}=${v}`),
    ],
    { cwd, stdio: ['ignore', 'ignore', 'pipe'] },
  );
};
