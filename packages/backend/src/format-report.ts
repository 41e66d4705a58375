import type { BackendInfo } from './backend-info.js';

/** One line: the backend that runs, its version and its features. */
export const describeBackend = (info: BackendInfo): string => {
  const parts = [
    `${info.backend} (tfjs backend "${info.tfjsBackend}" ${info.version}, tfjs-core ${info.coreVersion})`,
  ];
  if (info.wasm !== undefined) {
    parts.push(`SIMD ${info.wasm.simd ? 'on' : 'off'}`);
    parts.push(info.wasm.threads ? `${info.wasm.threadCount} threads` : 'single-threaded');
  }
  if (info.cuda !== undefined) parts.push(`device ${info.cuda.device}`);
  if (info.native !== undefined) parts.push(info.native.details);
  return parts.join(', ');
};

/**
 * A short multi-line report for people: which backend runs and, for every backend passed over, why.
 *
 * @example
 * ```text
 * backend: wasm (tfjs backend "wasm" 4.22.0, tfjs-core 4.22.0), SIMD on, single-threaded
 * chosen by: auto
 * passed over:
 *   cuda        @tensorflow/tfjs-node-gpu not installed
 * ```
 */
export const formatBackendReport = (info: BackendInfo): string => {
  const lines = [
    `backend: ${describeBackend(info)}`,
    `chosen by: ${info.requested === 'auto' ? 'auto' : 'explicit request'}`,
  ];
  if (info.passedOver.length > 0) {
    lines.push('passed over:');
    for (const { backend, reason } of info.passedOver) lines.push(`  ${backend.padEnd(11)} ${reason}`);
  }
  return lines.join('\n');
};
