import type { EpochMetrics } from '@sparsevd/train';
import type { Settings } from './settings.js';
import type { Snapshot } from './snapshot.js';

/** The backends the page tries, best first. */
export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** A tfjs backend the page can run on. */
export type BackendName = (typeof BACKEND_ORDER)[number];

/** Page → worker. */
export type Command =
  | {
      readonly type: 'init';
      readonly backend?: BackendName;
      readonly dataUrl: string;
      readonly wasmUrl: string;
    }
  | { readonly type: 'backend'; readonly backend: BackendName }
  | { readonly type: 'start'; readonly settings: Settings }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'threshold'; readonly threshold: number }
  | { readonly type: 'export'; readonly threshold: number }
  | { readonly type: 'predict'; readonly pixels: Float32Array };

/** Worker → page. */
export type Report =
  | {
      readonly type: 'backend';
      readonly backend: BackendName;
      /** Each backend tried: whether it started in this browser, and why not. */
      readonly tried: ReadonlyArray<{
        readonly name: BackendName;
        readonly ok: boolean;
        readonly why?: string;
      }>;
    }
  | {
      readonly type: 'stored';
      /** A run kept in IndexedDB (from before a reload): where it stands. */
      readonly settings: Settings;
      readonly epoch: number;
      readonly step: number;
      readonly metrics: ReadonlyArray<EpochMetrics>;
    }
  | { readonly type: 'status'; readonly state: RunState; readonly message: string }
  | {
      readonly type: 'started';
      readonly settings: Settings;
      readonly stepsPerEpoch: number;
      readonly metrics: ReadonlyArray<EpochMetrics>;
    }
  | {
      readonly type: 'step';
      readonly epoch: number;
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
      readonly klWeight: number;
      readonly msPerStep: number;
    }
  | {
      readonly type: 'epoch';
      readonly metrics: EpochMetrics;
      /** Milliseconds of each step of the epoch, the page's drawing between steps excluded. */
      readonly stepMs: ReadonlyArray<number>;
    }
  | {
      readonly type: 'snapshot';
      readonly snapshot: Snapshot;
      /** Where the run was, in epochs (fractional): for the live compression curve. */
      readonly at: number;
    }
  | {
      readonly type: 'threshold';
      readonly threshold: number;
      readonly error: number;
      readonly compression: number | null;
      readonly snapshot: Snapshot;
    }
  | {
      readonly type: 'export';
      readonly bytes: Uint8Array;
      readonly threshold: number;
      readonly kept: number;
      readonly sparseBytes: number;
      readonly denseBytes: number;
    }
  | { readonly type: 'prediction'; readonly probabilities: ReadonlyArray<number>; readonly digit: number }
  | { readonly type: 'error'; readonly message: string };

/** Where the worker stands. */
export type RunState = 'loading' | 'idle' | 'training' | 'pausing' | 'paused' | 'done' | 'failed';
