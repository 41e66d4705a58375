// The dependency check behind tools/deps/check.mjs: package arrows (shared/design.md section 2) and
// import cycles between the files of one package. Pure functions over a package directory.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SCOPE = '@sparsevd/';

/** Every .ts/.mts file under `dir` (none when it does not exist). */
export const sourceFiles = (dir) => {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.m?ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
};

/** Import specifiers of one file, static and dynamic, read by TypeScript's own pre-processor. */
export const importsOf = (file) =>
  ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((ref) => ref.fileName);

const shortName = (specifier) => specifier.slice(SCOPE.length).split('/')[0];

/** The relative import `spec` of `from`, resolved to a file of the same tree, or undefined. */
const resolveRelative = (from, spec, files) => {
  const base = resolve(dirname(from), spec);
  const candidates = [
    base,
    base.replace(/\.m?js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return candidates.find((candidate) => files.has(candidate));
};

/** Cycles among the files (each as a list of paths), found by depth-first search. */
export const findCycles = (graph) => {
  const cycles = [];
  const state = new Map(); // 1 = on the stack, 2 = done
  const stack = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 1) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
};

/**
 * Checks one package directory against the arrows.
 * @returns the problems found, each one line naming the file or field and what is wrong (empty when clean).
 */
export const checkPackage = (dir, arrows) => {
  const packageDir = resolve(dir);
  const problems = [];
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const name = manifest.name.startsWith(SCOPE) ? shortName(manifest.name) : manifest.name;
  const allowed = arrows.packages[name];
  if (allowed === undefined) {
    return [`${manifest.name}: not in tools/deps/arrows.json; add it where shared/design.md places it`];
  }
  const testAllowed = [...allowed, ...arrows.testOnly.filter((t) => t !== name)];
  const declared = new Set();
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
    for (const dep of Object.keys(manifest[field] ?? {})) {
      if (!dep.startsWith(SCOPE)) continue;
      declared.add(shortName(dep));
      const ok = field === 'devDependencies' ? testAllowed : allowed;
      if (!ok.includes(shortName(dep))) {
        problems.push(
          `${manifest.name}: ${field} has ${dep}, against the arrows (${name} may use: ${ok.join(', ') || 'no @sparsevd package'})`,
        );
      }
    }
  }
  for (const [dir, ok] of [
    ['src', allowed],
    ['test', testAllowed],
  ]) {
    const files = sourceFiles(join(packageDir, dir));
    const fileSet = new Set(files);
    const graph = new Map();
    for (const file of files) {
      const edges = [];
      for (const spec of importsOf(file)) {
        const where = relative(packageDir, file);
        if (spec.startsWith(SCOPE)) {
          const target = shortName(spec);
          if (target === name) {
            if (dir === 'src')
              problems.push(`${where}: imports its own package "${spec}"; use a relative import`);
          } else if (!ok.includes(target)) {
            problems.push(
              `${where}: imports "${spec}", against the arrows (${name} may use: ${ok.join(', ') || 'no @sparsevd package'})`,
            );
          } else if (!declared.has(target)) {
            problems.push(
              `${where}: imports "${spec}" but ${manifest.name}'s package.json does not declare it`,
            );
          }
        } else if (spec.startsWith('.')) {
          const target = resolveRelative(file, spec, fileSet);
          if (target) edges.push(target);
        }
      }
      graph.set(file, edges);
    }
    for (const cycle of findCycles(graph)) {
      problems.push(`import cycle: ${cycle.map((f) => relative(packageDir, f)).join(' -> ')}`);
    }
  }
  return problems;
};
