import { formatCompression } from '@sparsevd/pruning';
import type { EpochMetrics, TrainEvent } from '@sparsevd/train';
import cliProgress from 'cli-progress';

const fmtDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0) return '…';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/** One line per epoch, for the log and for non-interactive output. */
export const epochLine = (m: EpochMetrics, epochs: number): string =>
  `epoch ${String(m.epoch).padStart(String(epochs).length)}/${epochs} ${m.phase === 'sparsevd' ? '' : `(${m.phase}) `}` +
  `test error ${(100 * m.testError).toFixed(2)} %  compression ${formatCompression(m.compression)}  ` +
  `loss ${m.trainLoss.toFixed(4)}  CE ${m.dataTerm.toFixed(4)}  KL ${m.kl.toFixed(0)}  ` +
  `${m.layers.length > 0 ? `removed ${m.layers.map((l) => l.removedPercent.toFixed(1)).join('-')} %  ` : ''}` +
  `${m.seconds.toFixed(1)} s  ${Math.round(m.examplesPerSecond)} ex/s`;

/**
 * Shows training as it goes: a progress bar per epoch (epoch, step, loss, KL, lr, examples/s, ETA of the
 * whole run) drawn by cli-progress, and a one-line summary when each epoch ends. Returns the event
 * handler.
 */
export const progressReporter = (
  stream: NodeJS.WriteStream = process.stderr,
): ((event: TrainEvent) => void) => {
  const bar = new cliProgress.SingleBar(
    {
      format:
        'epoch {epoch} [{bar}] {value}/{total} | loss {loss} | KL {kl} | lr {lr} | {eps} ex/s | ETA {runEta}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      stream,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let epochs = 0;
  let steps = 0;
  let batch = 0;
  let done = 0; // steps of the run completed in this process
  let remainingAtStart = 0;
  let started = 0;
  let epochLabel = '';
  return (event) => {
    switch (event.type) {
      case 'start':
        steps = event.stepsPerEpoch;
        batch = event.config.batchSize;
        break;
      case 'phase':
        epochs = event.epochs;
        break;
      case 'epoch-start': {
        epochLabel = `${event.epoch + 1}/${event.epochs}${event.phase === 'pretrain' ? ' (pretrain)' : ''}`;
        if (started === 0) {
          started = performance.now();
          remainingAtStart = (event.epochs - event.epoch) * steps;
        }
        bar.start(steps, 0, { epoch: epochLabel, loss: '…', kl: '…', lr: '…', eps: '…', runEta: '…' });
        break;
      }
      case 'step': {
        done += 1;
        const elapsed = (performance.now() - started) / 1000;
        const rate = done / elapsed;
        bar.update(event.step + 1, {
          epoch: epochLabel,
          loss: event.loss.toFixed(4),
          kl: event.kl.toFixed(0),
          lr: event.lr.toExponential(1),
          eps: Math.round(rate * batch),
          runEta: fmtDuration((remainingAtStart - done) / rate),
        });
        break;
      }
      case 'epoch-end':
        bar.stop();
        stream.write(`${epochLine(event.metrics, epochs)}\n`);
        break;
      case 'done':
        bar.stop();
        break;
      default:
        break;
    }
  };
};
