import * as TE from 'fp-ts/lib/TaskEither.js';

/**
 * Loads an optional package by name. The default is Node's dynamic `import()`; tests inject their own to
 * simulate a package that is installed, missing, or that throws while loading.
 */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

/** The loader used when none is injected: a plain dynamic `import()`. */
export const importModule: ModuleLoader = (specifier) => import(specifier);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const isNotFound = (error: unknown, specifier: string): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return false;
  // Only the package itself missing means "not installed"; a missing dependency *of* it is a broken install.
  // Node says `Cannot find package 'x'` / `Cannot find module 'x'`; bundlers and test runners that resolve
  // imports themselves (vite, vitest) say `Could not resolve "x"` or `Failed to resolve import "x"`.
  const quoted = `['"]${escapeRegExp(specifier)}['"]`;
  const nodeSays =
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    new RegExp(`Cannot find (package|module) ${quoted}`).test(message);
  const bundlerSays = new RegExp(
    `^(Could not resolve|Failed to resolve import|Failed to load url) ${quoted}`,
  ).test(message);
  return nodeSays || bundlerSays;
};

/** One line from anything thrown. */
export const describeError = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'unknown error';
};

/**
 * Loads an optional package, turning failure into a reason a person can act on:
 * `"<pkg> not installed"` when the package is absent, `"<pkg> failed to load: <first line>"` otherwise.
 */
export const loadOptional = (loader: ModuleLoader, specifier: string): TE.TaskEither<string, unknown> =>
  TE.tryCatch(
    () => loader(specifier),
    (error) =>
      isNotFound(error, specifier)
        ? `${specifier} not installed`
        : `${specifier} failed to load: ${describeError(error)}`,
  );
