import { DEFAULT_CONFIG, type TrainConfig } from '@sparsevd/train';

/** What the page's controls set: a LeNet-300-100 SparseVD run on MNIST. */
export interface Settings {
  readonly epochs: number;
  /** The first N training images (of 60 000). */
  readonly trainSubset: number;
  /** The first N test images (of 10 000). */
  readonly testSubset: number;
  readonly lr: number;
  /** θ multiplied by the keep mask in the training forward pass (the authors' LeNet-300-100 setting). */
  readonly trainClip: boolean;
  readonly seed: number;
}

/** The page's defaults: a short run that shows the network sparsify in a minute or two on `wasm`. */
export const DEFAULT_SETTINGS: Settings = {
  epochs: 10,
  trainSubset: 10_000,
  testSubset: 2_000,
  lr: DEFAULT_CONFIG.lr,
  trainClip: DEFAULT_CONFIG.trainClip,
  seed: DEFAULT_CONFIG.seed,
};

/**
 * The training configuration of the settings: the CLI's defaults (`sparsevd train`: LeNet-300-100 on MNIST,
 * batch 100, the paper's schedules) with these fields set, so the page and {@link cliCommand} run the same.
 */
export const toTrainConfig = (settings: Settings): TrainConfig => ({
  ...DEFAULT_CONFIG,
  epochs: settings.epochs,
  trainSubset: settings.trainSubset,
  testSubset: settings.testSubset,
  lr: settings.lr,
  trainClip: settings.trainClip,
  seed: settings.seed,
});

/** The settings of a configuration (a stored checkpoint's), for the controls. */
export const fromTrainConfig = (config: TrainConfig): Settings => ({
  epochs: config.epochs,
  trainSubset: config.trainSubset ?? 60_000,
  testSubset: config.testSubset ?? 10_000,
  lr: config.lr,
  trainClip: config.trainClip,
  seed: config.seed,
});

/** The same run in Node: the `sparsevd train` command line of the settings (`--backend wasm` for equality). */
export const cliCommand = (settings: Settings, backend = 'wasm'): string =>
  [
    'npx sparsevd train',
    `--epochs ${settings.epochs}`,
    `--train-subset ${settings.trainSubset}`,
    `--test-subset ${settings.testSubset}`,
    `--lr ${settings.lr}`,
    settings.trainClip ? '--train-clip' : '--no-train-clip',
    `--seed ${settings.seed}`,
    `--backend ${backend}`,
  ].join(' ');

/** Why the settings cannot run, or undefined: checked before anything starts. */
export const settingsProblem = (settings: Settings): string | undefined => {
  const whole = (name: string, value: number, lo: number, hi: number) =>
    Number.isInteger(value) && value >= lo && value <= hi
      ? undefined
      : `${name}: ${value} is not a whole number from ${lo} to ${hi}`;
  return (
    whole('epochs', settings.epochs, 1, 200) ??
    whole('training subset', settings.trainSubset, 100, 60_000) ??
    whole('test subset', settings.testSubset, 100, 10_000) ??
    whole('seed', settings.seed, 0, 2 ** 31 - 1) ??
    (Number.isFinite(settings.lr) && settings.lr > 0 && settings.lr <= 1
      ? undefined
      : `learning rate: ${settings.lr} is not in (0, 1]`)
  );
};
