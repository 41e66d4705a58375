import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The bytes of an IDX file: header (magic 00 00 dtype ndims, big-endian dims) then `data`. */
export const idxBytes = (dims: number[], data: Uint8Array | number[], dtype = 0x08): Uint8Array => {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = dtype;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
};

/** A fresh temporary directory with the given files (relative path → bytes). */
export const tempDir = (files: Record<string, Uint8Array>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sparsevd-datasets-'));
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
};

/** A tiny valid MNIST-layout split: `count` images of `h×w` with pixel value = example index, labels i % 10. */
export const tinyIdxSplit = (count: number, h = 2, w = 3) => ({
  images: idxBytes(
    [count, h, w],
    Array.from({ length: count * h * w }, (_, i) => Math.floor(i / (h * w))),
  ),
  labels: idxBytes(
    [count],
    Array.from({ length: count }, (_, i) => i % 10),
  ),
});

/** CIFAR-10 binary records: pixel (channel c, position p) of record r = (r·7 + c·50 + p) mod 256, label r mod 10. */
export const cifarRecords = (count: number, offset = 0): Uint8Array => {
  const out = new Uint8Array(count * 3073);
  for (let r = 0; r < count; r += 1) {
    out[r * 3073] = (r + offset) % 10;
    for (let c = 0; c < 3; c += 1) {
      for (let p = 0; p < 1024; p += 1)
        out[r * 3073 + 1 + c * 1024 + p] = ((r + offset) * 7 + c * 50 + p) % 256;
    }
  }
  return out;
};

export const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));
