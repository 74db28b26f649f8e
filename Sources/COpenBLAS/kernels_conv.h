// Convolution kernels for the backward pass on AVX2 (see kernels.h for the forward's ZT_DCONV kernels and the
// conventions: padded planes flattened with their padding, accumulators as named variables because Swift's importer
// compiles these inline functions without promoting arrays to registers).
#ifndef ZOETROPE_KERNELS_CONV_H
#define ZOETROPE_KERNELS_CONV_H

#if defined(__x86_64__)
#include <immintrin.h>

// Weight gradient over one chunk of positions, cache-blocked: for 4 output channels (rows of `gy`, `gyStride` floats
// apart) and `triples` groups of three (channel, tap) pairs, each pair an offset into `x` (channel·plane + tap
// offset; a short last group repeats its last offset), adds gy[i][q]·x[q + offset] for q in [0, n) (n a multiple
// of 8) to the pair's 8-lane partial sums in `acc`: per triple 3 pairs × 4 rows × 8 lanes, acc[((t·3 + j)·4 + i)·8].
// The caller runs it chunk by chunk (a chunk's 4 gy rows and its channels' input rows stay in L1 across all the
// triples; ZT_WGRAD_KERNEL streamed each image's gy rows, 250 KB per pass, from L2 once per channel and tap group)
// and adds the lanes once at the end. Each lane's sum runs over the positions in order, so the result depends only on
// how the caller orders the chunks.
#define ZT_WGC_ROWS4(M) M(0) M(1) M(2) M(3)
#define ZT_WGC_LOAD(i)                                                                                              \
    vt a##i##0, a##i##1, a##i##2;                                                                                   \
    __builtin_memcpy(&a##i##0, a + (0 * 4 + i) * 8, sizeof(vt));                                                    \
    __builtin_memcpy(&a##i##1, a + (1 * 4 + i) * 8, sizeof(vt));                                                    \
    __builtin_memcpy(&a##i##2, a + (2 * 4 + i) * 8, sizeof(vt));
#define ZT_WGC_FMA(i)                                                                                               \
    {                                                                                                               \
        vt gv;                                                                                                      \
        __builtin_memcpy(&gv, gy + i * gyStride + q, sizeof(vt));                                                   \
        a##i##0 = __builtin_elementwise_fma(gv, x0, a##i##0);                                                       \
        a##i##1 = __builtin_elementwise_fma(gv, x1, a##i##1);                                                       \
        a##i##2 = __builtin_elementwise_fma(gv, x2, a##i##2);                                                       \
    }
#define ZT_WGC_STORE(i)                                                                                             \
    __builtin_memcpy(a + (0 * 4 + i) * 8, &a##i##0, sizeof(vt));                                                    \
    __builtin_memcpy(a + (1 * 4 + i) * 8, &a##i##1, sizeof(vt));                                                    \
    __builtin_memcpy(a + (2 * 4 + i) * 8, &a##i##2, sizeof(vt));

__attribute__((target("avx2,fma"))) static inline void zt_wgrad_chunk_avx2_cb4(
    const float *gy, long gyStride, const float *x, const long *offsets, long triples, long n, float *acc) {
    typedef float vt __attribute__((ext_vector_type(8)));
    for (long t = 0; t < triples; t++) {
        float *a = acc + t * 96;
        const float *s0 = x + offsets[3 * t], *s1 = x + offsets[3 * t + 1], *s2 = x + offsets[3 * t + 2];
        ZT_WGC_ROWS4(ZT_WGC_LOAD)
        for (long q = 0; q < n; q += 8) {
            vt x0, x1, x2;
            __builtin_memcpy(&x0, s0 + q, sizeof(vt));
            __builtin_memcpy(&x1, s1 + q, sizeof(vt));
            __builtin_memcpy(&x2, s2 + q, sizeof(vt));
            ZT_WGC_ROWS4(ZT_WGC_FMA)
        }
        ZT_WGC_ROWS4(ZT_WGC_STORE)
    }
}

// The direct convolution of kernels.h (ZT_DCONV2_KERNEL) with 6 output channels × 2 vectors of positions: 12
// accumulators + 2 inputs + 1 broadcast of AVX2's 16 registers (4 × 2 left half of the FMA latency slots without a
// spare: on one core of the AMD EPYC, single-thread C harness, cb4 → cb6 at 32/64/16 px: 73–80 → 76–83 GF/s, more
// than the 3 % of rows a 6-block wastes at 64 or 128 channels). Same order of the sums, so the same bits as cb4.
#define ZT_ROWS6(M) M(0) M(1) M(2) M(3) M(4) M(5)
ZT_DCONV2_KERNEL(zt_dconv_avx2_cb6, "avx2,fma", 8, 6, ZT_ROWS6)
#else
ZT_DCONV_STUB(zt_dconv_avx2_cb6)
static inline void zt_wgrad_chunk_avx2_cb4(const float *gy, long gyStride, const float *x, const long *offsets,
                                           long triples, long n, float *acc) {
    (void)gy; (void)gyStride; (void)x; (void)offsets; (void)triples; (void)n; (void)acc;
}
#endif

#endif
