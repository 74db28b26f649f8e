// COpenBLAS: cblas from Debian's libopenblas-dev (pthread flavour).
#ifndef ZOETROPE_COPENBLAS_SHIM_H
#define ZOETROPE_COPENBLAS_SHIM_H
#include <cblas.h>
#include <dlfcn.h>
#include "kernels.h"
#include "kernels_conv.h"
#include "kernels_winograd.h"

/// Number of threads OpenBLAS uses for one call (wraps the C function so callers need not know its spelling).
static inline void zt_openblas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int zt_openblas_get_threads(void) { return openblas_get_num_threads(); }
static inline const char *zt_openblas_config(void) { return openblas_get_config(); }
/// The kernel family OpenBLAS chose at load time (DYNAMIC_ARCH builds), e.g. "Haswell", "SkylakeX", "Prescott".
static inline const char *zt_openblas_corename(void) { return openblas_get_corename(); }
/// Ends OpenBLAS's worker threads (the pthread build's `blas_thread_shutdown_`, looked up at run time so other builds
/// link too; its next threaded call starts them again). Idle workers spin in sched_yield for ~0.1 s after each
/// threaded call, taking the cores from whatever runs next.
static inline void zt_openblas_stop_workers(void) {
    int (*shutdown)(void) = (int (*)(void))dlsym((void *)0 /* RTLD_DEFAULT */, "blas_thread_shutdown_");
    if (shutdown) shutdown();
}
#endif
