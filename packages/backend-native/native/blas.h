// The BLAS the addon's GEMMs call: OpenBLAS's CBLAS on Linux and elsewhere, Apple's Accelerate on macOS (binding.gyp
// defines SPARSEVD_ACCELERATE there). Both provide cblas_sgemm; what differs is how to ask for the build's name
// and how to keep the library single-threaded (the addon's pool runs the threads, gemm.h).
#pragma once

#if defined(SPARSEVD_ACCELERATE)
#include <Accelerate/Accelerate.h>

namespace sparsevd {
inline const char* BlasConfig() { return "Accelerate"; }
// Accelerate sizes its own threads (VECLIB_MAXIMUM_THREADS); there is no portable call to cap them.
inline void BlasSingleThreaded() {}
}  // namespace sparsevd
#else
#include <cblas.h>

extern "C" {
char* openblas_get_config(void);
void openblas_set_num_threads(int);
}

namespace sparsevd {
inline const char* BlasConfig() {
  const char* config = openblas_get_config();
  return config == nullptr ? "OpenBLAS" : config;
}
inline void BlasSingleThreaded() { openblas_set_num_threads(1); }
}  // namespace sparsevd
#endif
