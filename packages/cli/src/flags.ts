import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, type BackendChoice, parseBackendChoice } from '@sparsevd/backend';
import { KL_APPROXIMATIONS, type KlApproximationName } from '@sparsevd/kl';
import {
  DATASET_IDS,
  type DatasetId,
  DEFAULT_CONFIG,
  type KlSchedule,
  type MagnitudePruning,
  METHODS,
  type Method,
  MODEL_IDS,
  type ModelId,
  PRETRAIN_REGULARIZERS,
  type PretrainRegularizer,
  paperProtocol,
  sbpProtocol,
  type TrainConfig,
  validateConfig,
} from '@sparsevd/train';
import * as E from 'fp-ts/lib/Either.js';
import { asFlagMessage, type CliError, usageError } from './cli-error.js';

/** A parsed command line. */
export type Command =
  | {
      readonly name: 'train';
      readonly config: TrainConfig;
      readonly backend: BackendChoice;
      readonly out: string | undefined;
    }
  | { readonly name: 'resume'; readonly dir: string; readonly backend: BackendChoice }
  | { readonly name: 'eval'; readonly dir: string; readonly backend: BackendChoice }
  | {
      readonly name: 'export';
      readonly dir: string;
      readonly backend: BackendChoice;
      /**
       * `csr`: the project's sparse file (version 1); `spvd`: its smallest form (version 2: quantised, packed);
       * `tfjs`: a stock TensorFlow.js layers model (a directory); `tfjs-graph`: a stock TensorFlow.js graph model
       * (a directory; the input selection a gather).
       */
      readonly format: 'csr' | 'spvd' | 'tfjs' | 'tfjs-graph';
      readonly quantize: 8 | 'float16' | 'uint8' | undefined;
      /** spvd: bits per weight for every layer, or the error budget (fraction) of the bit sweep. */
      readonly bits?: number;
      readonly errorBudget?: number;
      readonly out: string | undefined;
    }
  | { readonly name: 'report'; readonly dir: string }
  | { readonly name: 'help' };

export const USAGE = `usage:
  sparsevd train [--model lenet300|lenet5|vgg] [--dataset mnist|fashion-mnist|cifar10] [--data-dir DIR]
                 [--epochs N] [--batch-size N] [--lr X] [--kl-warmup paper|none|START:END] [--threshold X]
                 [--train-clip | --no-train-clip] [--kl molchanov|kingma] [--seed N]
                 [--backend ${BACKEND_CHOICES.join('|')}]
                 [--dense [--magnitude-sparsity S[,S…] [--magnitude-epochs START:END]]] [--random-labels] [--pretrain-epochs N [--pretrain-regularizer dropout+l2|none] | --init-from RUN_DIR] [--protocol paper] [--vgg-width K]
                 [--method sparsevd|sbp|sbp+sparsevd]
                 [--train-subset N] [--test-subset N] [--out DIR]
  sparsevd resume DIR [--backend B]      continue an interrupted run from its checkpoint
  sparsevd eval DIR [--backend B]        test error of the pruned network and its compression
  sparsevd eval FILE.spvd|TFJS_DIR       test error of an export, read as it ships (MNIST)
  sparsevd export DIR --format csr [--quantize 8] [--out FILE]   write the sparse model (CSR)
  sparsevd export DIR --format tfjs [--quantize float16|uint8] --out OUTDIR
                                         a stock tfjs-layers model (model.json + weights.bin), compacted
  sparsevd export DIR --format tfjs-graph [--quantize float16|uint8] --out OUTDIR
                                         the same as a stock tfjs graph model (tf.loadGraphModel)
  sparsevd export DIR --format spvd [--bits N | --error-budget PP] [--out FILE]
                                         the smallest sparse file: bits per layer chosen on a validation split
  sparsevd report DIR                    print the summary and redraw the plots
defaults: LeNet-300-100 on MNIST, ${DEFAULT_CONFIG.epochs} epochs (the authors' schedule compressed), batch ${DEFAULT_CONFIG.batchSize}, lr ${DEFAULT_CONFIG.lr}, threshold ${DEFAULT_CONFIG.threshold}`;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

const num = (flag: string, value: string | undefined): E.Either<CliError, number | undefined> => {
  if (value === undefined) return E.right(undefined);
  return NUMBER.test(value.trim())
    ? E.right(Number(value))
    : E.left(usageError(`--${flag}: "${value}" is not a number`));
};

const klWarmup = (value: string | undefined): E.Either<CliError, KlSchedule | undefined> => {
  if (value === undefined) return E.right(undefined);
  if (value === 'paper') return E.right({ kind: 'paper' });
  if (value === 'none') return E.right({ kind: 'constant', value: 1 });
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value);
  if (m !== null) return E.right({ kind: 'linear', start: Number(m[1]), end: Number(m[2]) });
  return E.left(usageError(`--kl-warmup: "${value}" is not paper, none or START:END (epochs)`));
};

/**
 * `--magnitude-sparsity S[,S…]` (fractions removed: one for every weight layer, or one per layer) and
 * `--magnitude-epochs START:END` (default: the first 10 % of the epochs dense, pruned by half-way; the rest,
 * under the paper schedule's learning-rate decay, fine-tune).
 */
const magnitudeFlags = (
  sparsity: string | undefined,
  epochsFlag: string | undefined,
  epochs: number,
): E.Either<CliError, MagnitudePruning | undefined> => {
  if (sparsity === undefined) {
    return epochsFlag === undefined
      ? E.right(undefined)
      : E.left(usageError('--magnitude-epochs needs --magnitude-sparsity'));
  }
  const fractions = sparsity.split(',').map((s) => s.trim());
  const bad = fractions.find((f) => !NUMBER.test(f));
  if (bad !== undefined)
    return E.left(
      usageError(`--magnitude-sparsity: "${bad}" is not a number (fractions such as 0.98,0.9,0.5)`),
    );
  let startEpoch = Math.round(epochs * 0.1);
  let endEpoch = Math.max(startEpoch + 1, Math.round(epochs * 0.5));
  if (epochsFlag !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(epochsFlag);
    if (m === null)
      return E.left(usageError(`--magnitude-epochs: "${epochsFlag}" is not START:END (epochs)`));
    startEpoch = Number(m[1]);
    endEpoch = Number(m[2]);
  }
  return E.right({ sparsity: fractions.map(Number), startEpoch, endEpoch });
};

const oneOf = <T extends string>(
  flag: string,
  value: string | undefined,
  allowed: ReadonlyArray<T>,
): E.Either<CliError, T | undefined> =>
  value === undefined || (allowed as ReadonlyArray<string>).includes(value)
    ? E.right(value as T | undefined)
    : E.left(usageError(`--${flag}: unknown ${flag} "${value}"; expected one of ${allowed.join(', ')}`));

const backendFlag = (value: string | undefined): E.Either<CliError, BackendChoice> =>
  value === undefined
    ? E.right('auto')
    : E.mapLeft(() =>
        usageError(`--backend: unknown backend "${value}"; expected one of ${BACKEND_CHOICES.join(', ')}`),
      )(parseBackendChoice(value, '--backend'));

const TRAIN_FLAGS = {
  model: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'kl-warmup': { type: 'string' },
  kl: { type: 'string' },
  threshold: { type: 'string' },
  'train-clip': { type: 'boolean' },
  'no-train-clip': { type: 'boolean' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  dense: { type: 'boolean' },
  'magnitude-sparsity': { type: 'string' },
  'magnitude-epochs': { type: 'string' },
  'random-labels': { type: 'boolean' },
  'pretrain-epochs': { type: 'string' },
  'pretrain-regularizer': { type: 'string' },
  'init-from': { type: 'string' },
  protocol: { type: 'string' },
  method: { type: 'string' },
  'vgg-width': { type: 'string' },
  'train-subset': { type: 'string' },
  'test-subset': { type: 'string' },
  out: { type: 'string' },
} as const;

const parseTrain = (args: string[]): E.Either<CliError, Command> => {
  const { values: v } = parseArgs({ args, options: TRAIN_FLAGS, strict: true, allowPositionals: false });
  const numbers: Record<string, number | undefined> = {};
  for (const flag of [
    'epochs',
    'batch-size',
    'lr',
    'threshold',
    'seed',
    'pretrain-epochs',
    'vgg-width',
    'train-subset',
    'test-subset',
  ] as const) {
    const parsed = num(flag, v[flag]);
    if (E.isLeft(parsed)) return parsed;
    numbers[flag] = parsed.right;
  }
  const model = oneOf<ModelId>('model', v.model, MODEL_IDS);
  if (E.isLeft(model)) return model;
  const dataset = oneOf<DatasetId>('dataset', v.dataset, DATASET_IDS);
  if (E.isLeft(dataset)) return dataset;
  const protocol = oneOf('protocol', v.protocol, ['paper'] as const);
  if (E.isLeft(protocol)) return protocol;
  const method = oneOf<Method>('method', v.method, METHODS);
  if (E.isLeft(method)) return method;
  const regularizer = oneOf<PretrainRegularizer>(
    'pretrain-regularizer',
    v['pretrain-regularizer'],
    PRETRAIN_REGULARIZERS,
  );
  if (E.isLeft(regularizer)) return regularizer;
  const warmup = klWarmup(v['kl-warmup']);
  if (E.isLeft(warmup)) return warmup;
  const kl = oneOf<KlApproximationName>('kl', v.kl, Object.keys(KL_APPROXIMATIONS) as KlApproximationName[]);
  if (E.isLeft(kl)) return kl;
  const backend = backendFlag(v.backend);
  if (E.isLeft(backend)) return backend;
  if (v['init-from'] !== undefined && (numbers['pretrain-epochs'] ?? 0) > 0)
    return E.left(
      usageError('--init-from and --pretrain-epochs exclude each other: a run starts from one or the other'),
    );
  if (v['train-clip'] === true && v['no-train-clip'] === true)
    return E.left(usageError('--train-clip and --no-train-clip contradict each other'));

  const modelId = model.right ?? DEFAULT_CONFIG.model;
  const datasetId = dataset.right ?? (modelId === 'vgg' ? 'cifar10' : DEFAULT_CONFIG.dataset);
  const set = <K extends keyof TrainConfig>(key: K, value: TrainConfig[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  let config: TrainConfig = {
    ...DEFAULT_CONFIG,
    trainClip: modelId === 'lenet300',
    ...(protocol.right === 'paper'
      ? method.right === 'sbp' || method.right === 'sbp+sparsevd'
        ? sbpProtocol(method.right)
        : paperProtocol(modelId)
      : {}),
    ...set('method', method.right),
    model: modelId,
    dataset: datasetId,
    ...set('dataDir', v['data-dir']),
    ...set('epochs', numbers.epochs),
    ...set('batchSize', numbers['batch-size']),
    ...set('lr', numbers.lr),
    ...set('klSchedule', warmup.right),
    ...set('threshold', numbers.threshold),
    ...set('kl', kl.right),
    ...(v['train-clip'] === true
      ? { trainClip: true }
      : v['no-train-clip'] === true
        ? { trainClip: false }
        : {}),
    ...set('seed', numbers.seed),
    ...(v.dense === true ? { dense: true } : {}),
    ...(v['random-labels'] === true ? { randomLabels: true } : {}),
    ...set('pretrainEpochs', numbers['pretrain-epochs']),
    ...(numbers['pretrain-epochs'] !== undefined && numbers['pretrain-epochs'] > 0
      ? { logSigma2Init: -15 }
      : {}),
    ...set('pretrainRegularizer', regularizer.right),
    // Starting from a finished run replaces the pretraining (of --protocol paper too); its SparseVD layers
    // start at log σ² −15 where the run had none (an ordinary network's weights), as after pretraining.
    ...(v['init-from'] === undefined
      ? {}
      : { initFrom: v['init-from'], pretrainEpochs: 0, logSigma2Init: -15 }),
    ...set('vggWidth', numbers['vgg-width']),
    ...set('trainSubset', numbers['train-subset']),
    ...set('testSubset', numbers['test-subset']),
  };
  const magnitude = magnitudeFlags(v['magnitude-sparsity'], v['magnitude-epochs'], config.epochs);
  if (E.isLeft(magnitude)) return magnitude;
  if (magnitude.right !== undefined) config = { ...config, magnitude: magnitude.right };
  return E.bimap(
    (e: { message: string }) => usageError(asFlagMessage(e.message)),
    (valid: TrainConfig): Command => ({ name: 'train', config: valid, backend: backend.right, out: v.out }),
  )(validateConfig(config));
};

const parseDirCommand = (
  name: 'resume' | 'eval' | 'report' | 'export',
  args: string[],
): E.Either<CliError, Command> => {
  const options = {
    backend: { type: 'string' },
    format: { type: 'string' },
    quantize: { type: 'string' },
    bits: { type: 'string' },
    'error-budget': { type: 'string' },
    out: { type: 'string' },
  } as const;
  const { values: v, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
  if (positionals.length !== 1)
    return E.left(usageError(`${name} takes one run directory, got ${positionals.length}`));
  const dir = positionals[0] as string;
  if (
    name !== 'export' &&
    (v.format !== undefined ||
      v.quantize !== undefined ||
      v.bits !== undefined ||
      v['error-budget'] !== undefined)
  ) {
    return E.left(
      usageError(`--format, --quantize, --bits and --error-budget belong to export, not ${name}`),
    );
  }
  const backend = backendFlag(v.backend);
  if (E.isLeft(backend)) return backend;
  switch (name) {
    case 'report':
      return E.right({ name, dir });
    case 'resume':
    case 'eval':
      return E.right({ name, dir, backend: backend.right });
    case 'export': {
      const format = v.format ?? 'csr';
      if (format !== 'csr' && format !== 'tfjs' && format !== 'tfjs-graph' && format !== 'spvd')
        return E.left(
          usageError(`--format: "${v.format}" is not supported; expected csr, spvd, tfjs or tfjs-graph`),
        );
      const stock = format === 'tfjs' || format === 'tfjs-graph';
      if (format !== 'spvd' && (v.bits !== undefined || v['error-budget'] !== undefined))
        return E.left(usageError('--bits and --error-budget belong to --format spvd'));
      if (format === 'spvd' && v.quantize !== undefined)
        return E.left(
          usageError('--quantize: spvd chooses its own quantisation; use --bits N or --error-budget PP'),
        );
      if (v.bits !== undefined && v['error-budget'] !== undefined)
        return E.left(usageError('--bits and --error-budget contradict each other: give one'));
      const bits = num('bits', v.bits);
      if (E.isLeft(bits)) return bits;
      if (bits.right !== undefined && !(Number.isInteger(bits.right) && bits.right >= 1 && bits.right <= 16))
        return E.left(usageError(`--bits: ${v.bits} is not a whole number from 1 to 16`));
      const budget = num('error-budget', v['error-budget']);
      if (E.isLeft(budget)) return budget;
      if (budget.right !== undefined && !(budget.right >= 0 && budget.right <= 100))
        return E.left(usageError(`--error-budget: ${v['error-budget']} is not a percentage from 0 to 100`));
      if (format === 'csr' && v.quantize !== undefined && v.quantize !== '8')
        return E.left(usageError(`--quantize: csr takes 8 (bits), got "${v.quantize}"`));
      if (stock && v.quantize !== undefined && v.quantize !== 'float16' && v.quantize !== 'uint8')
        return E.left(usageError(`--quantize: ${format} takes float16 or uint8, got "${v.quantize}"`));
      if (stock && v.out === undefined)
        return E.left(usageError(`--out: --format ${format} writes a directory; name it with --out OUTDIR`));
      return E.right({
        name,
        dir,
        backend: backend.right,
        format,
        ...(bits.right === undefined ? {} : { bits: bits.right }),
        ...(budget.right === undefined ? {} : { errorBudget: budget.right / 100 }),
        quantize:
          v.quantize === undefined ? undefined : v.quantize === '8' ? 8 : (v.quantize as 'float16' | 'uint8'),
        out: v.out,
      });
    }
  }
};

/**
 * Parses the command line (without `node` and the script). Every mistake is a `Left` with one line that
 * names the flag and the problem; the command exits with code 2 on it.
 */
export const parseCommand = (argv: ReadonlyArray<string>): E.Either<CliError, Command> => {
  const [name, ...given] = argv;
  // `--epochs -3` would read as two flags; join a negative number to its flag so validation can name it.
  const rest = given.reduce<string[]>((out, arg) => {
    const previous = out[out.length - 1];
    if (previous?.startsWith('--') && !previous.includes('=') && /^-\d|^-\.\d/.test(arg))
      out[out.length - 1] = `${previous}=${arg}`;
    else out.push(arg);
    return out;
  }, []);
  // `sparsevd train --help` (or -h anywhere) shows the usage rather than an unknown-option error.
  if (rest.includes('--help') || rest.includes('-h')) return E.right({ name: 'help' });
  try {
    switch (name) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return E.right({ name: 'help' });
      case 'train':
        return parseTrain(rest);
      case 'resume':
      case 'eval':
      case 'report':
      case 'export':
        return parseDirCommand(name, rest);
      default:
        return E.left(
          usageError(`unknown command "${name}"; expected train, resume, eval, export or report`),
        );
    }
  } catch (error) {
    // parseArgs throws on unknown flags and missing values; its message names the flag.
    return E.left(usageError((error as Error).message.split('\n')[0] ?? 'bad arguments'));
  }
};
