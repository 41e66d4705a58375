import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type Checkpoint, parseCheckpoint } from '../checkpoint.js';
import { type CheckpointStore, saveCheckpoint } from '../checkpoint-store.js';
import { type TrainError, trainError } from '../train-error.js';

/** Writes bytes to a file and flushes them to disk (the default writer of {@link writeCheckpoint}). */
export const writeDurably = async (path: string, bytes: Uint8Array): Promise<void> => {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Writes a checkpoint atomically to `path` (through {@link fileCheckpointStore}): a crash at any point leaves
 * either the previous checkpoint or the new one, never a broken one.
 *
 * @param write - the file writer (injected by tests to simulate a crash mid-write).
 */
export const writeCheckpoint = (
  path: string,
  checkpoint: Checkpoint,
  write: (path: string, bytes: Uint8Array) => Promise<void> = writeDurably,
): TE.TaskEither<TrainError, string> => saveCheckpoint(fileCheckpointStore(path, { write }), checkpoint);

/** Reads and validates a checkpoint file. */
export const readCheckpoint =
  (path: string): TE.TaskEither<TrainError, Checkpoint> =>
  async () => {
    try {
      return parseCheckpoint(new Uint8Array(await readFile(path)), path);
    } catch (error) {
      return E.left(
        trainError('Checkpoint', `${path}: cannot read the checkpoint: ${(error as Error).message}`),
      );
    }
  };

/**
 * A checkpoint store in one file: {@link writeCheckpoint}'s atomic write (temporary file, flushed, renamed
 * over `path`); reading a missing file is "no checkpoint".
 *
 * @param options.write - the file writer (tests inject one that fails mid-write).
 */
export const fileCheckpointStore = (
  path: string,
  options: { readonly write?: (path: string, bytes: Uint8Array) => Promise<void> } = {},
): CheckpointStore => ({
  location: path,
  write: async (bytes) => {
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await (options.write ?? writeDurably)(temp, bytes);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  },
  read: async () => {
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  clear: () => rm(path, { force: true }),
});
