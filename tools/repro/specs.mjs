// The runs of the reproduction: one small JSON file per run in tools/repro/runs/ (model, dataset, method,
// protocol, seed and the few options that differ), turned into the `sparsevd train` command that runs it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPRO_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(REPRO_DIR, '..', '..');
/** The run configurations (committed). */
export const SPECS_DIR = join(REPRO_DIR, 'runs');
/** Where runs train: their checkpoints live here, ignored by git. */
export const WORK_DIR = join(ROOT, '.repro');
/** Where a run's small outputs are committed. */
export const RESULTS_DIR = join(ROOT, 'docs', 'results', 'runs');

const MODELS = ['lenet300', 'lenet5', 'vgg'];
/**
 * `dense`: the baseline; `magnitude`: the dense baseline pruned by weight magnitude while it trains, layer by layer
 * to the sparsity of the SparseVD run named by `sparsityOf`; the others as `sparsevd train --method` names them.
 */
const METHODS = ['sparsevd', 'dense', 'magnitude', 'sbp', 'sbp+sparsevd'];
const DATASETS = ['mnist', 'fashion-mnist', 'cifar10'];
const KEYS = new Set([
  'model',
  'dataset',
  'method',
  'protocol',
  'seed',
  'epochs',
  'klWarmup',
  'pretrainRegularizer',
  'randomLabels',
  'trainSubset',
  'sparsityOf',
  'denseRun',
  'initFrom',
  'note',
]);

/**
 * Checks one run configuration; returns the list of problems (empty when it can run), each naming the file
 * and the field.
 */
export const specProblems = (name, spec) => {
  const problems = [];
  const bad = (field, detail) => problems.push(`${name}.json: ${field}: ${detail}`);
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec))
    return [`${name}.json: not an object`];
  for (const key of Object.keys(spec)) if (!KEYS.has(key)) bad(key, 'unknown field');
  if (!MODELS.includes(spec.model)) bad('model', `expected one of ${MODELS.join(', ')}, got ${spec.model}`);
  if (!DATASETS.includes(spec.dataset))
    bad('dataset', `expected one of ${DATASETS.join(', ')}, got ${spec.dataset}`);
  if (!METHODS.includes(spec.method))
    bad('method', `expected one of ${METHODS.join(', ')}, got ${spec.method}`);
  if (!['paper', 'default'].includes(spec.protocol))
    bad('protocol', `expected paper (200 epochs, the authors' schedule) or default, got ${spec.protocol}`);
  if (!Number.isInteger(spec.seed)) bad('seed', `must be an integer, got ${spec.seed}`);
  for (const field of ['epochs', 'trainSubset'])
    if (spec[field] !== undefined && !(Number.isInteger(spec[field]) && spec[field] > 0))
      bad(field, `must be a positive integer, got ${spec[field]}`);
  if (spec.klWarmup !== undefined && typeof spec.klWarmup !== 'string')
    bad('klWarmup', 'must be a string (paper, none or START:END)');
  if (spec.pretrainRegularizer !== undefined && !['dropout+l2', 'none'].includes(spec.pretrainRegularizer))
    bad('pretrainRegularizer', `expected dropout+l2 or none, got ${spec.pretrainRegularizer}`);
  if (spec.randomLabels !== undefined && typeof spec.randomLabels !== 'boolean')
    bad('randomLabels', 'must be true or false');
  if (spec.method === 'magnitude') {
    for (const field of ['sparsityOf', 'denseRun'])
      if (typeof spec[field] !== 'string') bad(field, 'a magnitude run names the run it is compared with');
  } else {
    for (const field of ['sparsityOf', 'denseRun'])
      if (spec[field] !== undefined) bad(field, 'only a magnitude run takes it');
  }
  if (spec.initFrom !== undefined) {
    if (typeof spec.initFrom !== 'string' || spec.initFrom === '' || spec.initFrom === name)
      bad(
        'initFrom',
        `must name another run (its file's name, without .json), got ${JSON.stringify(spec.initFrom)}`,
      );
    if (!['sparsevd', 'sbp', 'sbp+sparsevd'].includes(spec.method))
      bad('initFrom', `only a sparsevd, sbp or sbp+sparsevd run starts from another run, not ${spec.method}`);
    if (spec.pretrainRegularizer !== undefined)
      bad('initFrom', 'replaces the pretraining; drop pretrainRegularizer');
  }
  return problems;
};

/**
 * The fractions of weights removed per layer by a published SparseVD run (from its report.json), to six decimals
 * (exact counts for layers of up to 500 000 weights); throws, naming the command, when it is not published.
 */
export const publishedSparsity = (name, resultsDir = RESULTS_DIR) => {
  const path = join(resultsDir, name, 'report.json');
  if (!existsSync(path))
    throw new Error(`${name} has no published report.json yet; run it first: ${commandLine(name)}`);
  const report = JSON.parse(readFileSync(path, 'utf8'));
  return report.layers.map((l) => ((l.weights - l.kept) / l.weights).toFixed(6));
};

/**
 * Where a run named by `initFrom` keeps its checkpoint, as the repository root sees it (`.repro/NAME`): the
 * reproduction runs the CLI from the root, and the same path is what a person types there.
 */
export const initFromDir = (name) => join('.repro', name);

/**
 * The epochs a run's metrics.jsonl holds when it has finished: an SBP method under the paper protocol pretrains
 * for 200 first, unless it starts from another run (`initFrom`), which replaces the pretraining.
 */
export const targetEpochs = (spec) =>
  (spec.protocol === 'paper' && spec.method.startsWith('sbp') && spec.initFrom === undefined ? 200 : 0) +
  (spec.epochs ?? (spec.protocol === 'paper' ? 200 : 20));

/** The `sparsevd train` flags of a run (without `--out` and `--backend`). */
export const trainFlags = (spec, resultsDir = RESULTS_DIR) => [
  '--model',
  spec.model,
  '--dataset',
  spec.dataset,
  ...(spec.protocol === 'paper' ? ['--protocol', 'paper'] : []),
  ...(spec.method === 'dense' ? ['--dense'] : []),
  ...(spec.method === 'magnitude'
    ? ['--dense', '--magnitude-sparsity', publishedSparsity(spec.sparsityOf, resultsDir).join(',')]
    : []),
  ...(spec.method === 'sbp' || spec.method === 'sbp+sparsevd' ? ['--method', spec.method] : []),
  ...(spec.epochs === undefined ? [] : ['--epochs', String(spec.epochs)]),
  ...(spec.klWarmup === undefined ? [] : ['--kl-warmup', spec.klWarmup]),
  ...(spec.pretrainRegularizer === undefined ? [] : ['--pretrain-regularizer', spec.pretrainRegularizer]),
  ...(spec.initFrom === undefined ? [] : ['--init-from', initFromDir(spec.initFrom)]),
  ...(spec.randomLabels === true ? ['--random-labels'] : []),
  ...(spec.trainSubset === undefined ? [] : ['--train-subset', String(spec.trainSubset)]),
  '--seed',
  String(spec.seed),
];

/** Every run configuration, by name (the file's name), sorted; throws on a configuration that cannot run. */
export const loadSpecs = (dir = SPECS_DIR) => {
  const specs = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const name = basename(f, '.json');
      let spec;
      try {
        spec = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      } catch (error) {
        throw new Error(`${join(dir, f)}: not valid JSON (${error.message})`);
      }
      const problems = specProblems(name, spec);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return { name, spec };
    });
  const byName = new Map(specs.map(({ name, spec }) => [name, spec]));
  const unknown = [...byName]
    .filter(([, spec]) => spec.initFrom !== undefined && !byName.has(spec.initFrom))
    .map(([name, spec]) => `${name}.json: initFrom: no run named ${spec.initFrom} in ${dir}`);
  if (unknown.length > 0) throw new Error(unknown.join('\n'));
  return byName;
};

/** The command line a person types to run one configuration by hand, as the reproduction runs it. */
export const commandLine = (name) => `node tools/repro/run.mjs ${name}`;
