#!/usr/bin/env node
// One training process of the resume soak (tools/soak/resume-soak.mjs): trains (or, when DIR holds a
// checkpoint, resumes) the configured run with the library's own trainer, exactly as `sparsevd train` /
// `sparsevd resume` do, and writes a marker line to stdout at every event the soak aims its kills at — `step E S`
// (a step done), `eval E` (the epoch's last step done: evaluation and the sparsity report run next), `end E`
// (evaluated: the checkpoint is being written), `ckpt E S` (written). At the end it writes DIR/result.json:
// the metrics without their timings and a SHA-256 of every parameter and Adam moment, bit for bit.
// Usage: node soak-child.mjs BACKEND DIR CONFIG_JSON
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '@sparsevd/backend';
import { namedVariables } from '@sparsevd/layers';
import { DEFAULT_CONFIG, train } from '@sparsevd/train';
import { fileCheckpointStore, loadRunData, readCheckpoint } from '@sparsevd/train/node';

const [backend, dir, configJson] = process.argv.slice(2);
const mark = (line) => writeSync(1, `${line}\n`);
const fail = (message) => {
  process.stderr.write(`soak-child: ${message}\n`);
  process.exit(1);
};

const chosen = await selectBackend({ backend, env: {} })();
if (chosen._tag === 'Left') fail(chosen.left.message);
const checkpointPath = join(dir, 'checkpoint.ckpt');
let config = { ...DEFAULT_CONFIG, ...JSON.parse(configJson) };
let resume;
if (existsSync(checkpointPath)) {
  const read = await readCheckpoint(checkpointPath)();
  if (read._tag === 'Left') fail(read.left.message);
  resume = read.right;
  config = resume.config;
}
const data = await loadRunData(config)();
if (data._tag === 'Left') fail(data.left.message);
const stepsPerEpoch = Math.ceil(data.right.train.labels.length / config.batchSize);
mark(`start ${resume === undefined ? 'fresh' : `resume ${resume.position.epoch} ${resume.position.step}`}`);
const result = await train(config, data.right, {
  checkpoints: fileCheckpointStore(checkpointPath),
  ...(resume === undefined ? {} : { resume }),
  onEvent: (event) => {
    // The loss rides along (every digit), so a run that drifts shows the first step where it did.
    if (event.type === 'step')
      mark(
        `${event.step === stepsPerEpoch - 1 ? `eval ${event.epoch}` : `step ${event.epoch}`} ${event.step} ${event.loss}`,
      );
    if (event.type === 'epoch-end') mark(`end ${event.metrics.epoch - 1}`);
    if (event.type === 'checkpoint') mark(`ckpt ${event.epoch} ${event.step}`);
  },
})();
if (result._tag === 'Left') fail(result.left.message);
const { params, metrics } = result.right;
const digest = (values) =>
  createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
const final = await readCheckpoint(checkpointPath)();
if (final._tag === 'Left') fail(final.left.message);
writeFileSync(
  join(dir, 'result.json'),
  JSON.stringify({
    metrics: metrics.map(({ seconds: _s, examplesPerSecond: _e, ...rest }) => rest),
    params: Object.fromEntries(
      Object.entries(namedVariables(params)).map(([name, v]) => [name, digest(v.dataSync())]),
    ),
    adam: Object.fromEntries(
      ['m', 'v'].flatMap((k) =>
        Object.entries(final.right.adam[k]).map(([name, t]) => [`${k}:${name}`, digest(t.values)]),
      ),
    ),
    adamStep: final.right.adam.step,
  }),
);
mark('done');
