import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchLike, fetchIdxSplits, gunzipMaybe, IDX_SPLIT_FILES } from '../src/index.js';
import { loadMnist, mnistDataDir } from '../src/node/index.js';
import { gzip, tempDir, tinyIdxSplit } from './helpers.js';

// A static file server on localhost, as the playground's page has.
let server: Server;
let base: string;
let dir: string;
const valid = tinyIdxSplit(5);
beforeAll(async () => {
  dir = tempDir({
    'tiny/train-images-idx3-ubyte.gz': gzip(valid.images),
    'tiny/train-labels-idx1-ubyte': valid.labels,
    'tiny/t10k-images-idx3-ubyte': valid.images,
    'tiny/t10k-labels-idx1-ubyte.gz': gzip(valid.labels),
    'broken/train-images-idx3-ubyte': valid.images.subarray(0, 30),
    'broken/train-labels-idx1-ubyte': valid.labels,
    'broken/t10k-images-idx3-ubyte': valid.images,
    'broken/t10k-labels-idx1-ubyte': valid.labels,
  });
  server = createServer((req, res) => {
    readFile(join(dir, decodeURIComponent(req.url ?? '')))
      .then((bytes) => res.end(bytes))
      .catch(() => {
        res.statusCode = 404;
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('fetchIdxSplits: the datasets from URLs, as a page loads them', () => {
  it('fetches raw and .gz files over HTTP (the platform fetch and DecompressionStream) into the same values', async () => {
    const got = await fetchIdxSplits('tiny', `${base}/tiny/`)();
    if (E.isLeft(got)) throw new Error(got.left.message);
    expect(got.right.train).toMatchObject({ name: 'tiny/train', shape: [2, 3, 1], classes: 10 });
    expect(Array.from(got.right.test.labels)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(got.right.train.images)).toEqual(Array.from(valid.images.subarray(16)));
  });

  it('reads the real MNIST bytes for bytes as the file loader does (injected fetch)', async () => {
    const mnistDir = mnistDataDir();
    if (E.isLeft(mnistDir)) throw new Error(mnistDir.left.message);
    const fromDisk: FetchLike = async (url) => {
      const bytes = await readFile(join(mnistDir.right, url.replace('mnist://data/', '')));
      return {
        ok: true,
        status: 200,
        arrayBuffer: async () =>
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      };
    };
    const fetched = await fetchIdxSplits('mnist', 'mnist://data', { fetch: fromDisk })();
    const loaded = await loadMnist()();
    if (E.isLeft(fetched) || E.isLeft(loaded)) throw new Error('load failed');
    expect(fetched.right.train.labels.length).toBe(60_000);
    for (const split of ['train', 'test'] as const) {
      expect(
        Buffer.compare(fetched.right[split].images as Uint8Array, loaded.right[split].images as Uint8Array),
      ).toBe(0);
      expect(Buffer.compare(fetched.right[split].labels, loaded.right[split].labels)).toBe(0);
    }
  });

  it('a missing file, a failed request or a bad file is a Left naming the URL', async () => {
    const missing = await fetchIdxSplits('none', `${base}/nowhere`)();
    expect(E.isLeft(missing) && missing.left).toMatchObject({
      problem: 'FileMissing',
      message: `${base}/nowhere/${IDX_SPLIT_FILES.train.images}: not found (HTTP 404, nor at .gz)`,
    });
    const exact = await fetchIdxSplits('tiny', `${base}/tiny`, { suffix: '.gz' })();
    expect(E.isLeft(exact) && exact.left.message).toBe(
      `${base}/tiny/${IDX_SPLIT_FILES.train.labels}.gz: not found (HTTP 404)`,
    );
    const broken = await fetchIdxSplits('broken', `${base}/broken`)();
    expect(E.isLeft(broken) && broken.left).toMatchObject({
      problem: 'TruncatedBody',
      path: `${base}/broken/${IDX_SPLIT_FILES.train.images}`,
    });
    const offline = await fetchIdxSplits('x', 'http://x', {
      fetch: () => Promise.reject(new Error('Failed to fetch')),
    })();
    expect(E.isLeft(offline) && offline.left.message).toBe(
      `http://x/${IDX_SPLIT_FILES.train.images}: cannot fetch: Failed to fetch`,
    );
    const server500 = await fetchIdxSplits('x', 'http://x', {
      fetch: async () => ({ ok: false, status: 500, arrayBuffer: async () => new ArrayBuffer(0) }),
    })();
    expect(E.isLeft(server500) && server500.left.message).toMatch(/cannot fetch: HTTP 500$/);
  });

  it('gunzipMaybe passes plain bytes through and names the source of corrupt gzip', async () => {
    expect(await gunzipMaybe(valid.labels, 'a')()).toEqual(E.right(valid.labels));
    const zipped = gzip(valid.images);
    expect(await gunzipMaybe(zipped, 'b')()).toEqual(E.right(valid.images));
    const cut = await gunzipMaybe(zipped.subarray(0, zipped.length - 6), 'c.gz')();
    expect(E.isLeft(cut) && cut.left).toMatchObject({ problem: 'GzipCorrupt', path: 'c.gz' });
  });
});
