import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type Checkpoint, parseCheckpoint, serializeCheckpoint } from './checkpoint.js';
import { type TrainError, trainError } from './train-error.js';

/**
 * Where a run keeps its checkpoint: a file in Node (`fileCheckpointStore` of `@sparsevd/train/node`), an
 * IndexedDB record in a page ({@link indexedDbCheckpointStore}), memory in tests
 * ({@link memoryCheckpointStore}), or your own. It stores bytes (a {@link serializeCheckpoint} image); the
 * trainer serialises, checks and names errors.
 */
export interface CheckpointStore {
  /** Where the checkpoint lives, named in events and errors: a path, a database and key. */
  readonly location: string;
  /**
   * Replaces the stored checkpoint. Must be atomic: a failure or a crash at any point leaves the previous
   * checkpoint readable, never a broken one. Rejects on failure.
   */
  readonly write: (bytes: Uint8Array) => Promise<void>;
  /** The stored checkpoint's bytes, or `undefined` when there is none. Rejects when it cannot read. */
  readonly read: () => Promise<Uint8Array | undefined>;
  /** Removes the stored checkpoint (none stored is fine). Rejects when it cannot. */
  readonly clear: () => Promise<void>;
}

/** Serialises a checkpoint into a store; a failed write is a `Checkpoint` error naming the store. */
export const saveCheckpoint =
  (store: CheckpointStore, checkpoint: Checkpoint): TE.TaskEither<TrainError, string> =>
  async () => {
    try {
      await store.write(serializeCheckpoint(checkpoint));
      return E.right(store.location);
    } catch (error) {
      return E.left(
        trainError(
          'Checkpoint',
          `${store.location}: cannot write the checkpoint: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  };

/**
 * Reads and validates the checkpoint of a store (magic, version, checksum, bounds): `undefined` when the store
 * holds none, a `Checkpoint` error naming the store when it cannot be read or is broken.
 */
export const loadCheckpoint =
  (store: CheckpointStore): TE.TaskEither<TrainError, Checkpoint | undefined> =>
  async () => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await store.read();
    } catch (error) {
      return E.left(
        trainError(
          'Checkpoint',
          `${store.location}: cannot read the checkpoint: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
    return bytes === undefined ? E.right(undefined) : parseCheckpoint(bytes, store.location);
  };

/** A store in memory (a copy of the bytes is kept): for tests, and runs that need no persistence. */
export const memoryCheckpointStore = (location = 'memory'): CheckpointStore => {
  let held: Uint8Array | undefined;
  return {
    location,
    write: async (bytes) => {
      held = bytes.slice();
    },
    read: async () => held?.slice(),
    clear: async () => {
      held = undefined;
    },
  };
};

/** The part of an IndexedDB request this store uses (structural: no DOM library needed to compile). */
interface IdbRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbObjectStore {
  put(value: unknown, key: string): IdbRequest<unknown>;
  get(key: string): IdbRequest<unknown>;
  delete(key: string): IdbRequest<unknown>;
}
interface IdbTransaction {
  objectStore(name: string): IdbObjectStore;
  readonly error: unknown;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}
interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite'): IdbTransaction;
  close(): void;
}
/** The part of the `IDBFactory` (the global `indexedDB`) this store uses. */
export interface IdbFactoryLike {
  open(name: string, version: number): IdbRequest<IdbDatabase> & { onupgradeneeded: (() => void) | null };
}

const failure = (error: unknown, what: string): Error =>
  error instanceof Error
    ? error
    : new Error(`${what}${error === null || error === undefined ? '' : `: ${String(error)}`}`);

const request = <T>(r: IdbRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(failure(r.error, 'IndexedDB request failed'));
  });

/** Options of {@link indexedDbCheckpointStore}. */
export interface IndexedDbStoreOptions {
  /** The record's key: one checkpoint per key. */
  readonly key: string;
  /** The database's name (default `"sparsevd"`); its object store is `"checkpoints"`. */
  readonly database?: string;
  /** The IndexedDB factory (default: the global `indexedDB` of a page or worker). */
  readonly indexedDB?: IdbFactoryLike;
}

/**
 * A store in the browser's IndexedDB (a page or a worker): the checkpoint survives a reload. Each write is one
 * `put` in its own transaction, so it is atomic: the previous record stays until the new one is committed.
 */
export const indexedDbCheckpointStore = (options: IndexedDbStoreOptions): CheckpointStore => {
  const database = options.database ?? 'sparsevd';
  const STORE = 'checkpoints';
  const open = (): Promise<IdbDatabase> => {
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IdbFactoryLike }).indexedDB;
    if (factory === undefined) return Promise.reject(new Error('this platform has no IndexedDB'));
    const opening = factory.open(database, 1);
    opening.onupgradeneeded = () => {
      if (!opening.result.objectStoreNames.contains(STORE)) opening.result.createObjectStore(STORE);
    };
    return request(opening);
  };
  const withStore = async <T>(
    mode: 'readonly' | 'readwrite',
    use: (store: IdbObjectStore) => IdbRequest<T>,
  ): Promise<T> => {
    const db = await open();
    try {
      const tx = db.transaction(STORE, mode);
      const committed = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(failure(tx.error, 'IndexedDB transaction failed'));
        tx.onabort = () => reject(failure(tx.error, 'IndexedDB transaction aborted'));
      });
      committed.catch(() => undefined); // awaited below; a failed request rejects first
      const result = await request(use(tx.objectStore(STORE)));
      await committed;
      return result;
    } finally {
      db.close();
    }
  };
  return {
    location: `indexeddb:${database}/${options.key}`,
    write: async (bytes) => {
      await withStore('readwrite', (s) => s.put(bytes.slice().buffer, options.key));
    },
    read: async () => {
      const value = await withStore('readonly', (s) => s.get(options.key));
      return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
    },
    clear: async () => {
      await withStore('readwrite', (s) => s.delete(options.key));
    },
  };
};
