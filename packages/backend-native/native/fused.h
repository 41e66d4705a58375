// The N-API functions of fused.cc (the fused SparseVD kernels), pooling.cc (max pooling), epilogue.cc (bias and
// activation of a product's output), random.cc (tfjs-identical Gaussian noise) and unit-noise.cc (Structured
// Bayesian Pruning's unit noise: its sample and KL with their gradients).
#pragma once
#include <node_api.h>

namespace sparsevd {

napi_value KlOfWeights(napi_env env, napi_callback_info info);
napi_value LrtDenseForward(napi_env env, napi_callback_info info);
napi_value LrtDenseGradInput(napi_env env, napi_callback_info info);
napi_value LrtDenseGradLogSigma2(napi_env env, napi_callback_info info);
napi_value LrtConvForward(napi_env env, napi_callback_info info);
napi_value LrtConvGradInput(napi_env env, napi_callback_info info);
napi_value LrtConvGradLogSigma2(napi_env env, napi_callback_info info);
napi_value MaskedTheta(napi_env env, napi_callback_info info);
napi_value AdamUpdate(napi_env env, napi_callback_info info);
napi_value MaxPool(napi_env env, napi_callback_info info);
napi_value RandomNormal(napi_env env, napi_callback_info info);
napi_value MaxPoolGrad(napi_env env, napi_callback_info info);
napi_value BiasActivation(napi_env env, napi_callback_info info);
napi_value UnitNoiseKl(napi_env env, napi_callback_info info);
napi_value UnitNoiseSample(napi_env env, napi_callback_info info);

}  // namespace sparsevd
