// COpenBLAS: cblas from Debian's libopenblas-dev (pthread flavour).
#ifndef ZOETROPE_COPENBLAS_SHIM_H
#define ZOETROPE_COPENBLAS_SHIM_H
#include <cblas.h>
#include "kernels.h"
#include "kernels_conv.h"
#include "kernels_winograd.h"

/// Number of threads OpenBLAS uses for one call (wraps the C function so callers need not know its spelling).
static inline void zt_openblas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int zt_openblas_get_threads(void) { return openblas_get_num_threads(); }
static inline const char *zt_openblas_config(void) { return openblas_get_config(); }
/// The kernel family OpenBLAS chose at load time (DYNAMIC_ARCH builds), e.g. "Haswell", "SkylakeX", "Prescott".
static inline const char *zt_openblas_corename(void) { return openblas_get_corename(); }
#endif
