/// <reference lib="webworker" />
// The trainer, in a Web Worker so the page never freezes: it picks the backend, fetches MNIST from the page's
// own server, trains LeNet-300-100 with @sparsevd/train (checkpoint in IndexedDB after every epoch and on
// pause), and answers the page's questions about the trained network (threshold, export, a drawn digit).
import { fetchIdxSplits, type Splits } from '@sparsevd/datasets';
import { disposeParams, type Params, type Sequential, type Shape } from '@sparsevd/layers';
import { type SparseModel, serializeSparse, sparseModel, thresholdSweep, toSparse } from '@sparsevd/pruning';
import {
  type Checkpoint,
  evaluate,
  indexedDbCheckpointStore,
  loadCheckpoint,
  prepareRunData,
  type RunData,
  train,
} from '@sparsevd/train';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers its gradients only in this module (the `@tensorflow/tfjs` bundle imports it).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as E from 'fp-ts/lib/Either.js';
import { BACKEND_ORDER, type BackendName, type Command, type Report, type RunState } from './protocol.js';
import { fromTrainConfig, type Settings, settingsProblem, toTrainConfig } from './settings.js';
import { snapshot } from './snapshot.js';

const post = (report: Report, transfer: Transferable[] = []) => self.postMessage(report, transfer);
const store = indexedDbCheckpointStore({ database: 'sparsevd-playground', key: 'lenet300-mnist' });

let dataUrl = '';
let splits: Splits | undefined;
let state: RunState = 'loading';
let stopRequested = false;
/** The network of the last run (finished or paused), for the threshold slider, export and drawing. */
let trained: { network: Sequential; params: Params; inputShape: Shape; data: RunData } | undefined;
let model: SparseModel | undefined;

const setState = (next: RunState, message: string) => {
  state = next;
  post({ type: 'status', state: next, message });
};

/** Zero-delay yield to the worker's event loop (setTimeout is clamped to 4 ms when nested). */
const channel = new MessageChannel();
const yieldToEvents = () =>
  new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });

/** Makes the first backend that starts and computes, from `preferred` on, the active one. */
const pickBackend = async (preferred?: BackendName) => {
  const order =
    preferred === undefined ? BACKEND_ORDER : [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)];
  const tried: { name: BackendName; ok: boolean; why?: string }[] = [];
  for (const name of order) {
    try {
      if (name === 'webgpu') {
        // Asked first, so that tfjs does not log its own failure: WebGPU needs an adapter.
        const gpu = (navigator as unknown as { gpu?: { requestAdapter: () => Promise<unknown> } }).gpu;
        if (gpu === undefined) throw new Error('this browser has no WebGPU (navigator.gpu)');
        if ((await gpu.requestAdapter()) === null) throw new Error('no WebGPU adapter (no usable GPU)');
      }
      if (!(await tf.setBackend(name))) throw new Error('does not start in this browser');
      // A backend that starts but cannot compute (a GPU that is listed but unusable) is passed over too.
      const probe = tf.tidy(() => tf.sum(tf.matMul(tf.ones([4, 4]), tf.ones([4, 4]))));
      const value = (await probe.data())[0];
      probe.dispose();
      if (value !== 64) throw new Error(`computes 4×4 ones @ ones summed as ${value}, not 64`);
      tried.push({ name, ok: true });
      post({ type: 'backend', backend: name, tried });
      return;
    } catch (error) {
      tried.push({ name, ok: false, why: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new Error(`no backend starts: ${tried.map((t) => `${t.name}: ${t.why}`).join('; ')}`);
};

const loadSplits = async (): Promise<Splits> => {
  if (splits !== undefined) return splits;
  const loaded = await fetchIdxSplits('mnist', dataUrl, { suffix: '.gz' })();
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  splits = loaded.right;
  return splits;
};

const forget = () => {
  if (trained !== undefined) disposeParams(trained.params);
  trained = undefined;
  model = undefined;
};

/** Trains a new run (`resume` undefined) or continues a stored one. */
const run = async (settings: Settings, resume: Checkpoint | undefined) => {
  const config = toTrainConfig(settings);
  setState('loading', 'loading MNIST…');
  const prepared = prepareRunData(config, await loadSplits());
  if (E.isLeft(prepared)) throw new Error(prepared.left.message);
  const data = prepared.right;
  forget();
  if (resume === undefined) await store.clear();
  stopRequested = false;
  setState('training', `training on ${tf.getBackend()}`);
  let lastPost = 0;
  let lastSnapshot = 0;
  let stepStart = performance.now();
  let stepMs: number[] = [];
  const result = await train(config, data, {
    checkpoints: store,
    ...(resume === undefined ? {} : { resume }),
    shouldStop: () => stopRequested,
    onEvent: (event) => {
      if (event.type === 'start')
        post({
          type: 'started',
          settings,
          stepsPerEpoch: event.stepsPerEpoch,
          metrics: resume?.metrics ?? [],
        });
      if (event.type === 'epoch-start') stepStart = performance.now();
      if (event.type === 'epoch-end') {
        post({ type: 'epoch', metrics: event.metrics, stepMs });
        stepMs = [];
      }
      if (event.type === 'step') {
        const now = performance.now();
        const msPerStep = now - stepStart;
        stepStart = now;
        stepMs.push(msPerStep);
        if (now - lastPost > 100 || event.step === event.steps - 1) {
          lastPost = now;
          post({ ...event, type: 'step', klWeight: event.klWeight, msPerStep });
        }
      }
    },
    betweenSteps: async ({ network, params, epoch, step, stepsPerEpoch }) => {
      const now = performance.now();
      if (now - lastSnapshot > 1000 || step === stepsPerEpoch) {
        lastSnapshot = now;
        post({
          type: 'snapshot',
          snapshot: await snapshot(network, params, config.threshold),
          at: epoch + step / stepsPerEpoch,
        });
      }
      await yieldToEvents();
      stepStart += performance.now() - now; // the drawing is not the step's time
    },
  })();
  if (E.isLeft(result)) throw new Error(result.left.message);
  const { network, params, inputShape, interrupted } = result.right;
  trained = { network, params, inputShape, data };
  const last = result.right.metrics.at(-1)?.epoch ?? 0;
  post({ type: 'snapshot', snapshot: await snapshot(network, params, config.threshold), at: last });
  setState(interrupted ? 'paused' : 'done', interrupted ? 'paused: the checkpoint is saved' : 'done');
};

const resumeStored = async () => {
  const stored = await loadCheckpoint(store)();
  if (E.isLeft(stored)) throw new Error(stored.left.message);
  if (stored.right === undefined) throw new Error('there is no stored run to resume');
  await run(fromTrainConfig(stored.right.config), stored.right);
};

const atThreshold = async (threshold: number) => {
  if (trained === undefined) throw new Error('train (or pause) a network first');
  const { network, params, data } = trained;
  const [point] = await thresholdSweep(
    network,
    params,
    (pruned) => evaluate(network, pruned, data.test, data.batching, { mode: 'mean' }).error,
    [threshold],
  );
  if (point === undefined) return;
  post({ type: 'threshold', ...point, snapshot: await snapshot(network, params, threshold) });
};

const exportAt = (threshold: number) => {
  if (trained === undefined) throw new Error('train (or pause) a network first');
  const exported = toSparse(trained.network, trained.params, trained.inputShape, { threshold });
  model = sparseModel(exported);
  const bytes = serializeSparse(exported);
  post(
    {
      type: 'export',
      bytes,
      threshold,
      kept: exported.layers.reduce((n, l) => n + l.nonzeros, 0),
      sparseBytes: exported.sparseBytes,
      denseBytes: exported.denseBytes,
    },
    [bytes.buffer],
  );
};

const predict = (pixels: Float32Array) => {
  if (model === undefined) throw new Error('export the network first: the drawing runs the exported file');
  if (pixels.length !== 784 || !pixels.every((v) => v >= 0 && v <= 1))
    throw new Error('a drawing is 28×28 = 784 pixels in [0, 1]');
  const logits = model.predict(pixels, 1);
  const max = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const probabilities = exps.map((v) => v / sum);
  post({ type: 'prediction', probabilities, digit: probabilities.indexOf(Math.max(...probabilities)) });
};

const handle = async (command: Command) => {
  switch (command.type) {
    case 'init': {
      dataUrl = command.dataUrl;
      setWasmPaths(command.wasmUrl);
      await pickBackend(command.backend);
      const stored = await loadCheckpoint(store)();
      if (E.isRight(stored) && stored.right !== undefined)
        post({
          type: 'stored',
          settings: fromTrainConfig(stored.right.config),
          epoch: stored.right.position.epoch,
          step: stored.right.position.step,
          metrics: stored.right.metrics,
        });
      setState('idle', 'ready');
      return;
    }
    case 'backend':
      if (state === 'training' || state === 'pausing')
        throw new Error('pause the run before switching backends');
      await pickBackend(command.backend);
      return;
    case 'start': {
      if (state === 'training' || state === 'pausing') throw new Error('a run is already training');
      const problem = settingsProblem(command.settings);
      if (problem !== undefined) throw new Error(problem);
      await run(command.settings, undefined);
      return;
    }
    case 'pause':
      if (state === 'training') {
        stopRequested = true;
        setState('pausing', 'pausing after this step…');
      }
      return;
    case 'resume':
      if (state === 'training' || state === 'pausing') return;
      await resumeStored();
      return;
    case 'threshold':
      await atThreshold(command.threshold);
      return;
    case 'export':
      exportAt(command.threshold);
      return;
    case 'predict':
      predict(command.pixels);
      return;
  }
};

// Nothing fails silently: an error that escapes a handler reaches the page (which logs it as a console error).
self.addEventListener('unhandledrejection', (event) => {
  post({ type: 'error', message: `unhandled: ${String((event as PromiseRejectionEvent).reason)}` });
});

self.onmessage = (message: MessageEvent<Command>) => {
  handle(message.data).catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    if (message.data.type === 'start' || message.data.type === 'resume') setState('failed', text);
    post({ type: 'error', message: text });
  });
};
