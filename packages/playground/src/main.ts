// The page: controls, live charts and the drawing pad; the training runs in ./worker.ts.
import type { EpochMetrics } from '@sparsevd/train';
import { barsChart, downsample, histogramChart, lineChart } from './charts.js';
import { BACKEND_ORDER, type BackendName, type Command, type Report } from './protocol.js';
import { cliCommand, DEFAULT_SETTINGS, type Settings } from './settings.js';
import type { Snapshot } from './snapshot.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const params = new URLSearchParams(location.search);

// What the tests (and a curious user in the console) can read: the last drawing and what it predicted.
const exposed: {
  lastPixels?: Float32Array;
  lastProbabilities?: ReadonlyArray<number>;
  metrics: EpochMetrics[];
  /** Milliseconds of each training step of the last epoch (drawing excluded): tools/bench/browser-step.mjs. */
  stepMs: ReadonlyArray<number>;
} = { metrics: [], stepMs: [] };
(window as unknown as { sparsevdPlayground: typeof exposed }).sparsevdPlayground = exposed;

/** An error for the person at the page: the status line shows it, and devtools' console (where the tests look). */
const reportError = (message: string) => {
  // biome-ignore lint/suspicious/noConsole: errors belong in the console as well as on the page
  console.error(`sparsevd playground: ${message}`);
};

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (command: Command, transfer: Transferable[] = []) => worker.postMessage(command, transfer);

// --- settings --------------------------------------------------------------------------------------------
const numberFields = ['epochs', 'trainSubset', 'testSubset', 'lr', 'seed'] as const;
const showSettings = (s: Settings) => {
  for (const f of numberFields) input(f).value = String(s[f]);
  input('trainClip').checked = s.trainClip;
  $('cli').textContent = cliCommand(s);
};
const readSettings = (): Settings => ({
  epochs: Number(input('epochs').value),
  trainSubset: Number(input('trainSubset').value),
  testSubset: Number(input('testSubset').value),
  lr: Number(input('lr').value),
  seed: Number(input('seed').value),
  trainClip: input('trainClip').checked,
});
const fromUrl: Settings = {
  ...DEFAULT_SETTINGS,
  ...Object.fromEntries(
    numberFields.filter((f) => params.has(f)).map((f) => [f, Number(params.get(f))] as const),
  ),
  ...(params.has('trainClip') ? { trainClip: params.get('trainClip') !== 'false' } : {}),
};
showSettings(fromUrl);
$('settings').addEventListener('input', () => {
  $('cli').textContent = cliCommand(readSettings());
});

// --- charts ----------------------------------------------------------------------------------------------
let totalEpochs = fromUrl.epochs;
let metrics: EpochMetrics[] = [];
let compressionLive: [number, number][] = [];
let exported = false;
let threshold = 3;

const drawCurves = () => {
  $('curves').innerHTML = lineChart(
    [
      {
        name: 'test error %',
        points: metrics.map((m) => [m.epoch, 100 * m.testError] as const),
        color: '#d9480f',
        axis: 'left',
      },
      {
        name: 'compression × (log)',
        // Per epoch from the evaluations, and between them from the live snapshots.
        points: [...compressionLive, ...metrics.map((m) => [m.epoch, m.compression ?? Number.NaN] as const)]
          .filter(([, v]) => Number.isFinite(v))
          .sort((a, b) => a[0] - b[0]),
        color: '#3b7dd8',
        axis: 'right',
        log: true,
      },
    ],
    { width: 720, height: 220, xMax: totalEpochs, xLabel: 'epoch' },
  );
};

const drawSnapshot = (s: Snapshot) => {
  $('threshold-value').textContent = s.threshold.toFixed(1);
  $('histogram').innerHTML = histogramChart(s.edges, s.counts, s.threshold, { width: 360, height: 200 });
  $('layers').innerHTML = barsChart(
    s.layers.map((l, i) => ({
      label: l.name.split('/')[0] ?? `layer ${i + 1}`,
      value: l.removedPercent,
      note: `${l.kept} of ${l.weights} kept`,
    })),
    { width: 360, height: 200 },
  );
  const canvas = $<HTMLCanvasElement>('pixels');
  const ctx = canvas.getContext('2d');
  if (ctx !== null && s.pixels.length === 784) {
    const image = ctx.createImageData(28, 28);
    s.pixels.forEach((on, i) => {
      image.data.set(on ? [255, 255, 255, 255] : [20, 24, 30, 255], i * 4);
    });
    ctx.putImageData(image, 0, 0);
    $('pixels-info').textContent = `${s.pixels.reduce((a, b) => a + b, 0)} of 784 pixels used (white)`;
  }
};

// --- buttons and state -----------------------------------------------------------------------------------
const buttons = {
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  resume: $<HTMLButtonElement>('resume'),
  export: $<HTMLButtonElement>('export'),
};
let storedRun = false;
const setStatus = (state: string, message: string) => {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = message;
  const busy = state === 'training' || state === 'pausing' || state === 'loading';
  buttons.start.disabled = busy;
  buttons.pause.disabled = state !== 'training';
  buttons.resume.disabled = busy || !(state === 'paused' || storedRun);
  const trained = state === 'paused' || state === 'done';
  buttons.export.disabled = !trained;
  input('threshold').disabled = !trained;
  $<HTMLSelectElement>('backend').disabled = busy;
};

buttons.start.addEventListener('click', () => {
  const settings = readSettings();
  totalEpochs = settings.epochs;
  metrics = [];
  compressionLive = [];
  storedRun = false;
  for (const id of ['final-error', 'final-compression', 'threshold-error', 'threshold-compression']) {
    $(id).textContent = '–';
    $(id).dataset.value = '';
  }
  drawCurves();
  send({ type: 'start', settings });
});
buttons.pause.addEventListener('click', () => send({ type: 'pause' }));
buttons.resume.addEventListener('click', () => send({ type: 'resume' }));
buttons.export.addEventListener('click', () => send({ type: 'export', threshold }));
$<HTMLSelectElement>('backend').addEventListener('change', (e) => {
  send({ type: 'backend', backend: (e.target as HTMLSelectElement).value as BackendName });
});

let thresholdTimer: ReturnType<typeof setTimeout> | undefined;
input('threshold').addEventListener('input', () => {
  threshold = Number(input('threshold').value);
  $('threshold-at').textContent = threshold.toFixed(1);
  clearTimeout(thresholdTimer);
  thresholdTimer = setTimeout(() => send({ type: 'threshold', threshold }), 150);
});

// --- the drawing pad -------------------------------------------------------------------------------------
const pad = $<HTMLCanvasElement>('pad');
const padCtx = pad.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
const clearPad = () => {
  padCtx.fillStyle = '#000';
  padCtx.fillRect(0, 0, pad.width, pad.height);
};
clearPad();
let drawing = false;
const at = (e: PointerEvent) => {
  const r = pad.getBoundingClientRect();
  return [
    ((e.clientX - r.left) * pad.width) / r.width,
    ((e.clientY - r.top) * pad.height) / r.height,
  ] as const;
};
pad.addEventListener('pointerdown', (e) => {
  drawing = true;
  pad.setPointerCapture(e.pointerId);
  padCtx.strokeStyle = '#fff';
  padCtx.lineWidth = 22;
  padCtx.lineCap = 'round';
  padCtx.lineJoin = 'round';
  padCtx.beginPath();
  padCtx.moveTo(...at(e));
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  padCtx.lineTo(...at(e));
  padCtx.stroke();
});
const predictDrawing = () => {
  const pixels = downsample(padCtx.getImageData(0, 0, pad.width, pad.height).data, pad.width);
  exposed.lastPixels = pixels;
  send({ type: 'predict', pixels: pixels.slice() });
};
pad.addEventListener('pointerup', () => {
  if (!drawing) return;
  drawing = false;
  if (exported) predictDrawing();
  else $('prediction').textContent = 'export the network first';
});
$('clear').addEventListener('click', () => {
  clearPad();
  $('prediction').textContent = '–';
  $('probs').innerHTML = '';
});

// --- the worker's reports --------------------------------------------------------------------------------
const percent = (v: number) => `${(100 * v).toFixed(2)} %`;
const times = (v: number | null) => (v === null ? 'all weights removed' : `${v.toFixed(1)}×`);
worker.onmessage = (message: MessageEvent<Report>) => {
  const r = message.data;
  switch (r.type) {
    case 'backend': {
      const select = $<HTMLSelectElement>('backend');
      select.innerHTML = BACKEND_ORDER.map((b) => {
        const t = r.tried.find((x) => x.name === b);
        return `<option value="${b}" ${b === r.backend ? 'selected' : ''}>${b}${t !== undefined && !t.ok ? ' (unavailable)' : ''}</option>`;
      }).join('');
      select.dataset.active = r.backend;
      $('backend-info').textContent = [
        `running on ${r.backend}`,
        ...r.tried.filter((t) => !t.ok).map((t) => `${t.name} unavailable: ${t.why}`),
      ].join(' · ');
      return;
    }
    case 'stored':
      storedRun = true;
      showSettings(r.settings);
      totalEpochs = r.settings.epochs;
      metrics = [...r.metrics];
      drawCurves();
      $('progress').textContent =
        `a run stored in this browser stopped at epoch ${r.epoch} (step ${r.step}) of ${r.settings.epochs}: Resume continues it`;
      return;
    case 'status':
      setStatus(r.state, r.message);
      if (r.state === 'failed') reportError(r.message);
      return;
    case 'started':
      totalEpochs = r.settings.epochs;
      metrics = [...r.metrics];
      showSettings(r.settings);
      drawCurves();
      return;
    case 'step':
      $('progress').textContent =
        `epoch ${r.epoch + 1} of ${totalEpochs}, step ${r.step + 1} of ${r.steps} · loss ${r.loss.toFixed(3)} · KL weight ${r.klWeight.toFixed(2)} · ${r.msPerStep.toFixed(1)} ms/step`;
      return;
    case 'epoch': {
      metrics.push(r.metrics);
      exposed.metrics = metrics;
      exposed.stepMs = r.stepMs;
      drawCurves();
      if (r.metrics.epoch === totalEpochs) {
        $('final-error').textContent = percent(r.metrics.testError);
        $('final-error').dataset.value = String(r.metrics.testError);
        $('final-compression').textContent = times(r.metrics.compression);
        $('final-compression').dataset.value = String(r.metrics.compression);
      }
      return;
    }
    case 'snapshot': {
      drawSnapshot(r.snapshot);
      if (r.snapshot.compression !== null) compressionLive.push([r.at, r.snapshot.compression]);
      drawCurves();
      return;
    }
    case 'threshold':
      $('threshold-error').textContent = percent(r.error);
      $('threshold-error').dataset.value = String(r.error);
      $('threshold-compression').textContent = times(r.compression);
      $('threshold-compression').dataset.value = String(r.compression);
      drawSnapshot(r.snapshot);
      return;
    case 'export': {
      const link = $<HTMLAnchorElement>('download');
      if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(
        new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
      );
      link.hidden = false;
      exported = true;
      $('export-info').textContent =
        `${r.bytes.length} bytes at threshold ${r.threshold.toFixed(1)}: ${r.kept} weights kept (${r.denseBytes} B dense → ${r.sparseBytes} B sparse). Draw a digit: the exported network reads it.`;
      return;
    }
    case 'prediction':
      exposed.lastProbabilities = r.probabilities;
      $('prediction').textContent = String(r.digit);
      $('prediction').dataset.digit = String(r.digit);
      $('probs').innerHTML = r.probabilities
        .map(
          (p, d) =>
            `<span>${d}</span><div class="bar" style="width:${(100 * p).toFixed(1)}%"></div><span>${(100 * p).toFixed(1)}%</span>`,
        )
        .join('');
      return;
    case 'error':
      reportError(r.message);
      $('status').dataset.error = r.message;
      $('status').textContent = r.message;
      return;
  }
};
worker.onerror = (e) => reportError(`worker: ${e.message}`);

drawCurves();
const wanted = params.get('backend');
send({
  type: 'init',
  dataUrl: new URL('data/mnist/', location.href).href,
  wasmUrl: new URL('wasm/', location.href).href,
  ...(wanted !== null && (BACKEND_ORDER as ReadonlyArray<string>).includes(wanted)
    ? { backend: wanted as BackendName }
    : {}),
});
