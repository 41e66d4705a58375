import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finiteJson } from '@sparsevd/pruning';
import type { EpochMetrics } from '@sparsevd/train';

/** The files of a run directory. */
export const runFiles = (dir: string) => ({
  config: join(dir, 'config.json'),
  metrics: join(dir, 'metrics.jsonl'),
  report: join(dir, 'report.json'),
  checkpoint: join(dir, 'checkpoint.ckpt'),
  trainingPlot: join(dir, 'training.svg'),
  logAlphaPlot: join(dir, 'log-alpha.svg'),
  inputsPlot: join(dir, 'first-layer-inputs.svg'),
  sparseModel: join(dir, 'model.spvd'),
});

/** Writes a file atomically (temporary file + rename). */
export const writeAtomic = async (path: string, text: string | Uint8Array): Promise<void> => {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
};

/** Writes JSON atomically; NaN or ±∞ anywhere in it is an error rather than a silent `null`. */
export const writeJson = (path: string, value: unknown): Promise<void> =>
  writeAtomic(path, `${finiteJson(value, 2)}\n`);

export const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;

export const ensureDir = (dir: string): Promise<string | undefined> => mkdir(dir, { recursive: true });

/** Appends one epoch to `metrics.jsonl`. */
export const appendMetrics = (path: string, metrics: EpochMetrics): Promise<void> =>
  appendFile(path, `${finiteJson(metrics)}\n`);

/** Rewrites `metrics.jsonl` from a list (on resume, from the checkpoint, so it matches the run exactly). */
export const writeMetrics = (path: string, metrics: ReadonlyArray<EpochMetrics>): Promise<void> =>
  writeAtomic(path, metrics.map((m) => `${finiteJson(m)}\n`).join(''));

/** A default run directory: `runs/<model>-<dataset>-<UTC timestamp>`. */
export const defaultRunDir = (model: string, dataset: string, now = new Date()): string =>
  join(
    'runs',
    `${model}-${dataset}-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`,
  );
