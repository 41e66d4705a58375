import { backend_util } from '@tensorflow/tfjs-core';

type Attrs = Record<string, unknown>;

/**
 * tfjs's convolution geometry (NHWC input, filters `[kh, kw, in, out]`) from a kernel's attributes (`strides`,
 * `pad`, `dimRoundingMode`; stride 1 and 'valid' when absent).
 */
export const convInfo = (
  xShape: number[],
  filterShape: number[],
  attrs: unknown,
  dilations: unknown = 1,
): backend_util.Conv2DInfo => {
  const a = (attrs ?? {}) as Attrs;
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    (a.strides ?? 1) as number | [number, number],
    (dilations ?? 1) as number | [number, number],
    (a.pad ?? 'valid') as 'valid' | 'same' | number,
    a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
};

/** The 14 geometry numbers of the addon's im2col / col2im and fused conv kernels. */
export const im2colGeometry = (c: backend_util.Conv2DInfo): number[] => [
  c.batchSize,
  c.inHeight,
  c.inWidth,
  c.inChannels,
  c.filterHeight,
  c.filterWidth,
  c.strideHeight,
  c.strideWidth,
  c.dilationHeight,
  c.dilationWidth,
  c.padInfo.top,
  c.padInfo.left,
  c.outHeight,
  c.outWidth,
];

/** The addon's 12 pooling geometry numbers: im2col's without the dilations. */
export const poolGeometry = (c: backend_util.Conv2DInfo): number[] => {
  const g = im2colGeometry(c);
  return [...g.slice(0, 8), ...g.slice(10)];
};
