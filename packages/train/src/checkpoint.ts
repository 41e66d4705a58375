import { crc32, finiteJson } from '@sparsevd/pruning';
import * as E from 'fp-ts/lib/Either.js';
import { type TrainConfig, validateConfig } from './config.js';
import type { EpochMetrics } from './metrics.js';
import { type TrainError, trainError } from './train-error.js';

/** A named float32 array with its shape. */
export interface StoredTensor {
  readonly shape: ReadonlyArray<number>;
  readonly values: Float32Array;
}

/** Where a run stands: everything needed to continue it exactly. */
export interface Checkpoint {
  readonly config: TrainConfig;
  /**
   * `pretrain` while the run is in its dense pretraining (`config.pretrainEpochs > 0`): position, metrics,
   * parameters and Adam's state are then the pretraining network's. Absent in the main phase.
   */
  readonly phase?: 'pretrain';
  /**
   * The next epoch (0-based) and step within it to run, and the running sums of the unfinished epoch.
   * The random state is a pure function of (seed, epoch, step): batch order and noise are drawn from it,
   * so the position *is* the random state.
   */
  readonly position: {
    readonly epoch: number;
    readonly step: number;
    readonly lossSum: number;
    readonly dataSum: number;
    readonly examples: number;
    readonly seconds: number;
  };
  readonly metrics: ReadonlyArray<EpochMetrics>;
  /** The network's parameters by `"layer/param"` name. */
  readonly params: Readonly<Record<string, StoredTensor>>;
  /** Adam's step count and moments, by parameter name. */
  readonly adam: {
    readonly step: number;
    readonly m: Readonly<Record<string, StoredTensor>>;
    readonly v: Readonly<Record<string, StoredTensor>>;
  };
}

const MAGIC = 'SPVDCKPT';
/**
 * The checkpoint format version this package writes. It reads this one and version 1 (written before the
 * pretraining phase was checkpointed: always a main-phase checkpoint).
 */
export const CHECKPOINT_VERSION = 2;
const READABLE_VERSIONS: ReadonlyArray<number> = [1, 2];
const PREAMBLE = 20;

type Ref = { readonly shape: ReadonlyArray<number>; readonly offset: number; readonly length: number };

/**
 * Serialises a checkpoint: a 20-byte preamble (magic `SPVDCKPT`, version, header length, CRC-32 of the
 * rest; uint32 little-endian), a JSON header (config, position, metrics, and each tensor as
 * `{ shape, offset, length }`), then one blob of float32 values.
 */
export const serializeCheckpoint = (checkpoint: Checkpoint): Uint8Array => {
  const arrays: Float32Array[] = [];
  let size = 0;
  const refs = (tensors: Readonly<Record<string, StoredTensor>>): Record<string, Ref> =>
    Object.fromEntries(
      Object.entries(tensors).map(([name, t]) => {
        const ref = { shape: t.shape, offset: size, length: t.values.length };
        arrays.push(t.values);
        size += t.values.byteLength;
        return [name, ref];
      }),
    );
  const header = new TextEncoder().encode(
    finiteJson({
      version: CHECKPOINT_VERSION,
      config: checkpoint.config,
      ...(checkpoint.phase === undefined ? {} : { phase: checkpoint.phase }),
      position: checkpoint.position,
      metrics: checkpoint.metrics,
      params: refs(checkpoint.params),
      adam: { step: checkpoint.adam.step, m: refs(checkpoint.adam.m), v: refs(checkpoint.adam.v) },
      blobBytes: size,
    }),
  );
  const out = new Uint8Array(PREAMBLE + header.length + size);
  out.set(new TextEncoder().encode(MAGIC), 0);
  out.set(header, PREAMBLE);
  let at = PREAMBLE + header.length;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  const view = new DataView(out.buffer);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, header.length, true);
  view.setUint32(16, crc32(out.subarray(PREAMBLE)), true);
  return out;
};

/** Reads a checkpoint, checking magic, version, checksum, header and tensor bounds. */
export const parseCheckpoint = (bytes: Uint8Array, path: string): E.Either<TrainError, Checkpoint> => {
  const fail = (detail: string) => E.left(trainError('Checkpoint', `${path}: ${detail}`));
  if (bytes.length < PREAMBLE) return fail('truncated: shorter than the checkpoint preamble');
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    return fail('not a sparsevd checkpoint (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (!READABLE_VERSIONS.includes(version))
    return fail(
      `checkpoint version ${version}; this version of @sparsevd/train reads versions ${READABLE_VERSIONS.join(' and ')}`,
    );
  const headerLength = view.getUint32(12, true);
  if (PREAMBLE + headerLength > bytes.length)
    return fail('truncated: the header runs past the end of the file');
  if (crc32(bytes.subarray(PREAMBLE)) !== view.getUint32(16, true))
    return fail('checksum mismatch: the file is truncated or corrupted');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength)));
  } catch (error) {
    return fail(`header is not JSON: ${(error as Error).message}`);
  }
  const blob = bytes.subarray(PREAMBLE + headerLength);
  if (blob.length !== header.blobBytes)
    return fail(`blob has ${blob.length} bytes, the header says ${String(header.blobBytes)}`);
  const config = validateConfig(header.config as TrainConfig);
  if (E.isLeft(config)) return fail(`stored configuration is invalid: ${config.left.message}`);
  if (header.phase !== undefined && header.phase !== 'pretrain')
    return fail(`unknown phase ${JSON.stringify(header.phase)} in the header; expected "pretrain" or none`);
  const tensors = (refs: unknown): Record<string, StoredTensor> =>
    Object.fromEntries(
      Object.entries((refs ?? {}) as Record<string, Ref>).map(([name, ref]) => {
        const bytesLength = ref.length * 4;
        if (
          !(ref.offset >= 0 && ref.offset + bytesLength <= blob.length) ||
          ref.shape.reduce((a, b) => a * b, 1) !== ref.length
        ) {
          throw new Error(`tensor ${name} does not fit the blob`);
        }
        const copy = new Uint8Array(bytesLength);
        copy.set(blob.subarray(ref.offset, ref.offset + bytesLength));
        return [name, { shape: ref.shape, values: new Float32Array(copy.buffer) }];
      }),
    );
  try {
    const adam = header.adam as { step: number; m: unknown; v: unknown };
    return E.right({
      config: config.right,
      ...(header.phase === 'pretrain' ? { phase: 'pretrain' as const } : {}),
      position: header.position as Checkpoint['position'],
      metrics: header.metrics as EpochMetrics[],
      params: tensors(header.params),
      adam: { step: adam.step, m: tensors(adam.m), v: tensors(adam.v) },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
};
