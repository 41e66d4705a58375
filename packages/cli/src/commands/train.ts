import { readdir, readFile, stat } from 'node:fs/promises';
import type { BackendChoice } from '@sparsevd/backend';
import { KL_APPROXIMATIONS } from '@sparsevd/kl';
import { disposeParams } from '@sparsevd/layers';
import {
  type Checkpoint,
  type EpochMetrics,
  type TrainConfig,
  type TrainEvent,
  train,
} from '@sparsevd/train';
import { fileCheckpointStore, loadRunData, readCheckpoint } from '@sparsevd/train/node';
import * as E from 'fp-ts/lib/Either.js';
import { asFlagMessage, type CliError, failure, usageError } from '../cli-error.js';
import { machineLine } from '../machine.js';
import { progressReporter } from '../progress.js';
import { appendMetrics, defaultRunDir, ensureDir, runFiles, writeJson, writeMetrics } from '../run-dir.js';
import { runSparsity, startBackend, writeOutputs } from '../run-state.js';
import { backendLine, summaryTable } from '../summary.js';

/** Where the command prints: progress and errors to stderr, results to stdout. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: NodeJS.WriteStream;
}

/** Exit code when SIGINT stopped the run after saving a checkpoint. */
export const INTERRUPTED = 130;

/**
 * Runs (or resumes) training into a run directory: `config.json`, `metrics.jsonl` (one line per epoch),
 * `checkpoint.ckpt` after every epoch, then `report.json` and the SVG plots; a progress bar while it runs
 * and a summary table at the end. SIGINT saves a checkpoint and exits cleanly (resume it later).
 */
export const runTraining = async (
  config: TrainConfig,
  backendChoice: BackendChoice,
  dir: string,
  io: Io,
  resume?: Checkpoint,
  initialWeights?: Checkpoint['params'],
): Promise<E.Either<CliError, number>> => {
  const files = runFiles(dir);
  const backend = await startBackend(backendChoice, config, true);
  if (E.isLeft(backend)) return backend;
  const data = await loadRunData(config)();
  if (E.isLeft(data))
    return E.left(
      data.left._tag === 'TrainError'
        ? usageError(asFlagMessage(data.left.message))
        : failure(data.left.message),
    );
  const trainSize = data.right.train.labels.length;
  if (config.batchSize > trainSize) {
    return E.left(
      usageError(`--batch-size: ${config.batchSize} is larger than the ${trainSize} training examples`),
    );
  }
  await ensureDir(dir);
  if (resume === undefined) {
    await writeJson(files.config, {
      config,
      backend: backendLine(backend.right),
      startedAt: new Date().toISOString(),
    });
    await writeMetrics(files.metrics, []);
  } else {
    // The checkpoint is the truth: epochs finished after it (killed before it was replaced) are run again. A
    // pretraining checkpoint holds the pretraining epochs so far; a main-phase one the main phase's epochs only,
    // the pretraining epochs (all finished before it) staying as recorded.
    await writeMetrics(
      files.metrics,
      resume.phase === 'pretrain'
        ? resume.metrics
        : [...(await pretrainingEpochs(files.metrics)), ...resume.metrics],
    );
  }
  io.err.write(
    `sparsevd: ${resume === undefined ? 'training' : `resuming${resume.phase === 'pretrain' ? ' the pretraining' : ''} at epoch ${resume.position.epoch + 1}, step ${resume.position.step}:`} ${config.model} on ${config.dataset}` +
      ` (${data.right.train.labels.length} training / ${data.right.test.labels.length} test examples), ${config.epochs} epochs,` +
      ` backend ${backendLine(backend.right)} → ${dir}\n`,
  );
  if (config.kl !== undefined && config.kl !== 'molchanov')
    io.err.write(`sparsevd: KL: ${KL_APPROXIMATIONS[config.kl].description}\n`);
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(INTERRUPTED); // a second Ctrl-C does not wait
    stop = true;
    io.err.write(
      '\nsparsevd: interrupted — saving a checkpoint at the next step (Ctrl-C again to quit now)\n',
    );
  };
  process.on('SIGINT', onSigint);
  const show = progressReporter(io.err);
  const pending: Promise<void>[] = [];
  const onEvent = (event: TrainEvent) => {
    show(event);
    // One append after the other: concurrent appends can land out of order when epochs end faster than the file
    // system answers (tiny runs), and metrics.jsonl is read in order.
    if (event.type === 'epoch-end') {
      const previous = pending[pending.length - 1] ?? Promise.resolve();
      const metrics = event.metrics;
      pending.push(previous.then(() => appendMetrics(files.metrics, metrics)));
    }
  };
  try {
    const result = await train(config, data.right, {
      onEvent,
      checkpoints: fileCheckpointStore(files.checkpoint),
      shouldStop: () => stop,
      // SPARSEVD_FUSED=0 composes tfjs ops instead of the backend's fused kernels (same results; comparisons).
      fusedKernels: process.env.SPARSEVD_FUSED !== '0',
      machine: machineLine(backendLine(backend.right)),
      ...(resume === undefined ? {} : { resume }),
      ...(initialWeights === undefined ? {} : { initialWeights }),
    })();
    await Promise.all(pending);
    if (E.isLeft(result))
      return E.left(
        failure(result.left.problem === 'Config' ? asFlagMessage(result.left.message) : result.left.message),
      );
    const { network, params, metrics, interrupted } = result.right;
    if (interrupted) {
      io.err.write(
        `sparsevd: checkpoint saved in ${files.checkpoint}; continue with: sparsevd resume ${dir}\n`,
      );
      disposeParams(params);
      return E.right(INTERRUPTED);
    }
    const written = await writeOutputs(dir, config, metrics, network, params, backend.right);
    const { report } = runSparsity(config, network, params);
    io.out(
      `\n${summaryTable(config, metrics, report, backendLine(backend.right))}\n\nwrote ${[files.metrics, files.checkpoint, ...written].join(', ')}\n`,
    );
    disposeParams(params);
    return E.right(0);
  } finally {
    process.off('SIGINT', onSigint);
  }
};

/** The pretraining epochs recorded in a run's metrics.jsonl (none when it is absent; unreadable lines skipped). */
const pretrainingEpochs = async (path: string): Promise<EpochMetrics[]> => {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    try {
      const m = JSON.parse(line) as EpochMetrics;
      return m.phase === 'pretrain' ? [m] : [];
    } catch {
      return [];
    }
  });
};

/**
 * Whether `dir` may receive a new run: it must not exist, or be an empty directory. Anything else — a
 * directory holding files (another run, or files that are not the program's), or a file — is refused, so a
 * new run never replaces a file it did not write; continuing a run is `resume`'s job.
 */
export const checkNewRunDir = async (dir: string): Promise<E.Either<CliError, string>> => {
  let entries: string[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) return E.left(usageError(`--out: ${dir} exists and is not a directory`));
    entries = await readdir(dir);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return E.right(dir);
    return E.left(usageError(`--out: cannot read ${dir}: ${(error as Error).message}`));
  }
  if (entries.length === 0) return E.right(dir);
  const shown = entries.sort().slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  return E.left(
    usageError(
      entries.includes('config.json')
        ? `--out: ${dir} already holds a run (config.json); choose another directory, or continue it with: sparsevd resume ${dir}`
        : `--out: ${dir} is not empty (${shown}); a new run needs a new or empty directory`,
    ),
  );
};

/** `sparsevd train`: trains into a new or empty directory (see {@link checkNewRunDir}). */
export const trainCommand = async (
  config: TrainConfig,
  backend: BackendChoice,
  out: string | undefined,
  io: Io,
): Promise<E.Either<CliError, number>> => {
  const dir = await checkNewRunDir(out ?? defaultRunDir(config.model, config.dataset));
  if (E.isLeft(dir)) return dir;
  if (config.initFrom === undefined) return runTraining(config, backend, dir.right, io);
  const start = await startingWeights(config.initFrom, config);
  if (E.isLeft(start)) return start;
  return runTraining(config, backend, dir.right, io, undefined, start.right);
};

/** The weights of the finished run `--init-from` names (its checkpoint's parameters), checked against `config`. */
const startingWeights = async (
  from: string,
  config: TrainConfig,
): Promise<E.Either<CliError, Checkpoint['params']>> => {
  const path = runFiles(from).checkpoint;
  const read = await readCheckpoint(path)();
  if (E.isLeft(read)) {
    return E.left(
      read.left.message.includes('ENOENT') || read.left.message.includes('no such file')
        ? usageError(`--init-from: ${from} holds no checkpoint.ckpt; is it a sparsevd run directory?`)
        : failure(`--init-from: ${read.left.message}`),
    );
  }
  const source = read.right;
  if (source.phase === 'pretrain')
    return E.left(
      usageError(
        `--init-from: ${from} is still in its pretraining; finish it first (sparsevd resume ${from})`,
      ),
    );
  if (source.config.model !== config.model)
    return E.left(
      usageError(`--init-from: ${from} trained ${source.config.model}; this run trains ${config.model}`),
    );
  return E.right(source.params);
};
