// Vector kernels the engine's hottest non-GEMM loops call on x86-64 CPUs with AVX2 and FMA.
//
// Swift compiles the engine for the x86-64 baseline (SSE2), so its SIMD8<Float> code runs as pairs of 4-lane
// instructions. These few kernels are compiled for AVX2+FMA with clang's `target` attribute and chosen at run time
// (`zt_has_avx2_fma`), so the binary still runs on any x86-64. Same algorithms as the Swift versions in
// Engine/Tensor/Kernels.swift (Cephes expf: range reduction by ln 2 in two parts, degree-6 polynomial, 2^k through
// the exponent bits); results differ from them only by FMA rounding.
#ifndef ZOETROPE_KERNELS_H
#define ZOETROPE_KERNELS_H

/// Largest head width the short-attention kernel takes (its Kᵀ and Vᵀ live on the stack).
#define ZT_ATTN_MAXD 128

#if defined(__x86_64__)
#include <immintrin.h>

/// 1 when the CPU has AVX2 and FMA.
static inline int zt_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

__attribute__((target("avx2,fma"))) static inline __m256 zt_exp8_avx2(__m256 v) {
    __m256 x = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 fx = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    __m256 k = _mm256_sub_ps(fx, magic);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.98756915e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.39819995e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.16657959e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.66666655e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.00000012e-1f));
    __m256 y = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i ki = _mm256_sub_epi32(_mm256_castps_si256(fx), _mm256_set1_epi32(0x4B400000));
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(y), _mm256_slli_epi32(ki, 23)));
}

/// Softmax of one row in place: y = e^(x − max x) / Σ e^(x − max x).
__attribute__((target("avx2,fma"))) static inline void zt_softmax_row_avx2(float *s, long n) {
    long i = 0;
    __m256 m8 = _mm256_set1_ps(-__builtin_inff());
    for (; i + 8 <= n; i += 8) m8 = _mm256_max_ps(m8, _mm256_loadu_ps(s + i));
    float lanes[8];
    _mm256_storeu_ps(lanes, m8);
    float m = lanes[0];
    for (int j = 1; j < 8; j++) m = lanes[j] > m ? lanes[j] : m;
    for (; i < n; i++) m = s[i] > m ? s[i] : m;
    const __m256 shift = _mm256_set1_ps(m);
    __m256 acc = _mm256_setzero_ps();
    i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = zt_exp8_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + i), shift));
        _mm256_storeu_ps(s + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    _mm256_storeu_ps(lanes, acc);
    float total = 0;
    for (int j = 0; j < 8; j++) total += lanes[j];
    if (i < n) {
        // The tail through a masked 8-lane exp, so every element sees the same arithmetic.
        float tail[8] = {0};
        long t = n - i;
        for (long j = 0; j < t; j++) tail[j] = s[i + j] - m;
        _mm256_storeu_ps(tail, zt_exp8_avx2(_mm256_loadu_ps(tail)));
        for (long j = 0; j < t; j++) { s[i + j] = tail[j]; total += tail[j]; }
    }
    const __m256 inv = _mm256_set1_ps(1.0f / total);
    i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(s + i, _mm256_mul_ps(_mm256_loadu_ps(s + i), inv));
    for (; i < n; i++) s[i] *= 1.0f / total;
}

// Direct stride-1 convolution (any kernel size) on padded planes flattened with their padding: output position
// q = y·Wp + x reads input q + (ki·Wp + kj) for each kernel tap, so a vector of consecutive q is a contiguous load
// whatever rows it spans. Positions with x ≥ Wo are computed and discarded by the caller. No im2col matrix and no
// GEMM packing: the arithmetic intensity per loaded input vector is CB output channels (the im2col + sgemm path
// spent more time copying than multiplying at the model's 16–64-channel layers).
//
//   xp      padded input planes of one image, `plane` floats apart, zero slack after the last one
//   wt      one block of CB output channels: [channels][taps][CB] (channels beyond Co zero)
//   offsets taps offsets ki·Wp + kj
//   bias    CB values or NULL
//   out     CB rows of `outStride` floats; positions [q0, q1) written, q1 − q0 a multiple of the step (3·VW; 2·VW for ZT_DCONV2_KERNEL)
//   accumulate  nonzero: start from the sums already in `out` (the previous channel group's), not from the bias
//
// Each output sums its bias, then channel by channel, tap by tap: the order is fixed, so results do not depend on
// how the caller splits the work between threads, nor on how it groups the channels (a group resumes the sums the
// previous group stored).
//
// The accumulators are named variables, not arrays: Swift's importer compiles these inline functions at an
// optimisation level that neither unrolls nor promotes arrays to registers (the array version spilled every
// accumulator to the stack and ran 3× slower than im2col + sgemm).
#define ZT_ROWS4(M) M(0) M(1) M(2) M(3)
#define ZT_ROWS8(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
#define ZT_DCONV_INIT(i)                                                                                            \
    vt a##i##0 = (vt)(bias ? bias[i] : 0.0f), a##i##1 = a##i##0, a##i##2 = a##i##0;                                 \
    if (accumulate) {                                                                                               \
        __builtin_memcpy(&a##i##0, out + i * outStride + q, sizeof(vt));                                            \
        __builtin_memcpy(&a##i##1, out + i * outStride + q + vw, sizeof(vt));                                       \
        __builtin_memcpy(&a##i##2, out + i * outStride + q + 2 * vw, sizeof(vt));                                   \
    }
#define ZT_DCONV_FMA(i)                                                                                             \
    {                                                                                                               \
        vt wb = (vt)w[i];                                                                                           \
        a##i##0 = __builtin_elementwise_fma(wb, x0, a##i##0);                                                       \
        a##i##1 = __builtin_elementwise_fma(wb, x1, a##i##1);                                                       \
        a##i##2 = __builtin_elementwise_fma(wb, x2, a##i##2);                                                       \
    }
#define ZT_DCONV_STORE(i)                                                                                           \
    __builtin_memcpy(out + i * outStride + q, &a##i##0, sizeof(vt));                                                \
    __builtin_memcpy(out + i * outStride + q + vw, &a##i##1, sizeof(vt));                                           \
    __builtin_memcpy(out + i * outStride + q + 2 * vw, &a##i##2, sizeof(vt));
#define ZT_DCONV_KERNEL(NAME, TARGET, VW, CB, ROWS)                                                                 \
    __attribute__((target(TARGET))) static inline void NAME(                                                        \
        const float *xp, long plane, long channels, const float *wt, const long *offsets, long taps,                \
        const float *bias, float *out, long outStride, long q0, long q1, long accumulate) {                         \
        typedef float vt __attribute__((ext_vector_type(VW)));                                                      \
        const long vw = VW;                                                                                         \
        for (long q = q0; q < q1; q += 3 * VW) {                                                                    \
            ROWS(ZT_DCONV_INIT)                                                                                     \
            const float *w = wt;                                                                                    \
            for (long c = 0; c < channels; c++) {                                                                   \
                const float *xc = xp + c * plane + q;                                                               \
                for (long k = 0; k < taps; k++, w += CB) {                                                          \
                    const float *src = xc + offsets[k];                                                             \
                    vt x0, x1, x2;                                                                                  \
                    __builtin_memcpy(&x0, src, sizeof(vt));                                                         \
                    __builtin_memcpy(&x1, src + VW, sizeof(vt));                                                    \
                    __builtin_memcpy(&x2, src + 2 * VW, sizeof(vt));                                                \
                    ROWS(ZT_DCONV_FMA)                                                                              \
                }                                                                                                   \
            }                                                                                                       \
            ROWS(ZT_DCONV_STORE)                                                                                    \
        }                                                                                                           \
    }

// The same with two vectors of positions per step, for AVX2's 16 registers: CB = 4 rows × 2 vectors is 8 accumulators
// + 2 inputs + 1 broadcast. With three vectors (12 + 3 + 1 = all 16) clang rotated the accumulators through
// registers with a move per FMA and spilled one every step: 38 GFLOP/s on one Zen 3 core against 80–88 with two.
#define ZT_DCONV2_INIT(i)                                                                                           \
    vt a##i##0 = (vt)(bias ? bias[i] : 0.0f), a##i##1 = a##i##0;                                                    \
    if (accumulate) {                                                                                               \
        __builtin_memcpy(&a##i##0, out + i * outStride + q, sizeof(vt));                                            \
        __builtin_memcpy(&a##i##1, out + i * outStride + q + vw, sizeof(vt));                                       \
    }
#define ZT_DCONV2_FMA(i)                                                                                            \
    {                                                                                                               \
        vt wb = (vt)w[i];                                                                                           \
        a##i##0 = __builtin_elementwise_fma(wb, x0, a##i##0);                                                       \
        a##i##1 = __builtin_elementwise_fma(wb, x1, a##i##1);                                                       \
    }
#define ZT_DCONV2_STORE(i)                                                                                          \
    __builtin_memcpy(out + i * outStride + q, &a##i##0, sizeof(vt));                                                \
    __builtin_memcpy(out + i * outStride + q + vw, &a##i##1, sizeof(vt));
#define ZT_DCONV2_TAP(ROWS, CB, OFF)                                                                                \
    {                                                                                                               \
        const float *src = xc + (OFF);                                                                              \
        vt x0, x1;                                                                                                  \
        __builtin_memcpy(&x0, src, sizeof(vt));                                                                     \
        __builtin_memcpy(&x1, src + vw, sizeof(vt));                                                                \
        ROWS(ZT_DCONV2_FMA)                                                                                         \
        w += CB;                                                                                                    \
    }
#define ZT_DCONV2_KERNEL(NAME, TARGET, VW, CB, ROWS)                                                                \
    __attribute__((target(TARGET))) static inline void NAME(                                                        \
        const float *xp, long plane, long channels, const float *wt, const long *offsets, long taps,                \
        const float *bias, float *out, long outStride, long q0, long q1, long accumulate) {                         \
        typedef float vt __attribute__((ext_vector_type(VW)));                                                      \
        const long vw = VW;                                                                                         \
        /* 3×3: the nine taps written out with their offsets in registers (loop overhead and the offsets' loads */   \
        /* filled the issue slots between the FMAs: +20–50 % on one Zen 3 core); same order, same sums. */           \
        const long o1 = taps == 9 ? offsets[1] : 0, o2 = taps == 9 ? offsets[2] : 0, o3 = taps == 9 ? offsets[3] : 0; \
        const long o4 = taps == 9 ? offsets[4] : 0, o5 = taps == 9 ? offsets[5] : 0, o6 = taps == 9 ? offsets[6] : 0; \
        const long o7 = taps == 9 ? offsets[7] : 0, o8 = taps == 9 ? offsets[8] : 0;                                 \
        for (long q = q0; q < q1; q += 2 * VW) {                                                                    \
            ROWS(ZT_DCONV2_INIT)                                                                                    \
            const float *w = wt;                                                                                    \
            if (taps == 9) {                                                                                        \
                for (long c = 0; c < channels; c++) {                                                               \
                    const float *xc = xp + c * plane + q;                                                           \
                    ZT_DCONV2_TAP(ROWS, CB, 0) ZT_DCONV2_TAP(ROWS, CB, o1) ZT_DCONV2_TAP(ROWS, CB, o2)              \
                    ZT_DCONV2_TAP(ROWS, CB, o3) ZT_DCONV2_TAP(ROWS, CB, o4) ZT_DCONV2_TAP(ROWS, CB, o5)             \
                    ZT_DCONV2_TAP(ROWS, CB, o6) ZT_DCONV2_TAP(ROWS, CB, o7) ZT_DCONV2_TAP(ROWS, CB, o8)             \
                }                                                                                                   \
            } else                                                                                                  \
            for (long c = 0; c < channels; c++) {                                                                   \
                const float *xc = xp + c * plane + q;                                                               \
                for (long k = 0; k < taps; k++) ZT_DCONV2_TAP(ROWS, CB, offsets[k])                                  \
            }                                                                                                       \
            ROWS(ZT_DCONV2_STORE)                                                                                   \
        }                                                                                                           \
    }

// Activations over n floats, 8 lanes at a time; the last n mod 8 through a zero-padded 8-lane block, so every element
// sees the same arithmetic. Same formulas as Tensor.silu()/gelu() (erf: Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7).
#define ZT_LANES8(N, BODY)                                                                                          \
    {                                                                                                               \
        long i = 0;                                                                                                 \
        for (; i + 8 <= (N); i += 8) { BODY(i, 8) }                                                                 \
        if (i < (N)) { BODY(i, (N) - i) }                                                                           \
    }

__attribute__((target("avx2,fma"))) static inline __m256 zt_load8(const float *p, long n) {
    if (n == 8) return _mm256_loadu_ps(p);
    float t[8] = {0};
    for (long j = 0; j < n; j++) t[j] = p[j];
    return _mm256_loadu_ps(t);
}

__attribute__((target("avx2,fma"))) static inline void zt_store8(float *p, __m256 v, long n) {
    if (n == 8) { _mm256_storeu_ps(p, v); return; }
    float t[8];
    _mm256_storeu_ps(t, v);
    for (long j = 0; j < n; j++) p[j] = t[j];
}

/// σ(x) = 1 / (1 + e^−x).
__attribute__((target("avx2,fma"))) static inline __m256 zt_sigmoid8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, zt_exp8_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

/// erf(x) given e^(−x²).
__attribute__((target("avx2,fma"))) static inline __m256 zt_erf8(__m256 x, __m256 emx2) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 ax = _mm256_andnot_ps(sign, x);
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), ax, _mm256_set1_ps(1.0f)));
    __m256 y = _mm256_set1_ps(1.061405429f);
    y = _mm256_fmadd_ps(y, t, _mm256_set1_ps(-1.453152027f));
    y = _mm256_fmadd_ps(y, t, _mm256_set1_ps(1.421413741f));
    y = _mm256_fmadd_ps(y, t, _mm256_set1_ps(-0.284496736f));
    y = _mm256_fmadd_ps(y, t, _mm256_set1_ps(0.254829592f));
    __m256 e = _mm256_fnmadd_ps(_mm256_mul_ps(y, t), emx2, _mm256_set1_ps(1.0f));
    return _mm256_or_ps(e, _mm256_and_ps(x, sign));
}

/// y = x·σ(x).
__attribute__((target("avx2,fma"))) static inline void zt_silu_avx2(const float *x, float *y, long n) {
#define ZT_SILU_F(i, k) { __m256 v = zt_load8(x + i, k); zt_store8(y + i, _mm256_mul_ps(v, zt_sigmoid8(v)), k); }
    ZT_LANES8(n, ZT_SILU_F)
#undef ZT_SILU_F
}

/// y = a·x + b (a group norm's per-channel affine map), then SiLU when `silu` is 1: one pass instead of two.
__attribute__((target("avx2,fma"))) static inline void zt_affine_avx2(const float *x, float *y, long n, float a, float b,
                                                                     int silu) {
    const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
#define ZT_AFFINE(i, k) { __m256 v = _mm256_fmadd_ps(zt_load8(x + i, k), va, vb); zt_store8(y + i, v, k); }
#define ZT_AFFINE_SILU(i, k)                                                                                        \
    { __m256 v = _mm256_fmadd_ps(zt_load8(x + i, k), va, vb); zt_store8(y + i, _mm256_mul_ps(v, zt_sigmoid8(v)), k); }
    if (silu) ZT_LANES8(n, ZT_AFFINE_SILU) else ZT_LANES8(n, ZT_AFFINE)
#undef ZT_AFFINE
#undef ZT_AFFINE_SILU
}

/// One layer-norm row: y = (x − μ)·r·γ + β (γ, β NULL: 1, 0).
__attribute__((target("avx2,fma"))) static inline void zt_layernorm_row_avx2(const float *x, float *y, long n, float mu,
                                                                            float r, const float *w, const float *b) {
    const __m256 vm = _mm256_set1_ps(mu), vr = _mm256_set1_ps(r), one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
#define ZT_LN(i, k)                                                                                                 \
    {                                                                                                               \
        __m256 h = _mm256_mul_ps(_mm256_sub_ps(zt_load8(x + i, k), vm), vr);                                        \
        zt_store8(y + i, _mm256_fmadd_ps(h, w ? zt_load8(w + i, k) : one, b ? zt_load8(b + i, k) : zero), k);       \
    }
    ZT_LANES8(n, ZT_LN)
#undef ZT_LN
}

/// Layer-norm backward, one row of n values (γ given, 1 if absent): with ĝ = g·γ and x̂ = (x − μ)·r,
/// dx = r·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)). Lane sums are added in lane order.
__attribute__((target("avx2,fma"))) static inline void zt_ln_backward_row_avx2(const float *x, const float *g,
                                                                              const float *w, float *dx, long n,
                                                                              float mu, float r) {
    const __m256 vm = _mm256_set1_ps(mu), vr = _mm256_set1_ps(r);
    __m256 a = _mm256_setzero_ps(), b = a;
#define ZT_LNB1(i, k)                                                                                               \
    {                                                                                                               \
        __m256 gh = _mm256_mul_ps(zt_load8(g + i, k), zt_load8(w + i, k));                                         \
        a = _mm256_add_ps(a, gh);                                                                                   \
        b = _mm256_fmadd_ps(gh, _mm256_mul_ps(_mm256_sub_ps(zt_load8(x + i, k), vm), vr), b);                      \
    }
    ZT_LANES8(n, ZT_LNB1)
#undef ZT_LNB1
    float la[8], lb[8], sa = 0, sb = 0;
    _mm256_storeu_ps(la, a);
    _mm256_storeu_ps(lb, b);
    for (int j = 0; j < 8; j++) { sa += la[j]; sb += lb[j]; }
    const __m256 mg = _mm256_set1_ps(sa / (float)n), mgx = _mm256_set1_ps(sb / (float)n);
#define ZT_LNB2(i, k)                                                                                               \
    {                                                                                                               \
        __m256 gh = _mm256_mul_ps(zt_load8(g + i, k), zt_load8(w + i, k));                                         \
        __m256 xh = _mm256_mul_ps(_mm256_sub_ps(zt_load8(x + i, k), vm), vr);                                      \
        zt_store8(dx + i, _mm256_mul_ps(vr, _mm256_sub_ps(_mm256_sub_ps(gh, mg), _mm256_mul_ps(xh, mgx))), k);     \
    }
    ZT_LANES8(n, ZT_LNB2)
#undef ZT_LNB2
}

/// Layer-norm parameter gradients, one row: dγ += g·(x − μ)·r, dβ += g.
__attribute__((target("avx2,fma"))) static inline void zt_ln_params_row_avx2(const float *x, const float *g, float *gw,
                                                                            float *gb, long n, float mu, float r) {
    const __m256 vm = _mm256_set1_ps(mu), vr = _mm256_set1_ps(r);
#define ZT_LNP(i, k)                                                                                                \
    {                                                                                                               \
        __m256 gv = zt_load8(g + i, k);                                                                             \
        __m256 xh = _mm256_mul_ps(_mm256_sub_ps(zt_load8(x + i, k), vm), vr);                                      \
        zt_store8(gw + i, _mm256_fmadd_ps(gv, xh, zt_load8(gw + i, k)), k);                                        \
        zt_store8(gb + i, _mm256_add_ps(gv, zt_load8(gb + i, k)), k);                                              \
    }
    ZT_LANES8(n, ZT_LNP)
#undef ZT_LNP
}

/// Σ x and Σ (x − Σx/n)² over n floats (group norm's statistics): two passes, each in four independent 8-lane sums
/// (one accumulator chained every add ran at the add's latency), the last n mod 32 in the first, then the lanes in order.
__attribute__((target("avx2,fma"))) static inline float zt_lanesum4_avx2(__m256 a, __m256 b, __m256 c, __m256 d) {
    float l[8], t = 0;
    _mm256_storeu_ps(l, _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d)));
    for (int j = 0; j < 8; j++) t += l[j];
    return t;
}
__attribute__((target("avx2,fma"))) static inline void zt_mean_var_avx2(const float *x, long n, float *mean, float *var) {
    __m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        a = _mm256_add_ps(a, _mm256_loadu_ps(x + i));
        b = _mm256_add_ps(b, _mm256_loadu_ps(x + i + 8));
        c = _mm256_add_ps(c, _mm256_loadu_ps(x + i + 16));
        d = _mm256_add_ps(d, _mm256_loadu_ps(x + i + 24));
    }
    for (; i < n; i += 8) a = _mm256_add_ps(a, zt_load8(x + i, n - i < 8 ? n - i : 8));
    const float mu = zt_lanesum4_avx2(a, b, c, d) / (float)n;
    const __m256 m = _mm256_set1_ps(mu);
    a = _mm256_setzero_ps(); b = a; c = a; d = a;
    for (i = 0; i + 32 <= n; i += 32) {
        __m256 e0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), m), e1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), m);
        __m256 e2 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 16), m), e3 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 24), m);
        a = _mm256_fmadd_ps(e0, e0, a);
        b = _mm256_fmadd_ps(e1, e1, b);
        c = _mm256_fmadd_ps(e2, e2, c);
        d = _mm256_fmadd_ps(e3, e3, d);
    }
    for (; i < n; i += 8) {
        const long k = n - i < 8 ? n - i : 8;
        // Lanes beyond the tail load as 0; mask them out of the centred square.
        __m256 e = _mm256_and_ps(_mm256_sub_ps(zt_load8(x + i, k), m), _mm256_castsi256_ps(
            _mm256_cmpgt_epi32(_mm256_set1_epi32((int)k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))));
        a = _mm256_fmadd_ps(e, e, a);
    }
    *mean = mu;
    *var = zt_lanesum4_avx2(a, b, c, d) / (float)n;
}

/// Group-norm backward, one channel of s values: Σ g and Σ g·x in one pass (8-lane partial sums, then lanes in order).
__attribute__((target("avx2,fma"))) static inline void zt_sum_dot_avx2(const float *g, const float *x, long n, float *sg,
                                                                      float *sgx) {
    __m256 a = _mm256_setzero_ps(), b = a;
#define ZT_SD(i, k) { __m256 gv = zt_load8(g + i, k); a = _mm256_add_ps(a, gv); b = _mm256_fmadd_ps(gv, zt_load8(x + i, k), b); }
    ZT_LANES8(n, ZT_SD)
#undef ZT_SD
    float la[8], lb[8];
    _mm256_storeu_ps(la, a);
    _mm256_storeu_ps(lb, b);
    float ta = 0, tb = 0;
    for (int j = 0; j < 8; j++) { ta += la[j]; tb += lb[j]; }
    *sg = ta;
    *sgx = tb;
}

/// Group-norm backward, one channel: dx = r·(w·g − mG − (x − μ)·r·mGX).
__attribute__((target("avx2,fma"))) static inline void zt_gn_backward_avx2(const float *x, const float *g, float *dx, long n,
                                                                          float mu, float r, float w, float meanG,
                                                                          float meanGX) {
    const __m256 vm = _mm256_set1_ps(mu), vr = _mm256_set1_ps(r), vw = _mm256_set1_ps(w), vg = _mm256_set1_ps(meanG),
                 vgx = _mm256_set1_ps(meanGX);
#define ZT_GNB(i, k)                                                                                                \
    {                                                                                                               \
        __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(zt_load8(x + i, k), vm), vr);                                     \
        __m256 t = _mm256_sub_ps(_mm256_fmsub_ps(vw, zt_load8(g + i, k), vg), _mm256_mul_ps(xhat, vgx));            \
        zt_store8(dx + i, _mm256_mul_ps(vr, t), k);                                                                 \
    }
    ZT_LANES8(n, ZT_GNB)
#undef ZT_GNB
}

/// gx = gy·σ(x)·(1 + x·(1 − σ(x))).
__attribute__((target("avx2,fma"))) static inline void zt_silu_backward_avx2(const float *x, const float *gy, float *gx, long n) {
#define ZT_SILU_B(i, k)                                                                                             \
    {                                                                                                               \
        __m256 v = zt_load8(x + i, k), s = zt_sigmoid8(v), one = _mm256_set1_ps(1.0f);                              \
        __m256 d = _mm256_mul_ps(s, _mm256_fmadd_ps(v, _mm256_sub_ps(one, s), one));                                \
        zt_store8(gx + i, _mm256_mul_ps(zt_load8(gy + i, k), d), k);                                                \
    }
    ZT_LANES8(n, ZT_SILU_B)
#undef ZT_SILU_B
}

/// y = ½x(1 + erf(x/√2)).
__attribute__((target("avx2,fma"))) static inline void zt_gelu_avx2(const float *x, float *y, long n) {
#define ZT_GELU_F(i, k)                                                                                             \
    {                                                                                                               \
        __m256 v = zt_load8(x + i, k), u = _mm256_mul_ps(v, _mm256_set1_ps(0.70710678118654752f));                  \
        __m256 e = zt_exp8_avx2(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(u, u)));                           \
        __m256 half = _mm256_mul_ps(_mm256_set1_ps(0.5f), v);                                                       \
        zt_store8(y + i, _mm256_fmadd_ps(half, zt_erf8(u, e), half), k);                                            \
    }
    ZT_LANES8(n, ZT_GELU_F)
#undef ZT_GELU_F
}

/// gx = gy·(Φ(x) + x·φ(x)).
__attribute__((target("avx2,fma"))) static inline void zt_gelu_backward_avx2(const float *x, const float *gy, float *gx, long n) {
#define ZT_GELU_B(i, k)                                                                                             \
    {                                                                                                               \
        __m256 v = zt_load8(x + i, k), u = _mm256_mul_ps(v, _mm256_set1_ps(0.70710678118654752f));                  \
        __m256 e = zt_exp8_avx2(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(u, u)));                           \
        __m256 cdf = _mm256_mul_ps(_mm256_set1_ps(0.5f), _mm256_add_ps(_mm256_set1_ps(1.0f), zt_erf8(u, e)));       \
        __m256 pdf = _mm256_mul_ps(e, _mm256_set1_ps(0.3989422804014327f));                                         \
        zt_store8(gx + i, _mm256_mul_ps(zt_load8(gy + i, k), _mm256_fmadd_ps(v, pdf, cdf)), k);                     \
    }
    ZT_LANES8(n, ZT_GELU_B)
#undef ZT_GELU_B
}

// Attention over short key sequences (Lk ≤ 16: temporal attention across a clip's frames, cross-attention to
// prompt tokens), one (batch, head) pair per call. GEMM calls on 16×16×32 blocks spent their time in OpenBLAS's call
// and packing overhead (~30 % of sgemm's throughput); here one query's 16 scores are two 8-lane vectors: scores by
// broadcasting the query against Kᵀ, softmax in registers, output as Σ_j p_j·v_j. Row layouts as in the Swift
// caller: token t of the pair at base + t·stride.
/// Kᵀ of one pair into `kt` ([d][16], zero beyond lk).
__attribute__((target("avx2,fma"))) static inline void zt_attn_transpose(const float *k, long ldk, long lk, long d, float *kt) {
    for (long c = 0; c < d; c++)
        for (long j = 0; j < 16; j++) kt[c * 16 + j] = j < lk ? k[j * ldk + c] : 0.0f;
}

/// p[0..16) = softmax of the 16 lanes (s0, s1) over the first lk (p[lk..16) = 0).
__attribute__((target("avx2,fma"))) static inline void zt_softmax16(__m256 s0, __m256 s1, long lk, float *p) {
    // Lanes beyond lk take −∞, and their e^(s − max) (which exp8's clamp makes ~1e-38, not 0) is masked to 0.
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256 m0 = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)lk), lane));
    __m256 m1 = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)lk - 8), lane));
    const __m256 ninf = _mm256_set1_ps(-__builtin_inff());
    s0 = _mm256_blendv_ps(ninf, s0, m0);
    s1 = _mm256_blendv_ps(ninf, s1, m1);
    __m256 mx = _mm256_max_ps(s0, s1);
    mx = _mm256_max_ps(mx, _mm256_permute2f128_ps(mx, mx, 1));
    mx = _mm256_max_ps(mx, _mm256_shuffle_ps(mx, mx, 0x4E));
    mx = _mm256_max_ps(mx, _mm256_shuffle_ps(mx, mx, 0xB1));
    __m256 e0 = _mm256_and_ps(zt_exp8_avx2(_mm256_sub_ps(s0, mx)), m0);
    __m256 e1 = _mm256_and_ps(zt_exp8_avx2(_mm256_sub_ps(s1, mx)), m1);
    __m256 t = _mm256_add_ps(e0, e1);
    t = _mm256_add_ps(t, _mm256_permute2f128_ps(t, t, 1));
    t = _mm256_add_ps(t, _mm256_shuffle_ps(t, t, 0x4E));
    t = _mm256_add_ps(t, _mm256_shuffle_ps(t, t, 0xB1));
    __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.0f), t);
    _mm256_storeu_ps(p, _mm256_mul_ps(e0, inv));
    _mm256_storeu_ps(p + 8, _mm256_mul_ps(e1, inv));
}

/// (lo, hi) = Σ_c x[c]·t[c][0..16): a row of n values times an [n][16] matrix (two FMA chains per half).
__attribute__((target("avx2,fma"))) static inline void zt_row_times16(const float *x, long n, const float *t, __m256 *lo,
                                                                     __m256 *hi) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0;
    long c = 0;
    for (; c + 2 <= n; c += 2) {
        __m256 x0 = _mm256_set1_ps(x[c]), x1 = _mm256_set1_ps(x[c + 1]);
        a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(t + c * 16), a0);
        a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(t + c * 16 + 8), a1);
        b0 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(t + c * 16 + 16), b0);
        b1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(t + c * 16 + 24), b1);
    }
    if (c < n) {
        __m256 x0 = _mm256_set1_ps(x[c]);
        a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(t + c * 16), a0);
        a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(t + c * 16 + 8), a1);
    }
    *lo = _mm256_add_ps(a0, b0);
    *hi = _mm256_add_ps(a1, b1);
}

/// p = softmax(scale·q·Kᵀ) over the first lk of 16 lanes (p[lk..16) = 0).
__attribute__((target("avx2,fma"))) static inline void zt_attn_probs(const float *q, long d, const float *kt, long lk,
                                                                    float scale, float *p) {
    __m256 s0, s1;
    zt_row_times16(q, d, kt, &s0, &s1);
    const __m256 sc = _mm256_set1_ps(scale);
    zt_softmax16(_mm256_mul_ps(s0, sc), _mm256_mul_ps(s1, sc), lk, p);
}

/// The probabilities of four consecutive queries (rows `ldq` apart) into p[0..64): eight independent FMA chains
/// instead of four, and four independent softmaxes the CPU overlaps (one query at a time is latency-bound).
__attribute__((target("avx2,fma"))) static inline void zt_attn_probs4(const float *q, long ldq, long d, const float *kt,
                                                                     long lk, float scale, float *p) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
    const float *q1 = q + ldq, *q2 = q + 2 * ldq, *q3 = q + 3 * ldq;
    for (long c = 0; c < d; c++) {
        __m256 k0 = _mm256_loadu_ps(kt + c * 16), k1 = _mm256_loadu_ps(kt + c * 16 + 8);
        __m256 x = _mm256_set1_ps(q[c]);
        a0 = _mm256_fmadd_ps(x, k0, a0); a1 = _mm256_fmadd_ps(x, k1, a1);
        x = _mm256_set1_ps(q1[c]);
        b0 = _mm256_fmadd_ps(x, k0, b0); b1 = _mm256_fmadd_ps(x, k1, b1);
        x = _mm256_set1_ps(q2[c]);
        c0 = _mm256_fmadd_ps(x, k0, c0); c1 = _mm256_fmadd_ps(x, k1, c1);
        x = _mm256_set1_ps(q3[c]);
        e0 = _mm256_fmadd_ps(x, k0, e0); e1 = _mm256_fmadd_ps(x, k1, e1);
    }
    const __m256 sc = _mm256_set1_ps(scale);
    zt_softmax16(_mm256_mul_ps(a0, sc), _mm256_mul_ps(a1, sc), lk, p);
    zt_softmax16(_mm256_mul_ps(b0, sc), _mm256_mul_ps(b1, sc), lk, p + 16);
    zt_softmax16(_mm256_mul_ps(c0, sc), _mm256_mul_ps(c1, sc), lk, p + 32);
    zt_softmax16(_mm256_mul_ps(e0, sc), _mm256_mul_ps(e1, sc), lk, p + 48);
}

/// out[0..n) = Σ_{j<lk} w[j]·rows[j·ld + ·]  (four 8-lane chains, then 8-lane and scalar tails); beta 1 adds to out.
__attribute__((target("avx2,fma"))) static inline void zt_attn_combine(const float *w, long lk, const float *rows, long ld,
                                                                      long n, float *out, int accumulate) {
    long c = 0;
    for (; c + 32 <= n; c += 32) {
        __m256 o0 = _mm256_setzero_ps(), o1 = o0, o2 = o0, o3 = o0;
        for (long j = 0; j < lk; j++) {
            const float *r = rows + j * ld + c;
            __m256 wj = _mm256_set1_ps(w[j]);
            o0 = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r), o0);
            o1 = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 8), o1);
            o2 = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 16), o2);
            o3 = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 24), o3);
        }
        if (accumulate) {
            o0 = _mm256_add_ps(o0, _mm256_loadu_ps(out + c)); o1 = _mm256_add_ps(o1, _mm256_loadu_ps(out + c + 8));
            o2 = _mm256_add_ps(o2, _mm256_loadu_ps(out + c + 16)); o3 = _mm256_add_ps(o3, _mm256_loadu_ps(out + c + 24));
        }
        _mm256_storeu_ps(out + c, o0); _mm256_storeu_ps(out + c + 8, o1);
        _mm256_storeu_ps(out + c + 16, o2); _mm256_storeu_ps(out + c + 24, o3);
    }
    for (; c + 8 <= n; c += 8) {
        __m256 o0 = _mm256_setzero_ps();
        for (long j = 0; j < lk; j++) o0 = _mm256_fmadd_ps(_mm256_set1_ps(w[j]), _mm256_loadu_ps(rows + j * ld + c), o0);
        if (accumulate) o0 = _mm256_add_ps(o0, _mm256_loadu_ps(out + c));
        _mm256_storeu_ps(out + c, o0);
    }
    for (; c < n; c++) {
        float o = 0;
        for (long j = 0; j < lk; j++) o += w[j] * rows[j * ld + c];
        out[c] = accumulate ? out[c] + o : o;
    }
}

/// Forward of one pair: out_i = softmax(scale·q_i·Kᵀ)·V for lq queries; lk ≤ 16, d ≤ ZT_ATTN_MAXD.
__attribute__((target("avx2,fma"))) static inline void zt_attn_short_forward(
    const float *q, long ldq, long lq, const float *k, long ldk, long lk, long d, const float *v, long ldv, long dv,
    float scale, float *out, long ldo) {
    float kt[ZT_ATTN_MAXD * 16], p[64];
    zt_attn_transpose(k, ldk, lk, d, kt);
    long i = 0;
    for (; i + 4 <= lq; i += 4) {
        zt_attn_probs4(q + i * ldq, ldq, d, kt, lk, scale, p);
        for (long r = 0; r < 4; r++) zt_attn_combine(p + 16 * r, lk, v, ldv, dv, out + (i + r) * ldo, 0);
    }
    for (; i < lq; i++) {
        zt_attn_probs(q + i * ldq, d, kt, lk, scale, p);
        zt_attn_combine(p, lk, v, ldv, dv, out + i * ldo, 0);
    }
}

/// dS of one query from its P (p[0..16)) and dP = (lo, hi): scale·P ⊙ (dP − Σ P⊙dP), into ds[0..16). Lanes beyond
/// lk have P = 0, so they give 0 and add nothing to the sum.
__attribute__((target("avx2,fma"))) static inline void zt_attn_ds16(const float *p, __m256 lo, __m256 hi, __m256 sc,
                                                                   float *ds) {
    __m256 p0 = _mm256_loadu_ps(p), p1 = _mm256_loadu_ps(p + 8);
    __m256 t = _mm256_fmadd_ps(p1, hi, _mm256_mul_ps(p0, lo));
    t = _mm256_add_ps(t, _mm256_permute2f128_ps(t, t, 1));
    t = _mm256_add_ps(t, _mm256_shuffle_ps(t, t, 0x4E));
    t = _mm256_add_ps(t, _mm256_shuffle_ps(t, t, 0xB1));
    _mm256_storeu_ps(ds, _mm256_mul_ps(_mm256_mul_ps(sc, p0), _mm256_sub_ps(lo, t)));
    _mm256_storeu_ps(ds + 8, _mm256_mul_ps(_mm256_mul_ps(sc, p1), _mm256_sub_ps(hi, t)));
}

/// Backward of four consecutive queries of one pair (rows `ldq` / `ldgo` apart), P recomputed: dQ rows written
/// (gq NULL: not wanted); their contributions to dK and dV added to the pair's local [16][ZT_ATTN_MAXD] sums `gkl`,
/// `gvl` (NULL: not wanted). Four queries share every Kᵀ, Vᵀ, K row load and run four independent chains.
__attribute__((target("avx2,fma"))) static inline void zt_attn_short_back4(
    const float *q, long ldq, long d, const float *kt, long lk, const float *k, long ldk, const float *vt, long dv,
    const float *go, long ldgo, float scale, float *gq, float *gkl, float *gvl) {
    float p[64], ds[64];
    zt_attn_probs4(q, ldq, d, kt, lk, scale, p);
    {   // dP = dO·Vᵀ for the four queries, then dS
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
        const float *g1 = go + ldgo, *g2 = go + 2 * ldgo, *g3 = go + 3 * ldgo;
        for (long c = 0; c < dv; c++) {
            __m256 v0 = _mm256_loadu_ps(vt + c * 16), v1 = _mm256_loadu_ps(vt + c * 16 + 8);
            __m256 x = _mm256_set1_ps(go[c]);
            a0 = _mm256_fmadd_ps(x, v0, a0); a1 = _mm256_fmadd_ps(x, v1, a1);
            x = _mm256_set1_ps(g1[c]);
            b0 = _mm256_fmadd_ps(x, v0, b0); b1 = _mm256_fmadd_ps(x, v1, b1);
            x = _mm256_set1_ps(g2[c]);
            c0 = _mm256_fmadd_ps(x, v0, c0); c1 = _mm256_fmadd_ps(x, v1, c1);
            x = _mm256_set1_ps(g3[c]);
            e0 = _mm256_fmadd_ps(x, v0, e0); e1 = _mm256_fmadd_ps(x, v1, e1);
        }
        const __m256 sc = _mm256_set1_ps(scale);
        zt_attn_ds16(p, a0, a1, sc, ds);
        zt_attn_ds16(p + 16, b0, b1, sc, ds + 16);
        zt_attn_ds16(p + 32, c0, c1, sc, ds + 32);
        zt_attn_ds16(p + 48, e0, e1, sc, ds + 48);
    }
    for (long c = 0; c < d; c += 8) {
        long n = d - c < 8 ? d - c : 8;
        if (gq) {   // dQ_r = dS_r·K
            __m256 o0 = _mm256_setzero_ps(), o1 = o0, o2 = o0, o3 = o0;
            for (long j = 0; j < lk; j++) {
                __m256 kj = zt_load8(k + j * ldk + c, n);
                o0 = _mm256_fmadd_ps(_mm256_set1_ps(ds[j]), kj, o0);
                o1 = _mm256_fmadd_ps(_mm256_set1_ps(ds[16 + j]), kj, o1);
                o2 = _mm256_fmadd_ps(_mm256_set1_ps(ds[32 + j]), kj, o2);
                o3 = _mm256_fmadd_ps(_mm256_set1_ps(ds[48 + j]), kj, o3);
            }
            zt_store8(gq + c, o0, n); zt_store8(gq + ldq + c, o1, n);
            zt_store8(gq + 2 * ldq + c, o2, n); zt_store8(gq + 3 * ldq + c, o3, n);
        }
        if (gkl) {  // dK_j += Σ_r dS_r[j]·q_r
            __m256 x0 = zt_load8(q + c, n), x1 = zt_load8(q + ldq + c, n);
            __m256 x2 = zt_load8(q + 2 * ldq + c, n), x3 = zt_load8(q + 3 * ldq + c, n);
            for (long j = 0; j < lk; j++) {
                float *s = gkl + j * ZT_ATTN_MAXD + c;
                __m256 acc = _mm256_loadu_ps(s);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(ds[j]), x0, acc);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(ds[16 + j]), x1, acc);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(ds[32 + j]), x2, acc);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(ds[48 + j]), x3, acc);
                _mm256_storeu_ps(s, acc);
            }
        }
    }
    if (gvl) {      // dV_j += Σ_r P_r[j]·dO_r
        for (long c = 0; c < dv; c += 8) {
            long n = dv - c < 8 ? dv - c : 8;
            __m256 x0 = zt_load8(go + c, n), x1 = zt_load8(go + ldgo + c, n);
            __m256 x2 = zt_load8(go + 2 * ldgo + c, n), x3 = zt_load8(go + 3 * ldgo + c, n);
            for (long j = 0; j < lk; j++) {
                float *s = gvl + j * ZT_ATTN_MAXD + c;
                __m256 acc = _mm256_loadu_ps(s);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(p[j]), x0, acc);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(p[16 + j]), x1, acc);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(p[32 + j]), x2, acc);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(p[48 + j]), x3, acc);
                _mm256_storeu_ps(s, acc);
            }
        }
    }
}

/// Backward of one pair, P recomputed: dS = P ⊙ (dP − Σ P⊙dP) with dP = dO·Vᵀ; dQ = scale·dS·K (written);
/// dK += scale·dSᵀ·Q and dV += Pᵀ·dO (added to; NULL: not wanted). Four queries at a time (zt_attn_short_back4); the
/// last lq mod 4 are copied into zero rows, whose zero dO makes their dS and P·dO contributions exactly 0. dK and dV
/// are summed over the pair's queries in local buffers, then added once. Requires dv ≤ ZT_ATTN_MAXD as well.
__attribute__((target("avx2,fma"))) static inline void zt_attn_short_backward(
    const float *q, long ldq, long lq, const float *k, long ldk, long lk, long d, const float *v, long ldv, long dv,
    float scale, const float *go, long ldgo, float *gq, float *gk, float *gv) {
    float kt[ZT_ATTN_MAXD * 16], vt[ZT_ATTN_MAXD * 16];
    float gkl[16 * ZT_ATTN_MAXD], gvl[16 * ZT_ATTN_MAXD];
    zt_attn_transpose(k, ldk, lk, d, kt);
    zt_attn_transpose(v, ldv, lk, dv, vt);
    for (long j = 0; j < lk; j++)
        for (long c = 0; c < ZT_ATTN_MAXD; c++) { gkl[j * ZT_ATTN_MAXD + c] = 0; gvl[j * ZT_ATTN_MAXD + c] = 0; }
    float *gkp = gk ? gkl : 0, *gvp = gv ? gvl : 0;
    long i = 0;
    for (; i + 4 <= lq; i += 4)
        zt_attn_short_back4(q + i * ldq, ldq, d, kt, lk, k, ldk, vt, dv, go + i * ldgo, ldgo, scale,
                            gq ? gq + i * ldq : 0, gkp, gvp);
    if (i < lq) {
        float qt[4 * ZT_ATTN_MAXD], got[4 * ZT_ATTN_MAXD], gqt[4 * ZT_ATTN_MAXD];
        long n = lq - i;
        for (long r = 0; r < 4; r++) {
            for (long c = 0; c < d; c++) qt[r * ZT_ATTN_MAXD + c] = r < n ? q[(i + r) * ldq + c] : 0.0f;
            for (long c = 0; c < dv; c++) got[r * ZT_ATTN_MAXD + c] = r < n ? go[(i + r) * ldgo + c] : 0.0f;
        }
        zt_attn_short_back4(qt, ZT_ATTN_MAXD, d, kt, lk, k, ldk, vt, dv, got, ZT_ATTN_MAXD, scale, gq ? gqt : 0, gkp, gvp);
        if (gq)
            for (long r = 0; r < n; r++)
                for (long c = 0; c < d; c++) gq[(i + r) * ldq + c] = gqt[r * ZT_ATTN_MAXD + c];
    }
    for (long j = 0; j < lk; j++) {
        if (gk) for (long c = 0; c < d; c++) gk[j * ldk + c] += gkl[j * ZT_ATTN_MAXD + c];
        if (gv) for (long c = 0; c < dv; c++) gv[j * ldv + c] += gvl[j * ZT_ATTN_MAXD + c];
    }
}

/// Lanes of a 16-lane chunk that hold one of the `left` remaining values (all 16, some, or none).
static inline __mmask16 zt_mask16(long left) {
    return left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1);
}

// AVX-512 short attention: one query's ≤ 16 scores fill one 16-lane register, so the softmax is one masked
// reduction per query, and eight queries go at once (eight independent FMA chains: the scores of eight queries share
// each Kᵀ row load, their outputs share each V row load).
/// e^v on 16 lanes (zt_exp8_avx2's algorithm).
__attribute__((target("avx512f"))) static inline __m512 zt_exp16_avx512(__m512 v) {
    __m512 x = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 fx = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504f), magic);
    __m512 k = _mm512_sub_ps(fx, magic);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.98756915e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.39819995e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.16657959e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.66666655e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.00000012e-1f));
    __m512 y = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i ki = _mm512_sub_epi32(_mm512_castps_si512(fx), _mm512_set1_epi32(0x4B400000));
    return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(y), _mm512_slli_epi32(ki, 23)));
}

/// zt_attn_transpose with one 16-lane gather per column (rows beyond lk masked to 0).
__attribute__((target("avx512f"))) static inline void zt_attn_transpose_avx512(const float *k, long ldk, long lk, long d,
                                                                             float *kt) {
    const __mmask16 m = (__mmask16)((1u << lk) - 1);
    const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            _mm512_set1_epi32((int)ldk));
    for (long c = 0; c < d; c++)
        _mm512_storeu_ps(kt + c * 16, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, rows, k + c, 4));
}

/// p[0..16) = softmax(scale·s) over the lanes in `m` (other lanes 0).
__attribute__((target("avx512f"))) static inline void zt_softmax16_avx512(__m512 s, __mmask16 m, float scale, float *p) {
    s = _mm512_mask_mul_ps(_mm512_set1_ps(-__builtin_inff()), m, s, _mm512_set1_ps(scale));
    __m512 e = _mm512_maskz_mov_ps(m, zt_exp16_avx512(_mm512_sub_ps(s, _mm512_set1_ps(_mm512_reduce_max_ps(s)))));
    _mm512_storeu_ps(p, _mm512_mul_ps(e, _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(e))));
}

#define ZT_SA_ZERO(r) __m512 a##r = _mm512_setzero_ps();
#define ZT_SA_SCORE(r) a##r = _mm512_fmadd_ps(_mm512_set1_ps(q[(r) * ldq + c]), kc, a##r);
#define ZT_SA_SOFTMAX(r) zt_softmax16_avx512(a##r, m, scale, p + 16 * (r));
#define ZT_SA_OUT(r) a##r = _mm512_fmadd_ps(_mm512_set1_ps(p[16 * (r) + j]), vj, a##r);
#define ZT_SA_STORE(r) _mm512_mask_storeu_ps(out + (r) * ldo + c0, cm, a##r);
/// Forward of R consecutive queries (R = 8 or 1) of one pair against Kᵀ (`kt`, [d][16]) and V.
#define ZT_SA_QUERIES(NAME, ROWS)                                                                                   \
    __attribute__((target("avx512f"))) static inline void NAME(const float *q, long ldq, long d, const float *kt,   \
                                                               __mmask16 m, long lk, const float *v, long ldv,      \
                                                               long dv, float scale, float *out, long ldo) {        \
        float p[16 * 8] __attribute__((aligned(64)));                                                               \
        {                                                                                                           \
            ROWS(ZT_SA_ZERO)                                                                                        \
            for (long c = 0; c < d; c++) {                                                                          \
                __m512 kc = _mm512_loadu_ps(kt + c * 16);                                                           \
                ROWS(ZT_SA_SCORE)                                                                                   \
            }                                                                                                       \
            ROWS(ZT_SA_SOFTMAX)                                                                                     \
        }                                                                                                           \
        for (long c0 = 0; c0 < dv; c0 += 16) {                                                                      \
            __mmask16 cm = zt_mask16(dv - c0);                                                                      \
            ROWS(ZT_SA_ZERO)                                                                                        \
            for (long j = 0; j < lk; j++) {                                                                         \
                __m512 vj = _mm512_maskz_loadu_ps(cm, v + j * ldv + c0);                                            \
                ROWS(ZT_SA_OUT)                                                                                     \
            }                                                                                                       \
            ROWS(ZT_SA_STORE)                                                                                       \
        }                                                                                                           \
    }
#define ZT_SA_ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define ZT_SA_ROWS1(X) X(0)
ZT_SA_QUERIES(zt_attn_short8_avx512, ZT_SA_ROWS8)
ZT_SA_QUERIES(zt_attn_short1_avx512, ZT_SA_ROWS1)

/// zt_attn_short_forward with AVX-512 (same arguments and requirements).
__attribute__((target("avx512f"))) static inline void zt_attn_short_forward_avx512(
    const float *q, long ldq, long lq, const float *k, long ldk, long lk, long d, const float *v, long ldv, long dv,
    float scale, float *out, long ldo) {
    float kt[ZT_ATTN_MAXD * 16] __attribute__((aligned(64)));
    zt_attn_transpose_avx512(k, ldk, lk, d, kt);
    const __mmask16 m = (__mmask16)((1u << lk) - 1);
    long i = 0;
    for (; i + 8 <= lq; i += 8) zt_attn_short8_avx512(q + i * ldq, ldq, d, kt, m, lk, v, ldv, dv, scale, out + i * ldo, ldo);
    for (; i < lq; i++) zt_attn_short1_avx512(q + i * ldq, ldq, d, kt, m, lk, v, ldv, dv, scale, out + i * ldo, ldo);
}

// Backward of R queries (8 or 1) of one pair, P recomputed (see zt_attn_short_backward): dQ rows written; the
// contributions to dK and dV added to the pair's local [16][ZT_ATTN_MAXD] sums `gkl`, `gvl`.
#define ZT_SB_DP(r) a##r = _mm512_fmadd_ps(_mm512_set1_ps(go[(r) * ldgo + c]), vc, a##r);
#define ZT_SB_DS(r)                                                                                                 \
    {                                                                                                               \
        __m512 pr = _mm512_load_ps(p + 16 * (r));                                                                   \
        float dot = _mm512_reduce_add_ps(_mm512_mul_ps(pr, a##r));                                                  \
        _mm512_store_ps(ds + 16 * (r), _mm512_mul_ps(_mm512_mul_ps(sc, pr), _mm512_sub_ps(a##r, _mm512_set1_ps(dot)))); \
    }
#define ZT_SB_GQ(r) a##r = _mm512_fmadd_ps(_mm512_set1_ps(ds[16 * (r) + j]), kj, a##r);
#define ZT_SB_GQSTORE(r) _mm512_mask_storeu_ps(gq + (r) * ldq + c0, cm, a##r);
#define ZT_SB_LOADQ(r) __m512 x##r = _mm512_maskz_loadu_ps(cm, q + (r) * ldq + c0);
#define ZT_SB_LOADGO(r) __m512 x##r = _mm512_maskz_loadu_ps(cm, go + (r) * ldgo + c0);
#define ZT_SB_GK(r) acc = _mm512_fmadd_ps(_mm512_set1_ps(ds[16 * (r) + j]), x##r, acc);
#define ZT_SB_GV(r) acc = _mm512_fmadd_ps(_mm512_set1_ps(p[16 * (r) + j]), x##r, acc);
/// sums[j][c0, c0 + 16) += Σ_r w_r[j]·x_r for j < lk (dK or dV of a block of queries, one 16-column chunk):
/// LOADX declares row r's chunk x##r, FMA adds its term to `acc`.
#define ZT_ROWSUM(ROWS, LOADX, FMA, sums, ld)                                                                       \
    {                                                                                                               \
        ROWS(LOADX)                                                                                                 \
        for (long j = 0; j < lk; j++) {                                                                             \
            __m512 acc = _mm512_loadu_ps((sums) + j * (ld) + c0);                                                   \
            ROWS(FMA)                                                                                               \
            _mm512_storeu_ps((sums) + j * (ld) + c0, acc);                                                          \
        }                                                                                                           \
    }
#define ZT_SB_QUERIES(NAME, ROWS)                                                                                   \
    __attribute__((target("avx512f"))) static inline void NAME(                                                     \
        const float *q, long ldq, long d, const float *kt, __mmask16 m, long lk, const float *k, long ldk,          \
        const float *vt, long dv, const float *go, long ldgo, float scale, float *gq, float *gkl, float *gvl) {     \
        float p[16 * 8] __attribute__((aligned(64))), ds[16 * 8] __attribute__((aligned(64)));                      \
        const __m512 sc = _mm512_set1_ps(scale);                                                                    \
        {                                                                                                           \
            ROWS(ZT_SA_ZERO)                                                                                        \
            for (long c = 0; c < d; c++) {                                                                          \
                __m512 kc = _mm512_load_ps(kt + c * 16);                                                            \
                ROWS(ZT_SA_SCORE)                                                                                   \
            }                                                                                                       \
            ROWS(ZT_SA_SOFTMAX)                                                                                     \
        }                                                                                                           \
        {                                                                                                           \
            ROWS(ZT_SA_ZERO)                                                                                        \
            for (long c = 0; c < dv; c++) {                                                                         \
                __m512 vc = _mm512_load_ps(vt + c * 16);                                                            \
                ROWS(ZT_SB_DP)                                                                                      \
            }                                                                                                       \
            ROWS(ZT_SB_DS)                                                                                          \
        }                                                                                                           \
        for (long c0 = 0; c0 < d; c0 += 16) {                                                                       \
            __mmask16 cm = zt_mask16(d - c0);                                                                       \
            if (gq) {                                                                                               \
                ROWS(ZT_SA_ZERO)                                                                                    \
                for (long j = 0; j < lk; j++) {                                                                     \
                    __m512 kj = _mm512_maskz_loadu_ps(cm, k + j * ldk + c0);                                        \
                    ROWS(ZT_SB_GQ)                                                                                  \
                }                                                                                                   \
                ROWS(ZT_SB_GQSTORE)                                                                                 \
            }                                                                                                       \
            if (gkl) ZT_ROWSUM(ROWS, ZT_SB_LOADQ, ZT_SB_GK, gkl, ZT_ATTN_MAXD)                                      \
        }                                                                                                           \
        if (gvl) {                                                                                                  \
            for (long c0 = 0; c0 < dv; c0 += 16) {                                                                  \
                __mmask16 cm = zt_mask16(dv - c0);                                                                  \
                ZT_ROWSUM(ROWS, ZT_SB_LOADGO, ZT_SB_GV, gvl, ZT_ATTN_MAXD)                                          \
            }                                                                                                       \
        }                                                                                                           \
    }
ZT_SB_QUERIES(zt_attn_short_back8_avx512, ZT_SA_ROWS8)
ZT_SB_QUERIES(zt_attn_short_back1_avx512, ZT_SA_ROWS1)

/// zt_attn_short_backward with AVX-512 (same arguments and requirements).
__attribute__((target("avx512f"))) static inline void zt_attn_short_backward_avx512(
    const float *q, long ldq, long lq, const float *k, long ldk, long lk, long d, const float *v, long ldv, long dv,
    float scale, const float *go, long ldgo, float *gq, float *gk, float *gv) {
    float kt[ZT_ATTN_MAXD * 16] __attribute__((aligned(64))), vt[ZT_ATTN_MAXD * 16] __attribute__((aligned(64)));
    float gkl[16 * ZT_ATTN_MAXD] __attribute__((aligned(64))), gvl[16 * ZT_ATTN_MAXD] __attribute__((aligned(64)));
    zt_attn_transpose_avx512(k, ldk, lk, d, kt);
    zt_attn_transpose_avx512(v, ldv, lk, dv, vt);
    for (long j = 0; j < lk; j++) {
        for (long c = 0; c < ZT_ATTN_MAXD; c += 16) {
            _mm512_store_ps(gkl + j * ZT_ATTN_MAXD + c, _mm512_setzero_ps());
            _mm512_store_ps(gvl + j * ZT_ATTN_MAXD + c, _mm512_setzero_ps());
        }
    }
    const __mmask16 m = (__mmask16)((1u << lk) - 1);
    float *gkp = gk ? gkl : 0, *gvp = gv ? gvl : 0;
    long i = 0;
    for (; i + 8 <= lq; i += 8)
        zt_attn_short_back8_avx512(q + i * ldq, ldq, d, kt, m, lk, k, ldk, vt, dv, go + i * ldgo, ldgo, scale,
                                   gq ? gq + i * ldq : 0, gkp, gvp);
    for (; i < lq; i++)
        zt_attn_short_back1_avx512(q + i * ldq, ldq, d, kt, m, lk, k, ldk, vt, dv, go + i * ldgo, ldgo, scale,
                                   gq ? gq + i * ldq : 0, gkp, gvp);
    for (long j = 0; j < lk; j++) {
        if (gk) for (long c = 0; c < d; c++) gk[j * ldk + c] += gkl[j * ZT_ATTN_MAXD + c];
        if (gv) for (long c = 0; c < dv; c++) gv[j * ldv + c] += gvl[j * ZT_ATTN_MAXD + c];
    }
}

// AVX-512 attention over any number of keys (spatial self-attention, with the reference's keys appended), forward
// only. The scores of eight queries against all keys stay in an L1-sized buffer: OpenBLAS spent most of its time
// packing Q·Kᵀ's operands when the head width is 16 or 32 (the shipped model's), a GEMM with a 16-deep inner loop.
/// Kᵀ of one pair into `kt` ([d][ldkt], ldkt = lk rounded up to 16; columns beyond lk are 0).
__attribute__((target("avx512f"))) static inline void zt_attn_kt_avx512(const float *k, long ldk, long lk, long d,
                                                                      float *kt, long ldkt) {
    const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            _mm512_set1_epi32((int)ldk));
    for (long j0 = 0; j0 < lk; j0 += 16) {
        const __mmask16 m = zt_mask16(lk - j0);
        for (long c = 0; c < d; c++)
            _mm512_storeu_ps(kt + c * ldkt + j0, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, rows, k + j0 * ldk + c, 4));
    }
}

#define ZT_LA_STORES(r) _mm512_storeu_ps(s + (r) * ldkt + j0, _mm512_mask_mul_ps(ninf, m, a##r, sc));
#define ZT_LA_SOFTMAX(r)                                                                                            \
    {                                                                                                               \
        float *sr = s + (r) * ldkt;                                                                                 \
        __m512 mx = _mm512_set1_ps(-__builtin_inff());                                                              \
        for (long j0 = 0; j0 < ldkt; j0 += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(sr + j0));                    \
        const __m512 shift = _mm512_set1_ps(_mm512_reduce_max_ps(mx));                                              \
        __m512 sum = _mm512_setzero_ps();                                                                           \
        for (long j0 = 0; j0 < ldkt; j0 += 16) {                                                                    \
            const __mmask16 m = zt_mask16(lk - j0);                                                                 \
            __m512 e = _mm512_maskz_mov_ps(m, zt_exp16_avx512(_mm512_sub_ps(_mm512_loadu_ps(sr + j0), shift)));     \
            _mm512_storeu_ps(sr + j0, e);                                                                           \
            sum = _mm512_add_ps(sum, e);                                                                            \
        }                                                                                                           \
        inv[r] = 1.0f / _mm512_reduce_add_ps(sum);                                                                  \
    }
#define ZT_LA_OUT(r) a##r = _mm512_fmadd_ps(_mm512_set1_ps(s[(r) * ldkt + j]), vj, a##r);
#define ZT_LA_STOREO(r) _mm512_mask_storeu_ps(out + (r) * ldo + c0, cm, _mm512_mul_ps(a##r, _mm512_set1_ps(inv[r])));
/// softmax(scale·q·Kᵀ)·V for R consecutive queries (R = 8 or 1); `s` holds R·ldkt floats.
#define ZT_LA_ZERO2(r) __m512 a##r = _mm512_setzero_ps(), b##r = a##r;
#define ZT_LA_SCORE2(r)                                                                                             \
    {                                                                                                               \
        __m512 x = _mm512_set1_ps(q[(r) * ldq + c]);                                                                \
        a##r = _mm512_fmadd_ps(x, k0, a##r);                                                                        \
        b##r = _mm512_fmadd_ps(x, k1, b##r);                                                                        \
    }
#define ZT_LA_STORES2(r)                                                                                            \
    _mm512_storeu_ps(s + (r) * ldkt + j0, _mm512_mul_ps(a##r, sc));                                                 \
    _mm512_storeu_ps(s + (r) * ldkt + j0 + 16, _mm512_mask_mul_ps(ninf, m1, b##r, sc));
#define ZT_LA_OUT2(r)                                                                                               \
    {                                                                                                               \
        __m512 x = _mm512_set1_ps(s[(r) * ldkt + j]);                                                               \
        a##r = _mm512_fmadd_ps(x, v0, a##r);                                                                        \
        b##r = _mm512_fmadd_ps(x, v1, b##r);                                                                        \
    }
#define ZT_LA_STOREO2(r)                                                                                            \
    {                                                                                                               \
        const __m512 iv = _mm512_set1_ps(inv[r]);                                                                   \
        _mm512_storeu_ps(out + (r) * ldo + c0, _mm512_mul_ps(a##r, iv));                                            \
        _mm512_mask_storeu_ps(out + (r) * ldo + c0 + 16, cm1, _mm512_mul_ps(b##r, iv));                             \
    }
/// softmax(scale·q·Kᵀ)·V for R consecutive queries (R = 8 or 1); `s` holds R·ldkt floats; V rows are `ldv` apart and
/// readable (zero) up to dv rounded up to 16. Keys and output columns go two 16-lane chunks at a time where there are
/// two, so each broadcast query (or probability) value feeds two FMAs.
#define ZT_LA_QUERIES(NAME, ROWS)                                                                                   \
    __attribute__((target("avx512f"))) static inline void NAME(const float *q, long ldq, long d, const float *kt,   \
                                                               long ldkt, long lk, const float *v, long ldv, long dv, \
                                                               float scale, float *out, long ldo, float *s) {       \
        const __m512 sc = _mm512_set1_ps(scale), ninf = _mm512_set1_ps(-__builtin_inff());                          \
        float inv[8];                                                                                               \
        long j0 = 0;                                                                                                \
        for (; j0 + 32 <= ldkt; j0 += 32) {                                                                         \
            const __mmask16 m1 = zt_mask16(lk - j0 - 16);                                                           \
            ROWS(ZT_LA_ZERO2)                                                                                       \
            for (long c = 0; c < d; c++) {                                                                          \
                __m512 k0 = _mm512_loadu_ps(kt + c * ldkt + j0), k1 = _mm512_loadu_ps(kt + c * ldkt + j0 + 16);     \
                ROWS(ZT_LA_SCORE2)                                                                                  \
            }                                                                                                       \
            ROWS(ZT_LA_STORES2)                                                                                     \
        }                                                                                                           \
        for (; j0 < ldkt; j0 += 16) {                                                                               \
            const __mmask16 m = zt_mask16(lk - j0);                                                                 \
            ROWS(ZT_SA_ZERO)                                                                                        \
            for (long c = 0; c < d; c++) {                                                                          \
                __m512 kc = _mm512_loadu_ps(kt + c * ldkt + j0);                                                    \
                ROWS(ZT_SA_SCORE)                                                                                   \
            }                                                                                                       \
            ROWS(ZT_LA_STORES)                                                                                      \
        }                                                                                                           \
        ROWS(ZT_LA_SOFTMAX)                                                                                         \
        long c0 = 0;                                                                                                \
        for (; c0 + 16 < dv; c0 += 32) {                                                                            \
            __mmask16 cm1 = zt_mask16(dv - c0 - 16);                                                                \
            ROWS(ZT_LA_ZERO2)                                                                                       \
            for (long j = 0; j < lk; j++) {                                                                         \
                __m512 v0 = _mm512_loadu_ps(v + j * ldv + c0), v1 = _mm512_maskz_loadu_ps(cm1, v + j * ldv + c0 + 16); \
                ROWS(ZT_LA_OUT2)                                                                                    \
            }                                                                                                       \
            ROWS(ZT_LA_STOREO2)                                                                                     \
        }                                                                                                           \
        for (; c0 < dv; c0 += 16) {                                                                                 \
            __mmask16 cm = zt_mask16(dv - c0);                                                                      \
            ROWS(ZT_SA_ZERO)                                                                                        \
            for (long j = 0; j < lk; j++) {                                                                         \
                __m512 vj = _mm512_maskz_loadu_ps(cm, v + j * ldv + c0);                                            \
                ROWS(ZT_LA_OUT)                                                                                     \
            }                                                                                                       \
            ROWS(ZT_LA_STOREO)                                                                                      \
        }                                                                                                           \
    }
ZT_LA_QUERIES(zt_attn_long8_avx512, ZT_SA_ROWS8)
ZT_LA_QUERIES(zt_attn_long1_avx512, ZT_SA_ROWS1)

/// V of one pair into `vp` ([lk][ldvp], ldvp = dv rounded up to 16), so the output loop reads one contiguous block.
__attribute__((target("avx512f"))) static inline void zt_attn_pack_v_avx512(const float *v, long ldv, long lk, long dv,
                                                                          float *vp, long ldvp) {
    for (long j = 0; j < lk; j++)
        for (long c0 = 0; c0 < dv; c0 += 16) {
            __mmask16 cm = zt_mask16(dv - c0);
            _mm512_storeu_ps(vp + j * ldvp + c0, _mm512_maskz_loadu_ps(cm, v + j * ldv + c0));
        }
}

/// Queries [i0, i1) of one pair, with Kᵀ already in `kt` (zt_attn_kt_avx512); `s`: 8·ldkt floats of scratch.
__attribute__((target("avx512f"))) static inline void zt_attn_long_forward_avx512(
    const float *q, long ldq, long i0, long i1, const float *kt, long ldkt, long lk, long d, const float *v, long ldv,
    long dv, float scale, float *out, long ldo, float *s) {
    long i = i0;
    for (; i + 8 <= i1; i += 8) zt_attn_long8_avx512(q + i * ldq, ldq, d, kt, ldkt, lk, v, ldv, dv, scale, out + i * ldo, ldo, s);
    for (; i < i1; i++) zt_attn_long1_avx512(q + i * ldq, ldq, d, kt, ldkt, lk, v, ldv, dv, scale, out + i * ldo, ldo, s);
}

// Backward of the long-attention kernel, per pair: Kᵀ, Vᵀ and K (rows padded to 16) packed once; for eight queries
// at a time, P (recomputed) and dP = dO·Vᵀ in two L1 buffers, dS = scale·P ⊙ (dP − Σ P⊙dP) in place of dP,
// dQ = dS·K written, and dK += dSᵀ·Q, dV += Pᵀ·dO accumulated in the pair's local sums (added to dK, dV at the end).
#define ZT_LB_DP(r) a##r = _mm512_fmadd_ps(_mm512_set1_ps(go[(r) * ldgo + c]), vc, a##r);
#define ZT_LB_STOREDP(r) _mm512_storeu_ps(dp + (r) * ldkt + j0, a##r);
#define ZT_LB_DP2(r)                                                                                                \
    {                                                                                                               \
        __m512 x = _mm512_set1_ps(go[(r) * ldgo + c]);                                                              \
        a##r = _mm512_fmadd_ps(x, k0, a##r);                                                                        \
        b##r = _mm512_fmadd_ps(x, k1, b##r);                                                                        \
    }
#define ZT_LB_STOREDP2(r) _mm512_storeu_ps(dp + (r) * ldkt + j0, a##r); _mm512_storeu_ps(dp + (r) * ldkt + j0 + 16, b##r);
#define ZT_LB_DS(r)                                                                                                 \
    {                                                                                                               \
        float *pr = s + (r) * ldkt, *dr = dp + (r) * ldkt;                                                          \
        __m512 acc = _mm512_setzero_ps();                                                                           \
        for (long j0 = 0; j0 < ldkt; j0 += 16)                                                                      \
            acc = _mm512_fmadd_ps(_mm512_loadu_ps(pr + j0), _mm512_loadu_ps(dr + j0), acc);                         \
        const __m512 dot = _mm512_set1_ps(_mm512_reduce_add_ps(acc));                                               \
        for (long j0 = 0; j0 < ldkt; j0 += 16)                                                                      \
            _mm512_storeu_ps(dr + j0, _mm512_mul_ps(_mm512_mul_ps(sc, _mm512_loadu_ps(pr + j0)),                    \
                                                    _mm512_sub_ps(_mm512_loadu_ps(dr + j0), dot)));                 \
    }
#define ZT_LB_PNORM(r)                                                                                              \
    {                                                                                                               \
        const __m512 iv = _mm512_set1_ps(inv[r]);                                                                   \
        for (long j0 = 0; j0 < ldkt; j0 += 16)                                                                      \
            _mm512_storeu_ps(s + (r) * ldkt + j0, _mm512_mul_ps(_mm512_loadu_ps(s + (r) * ldkt + j0), iv));         \
    }
#define ZT_LB_GQ(r) a##r = _mm512_fmadd_ps(_mm512_set1_ps(dp[(r) * ldkt + j]), kj, a##r);
#define ZT_LB_GQSTORE(r) _mm512_mask_storeu_ps(gq + (r) * ldq + c0, cm, a##r);
#define ZT_LB_GK(r) acc = _mm512_fmadd_ps(_mm512_set1_ps(dp[(r) * ldkt + j]), x##r, acc);
#define ZT_LB_GQ2(r)                                                                                                \
    {                                                                                                               \
        __m512 x = _mm512_set1_ps(dp[(r) * ldkt + j]);                                                              \
        a##r = _mm512_fmadd_ps(x, v0, a##r);                                                                        \
        b##r = _mm512_fmadd_ps(x, v1, b##r);                                                                        \
    }
#define ZT_LB_GQSTORE2(r)                                                                                           \
    _mm512_storeu_ps(gq + (r) * ldq + c0, a##r);                                                                    \
    _mm512_mask_storeu_ps(gq + (r) * ldq + c0 + 16, cm1, b##r);
#define ZT_LB_LOADQ2(r)                                                                                             \
    __m512 x##r = _mm512_loadu_ps(q + (r) * ldq + c0), y##r = _mm512_maskz_loadu_ps(cm1, q + (r) * ldq + c0 + 16);
#define ZT_LB_GK2(r)                                                                                                \
    {                                                                                                               \
        __m512 t = _mm512_set1_ps(dp[(r) * ldkt + j]);                                                              \
        acc = _mm512_fmadd_ps(t, x##r, acc);                                                                        \
        acc1 = _mm512_fmadd_ps(t, y##r, acc1);                                                                      \
    }
#define ZT_LB_GV(r) acc = _mm512_fmadd_ps(_mm512_set1_ps(s[(r) * ldkt + j]), x##r, acc);
#define ZT_LB_QUERIES(NAME, ROWS)                                                                                   \
    __attribute__((target("avx512f"))) static inline void NAME(                                                     \
        const float *q, long ldq, long d, const float *kt, const float *kp, long ldkp, long ldkt, long lk,          \
        const float *vt, long dv, const float *go, long ldgo, float scale, float *gq, float *gkl, float *gvl,       \
        long ldg, float *s, float *dp) {                                                                            \
        const __m512 sc = _mm512_set1_ps(scale), ninf = _mm512_set1_ps(-__builtin_inff());                          \
        float inv[8];                                                                                               \
        long j0 = 0;                                                                                                \
        for (; j0 + 32 <= ldkt; j0 += 32) {                                                                         \
            const __mmask16 m1 = zt_mask16(lk - j0 - 16);                                                           \
            {                                                                                                       \
                ROWS(ZT_LA_ZERO2)                                                                                   \
                for (long c = 0; c < d; c++) {                                                                      \
                    __m512 k0 = _mm512_loadu_ps(kt + c * ldkt + j0), k1 = _mm512_loadu_ps(kt + c * ldkt + j0 + 16); \
                    ROWS(ZT_LA_SCORE2)                                                                              \
                }                                                                                                   \
                ROWS(ZT_LA_STORES2)                                                                                 \
            }                                                                                                       \
            {                                                                                                       \
                ROWS(ZT_LA_ZERO2)                                                                                   \
                for (long c = 0; c < dv; c++) {                                                                     \
                    __m512 k0 = _mm512_loadu_ps(vt + c * ldkt + j0), k1 = _mm512_loadu_ps(vt + c * ldkt + j0 + 16); \
                    ROWS(ZT_LB_DP2)                                                                                 \
                }                                                                                                   \
                ROWS(ZT_LB_STOREDP2)                                                                                \
            }                                                                                                       \
        }                                                                                                           \
        for (; j0 < ldkt; j0 += 16) {                                                                               \
            const __mmask16 m = zt_mask16(lk - j0);                                                                 \
            {                                                                                                       \
                ROWS(ZT_SA_ZERO)                                                                                    \
                for (long c = 0; c < d; c++) {                                                                      \
                    __m512 kc = _mm512_loadu_ps(kt + c * ldkt + j0);                                                \
                    ROWS(ZT_SA_SCORE)                                                                               \
                }                                                                                                   \
                ROWS(ZT_LA_STORES)                                                                                  \
            }                                                                                                       \
            {                                                                                                       \
                ROWS(ZT_SA_ZERO)                                                                                    \
                for (long c = 0; c < dv; c++) {                                                                     \
                    __m512 vc = _mm512_loadu_ps(vt + c * ldkt + j0);                                                \
                    ROWS(ZT_LB_DP)                                                                                  \
                }                                                                                                   \
                ROWS(ZT_LB_STOREDP)                                                                                 \
            }                                                                                                       \
        }                                                                                                           \
        ROWS(ZT_LA_SOFTMAX)                                                                                         \
        ROWS(ZT_LB_PNORM)                                                                                           \
        ROWS(ZT_LB_DS)                                                                                              \
        long c0 = 0;                                                                                                \
        for (; c0 + 16 < d; c0 += 32) {                                                                             \
            const __mmask16 cm1 = zt_mask16(d - c0 - 16);                                                           \
            if (gq) {                                                                                               \
                ROWS(ZT_LA_ZERO2)                                                                                   \
                for (long j = 0; j < lk; j++) {                                                                     \
                    __m512 v0 = _mm512_loadu_ps(kp + j * ldkp + c0), v1 = _mm512_loadu_ps(kp + j * ldkp + c0 + 16); \
                    ROWS(ZT_LB_GQ2)                                                                                 \
                }                                                                                                   \
                ROWS(ZT_LB_GQSTORE2)                                                                                \
            }                                                                                                       \
            if (gkl) {                                                                                              \
                ROWS(ZT_LB_LOADQ2)                                                                                  \
                for (long j = 0; j < lk; j++) {                                                                     \
                    __m512 acc = _mm512_loadu_ps(gkl + j * ldg + c0), acc1 = _mm512_loadu_ps(gkl + j * ldg + c0 + 16); \
                    ROWS(ZT_LB_GK2)                                                                                 \
                    _mm512_storeu_ps(gkl + j * ldg + c0, acc);                                                      \
                    _mm512_storeu_ps(gkl + j * ldg + c0 + 16, acc1);                                                \
                }                                                                                                   \
            }                                                                                                       \
        }                                                                                                           \
        for (; c0 < d; c0 += 16) {                                                                                  \
            __mmask16 cm = zt_mask16(d - c0);                                                                       \
            if (gq) {                                                                                               \
                ROWS(ZT_SA_ZERO)                                                                                    \
                for (long j = 0; j < lk; j++) {                                                                     \
                    __m512 kj = _mm512_loadu_ps(kp + j * ldkp + c0);                                                \
                    ROWS(ZT_LB_GQ)                                                                                  \
                }                                                                                                   \
                ROWS(ZT_LB_GQSTORE)                                                                                 \
            }                                                                                                       \
            if (gkl) ZT_ROWSUM(ROWS, ZT_SB_LOADQ, ZT_LB_GK, gkl, ldg)                                               \
        }                                                                                                           \
        if (gvl) {                                                                                                  \
            for (long c0 = 0; c0 < dv; c0 += 16) {                                                                  \
                __mmask16 cm = zt_mask16(dv - c0);                                                                  \
                ZT_ROWSUM(ROWS, ZT_SB_LOADGO, ZT_LB_GV, gvl, ldg)                                                   \
            }                                                                                                       \
        }                                                                                                           \
    }
ZT_LB_QUERIES(zt_attn_lback8_avx512, ZT_SA_ROWS8)
ZT_LB_QUERIES(zt_attn_lback1_avx512, ZT_SA_ROWS1)

/// dK += the pair's dK sums and dV += its dV sums (rows ldg apart), for the long kernels' backward (NULL: not wanted).
static inline void zt_attn_add_pair_sums(float *gk, long ldk, float *gv, long ldv, const float *gkl, const float *gvl,
                                         long ldg, long lk, long d, long dv) {
    for (long j = 0; j < lk; j++) {
        if (gk) for (long c = 0; c < d; c++) gk[j * ldk + c] += gkl[j * ldg + c];
        if (gv) for (long c = 0; c < dv; c++) gv[j * ldv + c] += gvl[j * ldg + c];
    }
}

/// Backward of one whole pair (all lq queries). Scratch `w` holds, in floats: Kᵀ d·ldkt, Vᵀ dv·ldkt, K lk·ldg,
/// dK and dV sums 2·lk·ldg, and 16·ldkt for P and dS; ldkt = lk rounded up to 16, ldg = max(d, dv) rounded up to
/// 16. gq is written; gk and gv are added to (NULL: not wanted).
__attribute__((target("avx512f"))) static inline void zt_attn_long_backward_avx512(
    const float *q, long ldq, long lq, const float *k, long ldk, long lk, long d, const float *v, long ldv, long dv,
    float scale, const float *go, long ldgo, float *gq, float *gk, float *gv, float *w) {
    const long ldkt = (lk + 15) / 16 * 16, ldg = ((d > dv ? d : dv) + 15) / 16 * 16;
    float *kt = w, *vt = kt + d * ldkt, *kp = vt + dv * ldkt, *gkl = kp + lk * ldg, *gvl = gkl + lk * ldg;
    float *s = gvl + lk * ldg, *dp = s + 8 * ldkt;
    zt_attn_kt_avx512(k, ldk, lk, d, kt, ldkt);
    zt_attn_kt_avx512(v, ldv, lk, dv, vt, ldkt);
    zt_attn_pack_v_avx512(k, ldk, lk, d, kp, ldg);
    for (long i = 0; i < 2 * lk * ldg; i += 16) _mm512_storeu_ps(gkl + i, _mm512_setzero_ps());
    float *gkp = gk ? gkl : 0, *gvp = gv ? gvl : 0;
    long i = 0;
    for (; i + 8 <= lq; i += 8)
        zt_attn_lback8_avx512(q + i * ldq, ldq, d, kt, kp, ldg, ldkt, lk, vt, dv, go + i * ldgo, ldgo, scale,
                              gq ? gq + i * ldq : 0, gkp, gvp, ldg, s, dp);
    for (; i < lq; i++)
        zt_attn_lback1_avx512(q + i * ldq, ldq, d, kt, kp, ldg, ldkt, lk, vt, dv, go + i * ldgo, ldgo, scale,
                              gq ? gq + i * ldq : 0, gkp, gvp, ldg, s, dp);
    zt_attn_add_pair_sums(gk, ldk, gv, ldv, gkl, gvl, ldg, lk, d, dv);
}

// Linear layers with small weights (the model's: in and out ≤ a few hundred): y = b + x·W with W given as [K][ldw]
// (ldw = N rounded up to 16, zero padded), so the weights stay in L1/L2 and the activations are read once, in place —
// OpenBLAS packed every activation matrix (sgemm_oncopy) and zeroed the output first (sgemm_beta). Six rows × 64
// columns per step: 24 accumulators, each broadcast x value feeding four FMAs.
#define ZT_LIN_ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define ZT_LIN_INIT(r) __m512 c##r##0 = b0, c##r##1 = b1, c##r##2 = b2, c##r##3 = b3;
#define ZT_LIN_FMA(r)                                                                                               \
    {                                                                                                               \
        __m512 xv = _mm512_set1_ps(x[(r) * ldx + k]);                                                               \
        c##r##0 = _mm512_fmadd_ps(xv, w0, c##r##0);                                                                 \
        c##r##1 = _mm512_fmadd_ps(xv, w1, c##r##1);                                                                 \
        c##r##2 = _mm512_fmadd_ps(xv, w2, c##r##2);                                                                 \
        c##r##3 = _mm512_fmadd_ps(xv, w3, c##r##3);                                                                 \
    }
#define ZT_LIN_STORE(r)                                                                                             \
    _mm512_mask_storeu_ps(y + (r) * ldy + n0, m0, c##r##0);                                                         \
    _mm512_mask_storeu_ps(y + (r) * ldy + n0 + 16, m1, c##r##1);                                                    \
    _mm512_mask_storeu_ps(y + (r) * ldy + n0 + 32, m2, c##r##2);                                                    \
    _mm512_mask_storeu_ps(y + (r) * ldy + n0 + 48, m3, c##r##3);
#define ZT_LIN_BLOCK(NAME, ROWS)                                                                                    \
    __attribute__((target("avx512f"))) static inline void NAME(const float *x, long ldx, long K, const float *wt,   \
                                                               long ldw, long n0, long N, const float *bias, float *y, \
                                                               long ldy) {                                          \
        const __mmask16 m0 = zt_mask16(N - n0), m1 = zt_mask16(N - n0 - 16), m2 = zt_mask16(N - n0 - 32),           \
                        m3 = zt_mask16(N - n0 - 48);                                                                \
        const __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias + n0) : _mm512_setzero_ps(),                        \
                     b1 = bias ? _mm512_maskz_loadu_ps(m1, bias + n0 + 16) : _mm512_setzero_ps(),                   \
                     b2 = bias ? _mm512_maskz_loadu_ps(m2, bias + n0 + 32) : _mm512_setzero_ps(),                   \
                     b3 = bias ? _mm512_maskz_loadu_ps(m3, bias + n0 + 48) : _mm512_setzero_ps();                   \
        ROWS(ZT_LIN_INIT)                                                                                           \
        const float *w = wt + n0;                                                                                   \
        for (long k = 0; k < K; k++) {                                                                              \
            const __m512 w0 = _mm512_maskz_loadu_ps(m0, w + k * ldw), w1 = _mm512_maskz_loadu_ps(m1, w + k * ldw + 16), \
                         w2 = _mm512_maskz_loadu_ps(m2, w + k * ldw + 32), w3 = _mm512_maskz_loadu_ps(m3, w + k * ldw + 48); \
            ROWS(ZT_LIN_FMA)                                                                                        \
        }                                                                                                           \
        ROWS(ZT_LIN_STORE)                                                                                          \
    }
ZT_LIN_BLOCK(zt_linear6_avx512, ZT_LIN_ROWS6)
ZT_LIN_BLOCK(zt_linear1_avx512, ZT_SA_ROWS1)

/// Rows [0, rows) of y = bias + x·W (x rows `ldx` apart, K values each; W as [K][ldw]; y rows `ldy` apart, N values).
__attribute__((target("avx512f"))) static inline void zt_linear_avx512(const float *x, long ldx, long rows, long K,
                                                                     const float *wt, long ldw, long N,
                                                                     const float *bias, float *y, long ldy) {
    for (long n0 = 0; n0 < N; n0 += 64) {
        long r = 0;
        for (; r + 6 <= rows; r += 6) zt_linear6_avx512(x + r * ldx, ldx, K, wt, ldw, n0, N, bias, y + r * ldy, ldy);
        for (; r < rows; r++) zt_linear1_avx512(x + r * ldx, ldx, K, wt, ldw, n0, N, bias, y + r * ldy, ldy);
    }
}

// AVX2 attention over any number of keys, forward only: the AVX-512 long kernel's plan in 8-lane vectors. Six queries
// at a time (6 rows × 2 vectors = 12 accumulators + 2 loads + 1 broadcast within AVX2's 16 registers), their scores in
// an L1 buffer, softmax per row, then P·V from V packed with rows of whole 16-float chunks. The OpenBLAS path spent
// a fifth of a generation forward on this CPU class packing and zeroing operands for 16- and 32-wide heads.
/// dst[j][i] = src[i][j] for an 8×8 block (rows lds and ldd floats apart), through registers.
__attribute__((target("avx2,fma"))) static inline void zt_transpose8x8_avx2(const float *src, long lds, float *dst,
                                                                          long ldd) {
    __m256 r0 = _mm256_loadu_ps(src + 0 * lds), r1 = _mm256_loadu_ps(src + 1 * lds), r2 = _mm256_loadu_ps(src + 2 * lds);
    __m256 r3 = _mm256_loadu_ps(src + 3 * lds), r4 = _mm256_loadu_ps(src + 4 * lds), r5 = _mm256_loadu_ps(src + 5 * lds);
    __m256 r6 = _mm256_loadu_ps(src + 6 * lds), r7 = _mm256_loadu_ps(src + 7 * lds);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3);
    __m256 t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(dst + 0 * ldd, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + 1 * ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
}
/// Kᵀ of one pair into `kt` in blocks of 16 keys: block j0/16 holds its d rows of 16 keys contiguously
/// (kt[j0·d + c·16 + l] = K[j0 + l][c]; keys from lk up to ldkt = lk rounded up to 16 are 0). A plain [d][ldkt] layout
/// put the d rows one chunk reads 4 KB apart at lk = 1024, in one L1 set, and the score loop ran from L2.
/// Full blocks of whole 8-channel groups go by 8×8 transposes: the scalar loop's strided loads were a tenth of a
/// small pair's backward (64 queries, 128 keys).
__attribute__((target("avx2,fma"))) static inline void zt_attn_kt_avx2(const float *k, long ldk, long lk, long d,
                                                                     float *kt, long ldkt) {
    for (long j0 = 0; j0 < ldkt; j0 += 16) {
        long c = 0;
        if (j0 + 16 <= lk)
            for (; c + 8 <= d; c += 8)
                for (long h = 0; h < 16; h += 8) zt_transpose8x8_avx2(k + (j0 + h) * ldk + c, ldk, kt + j0 * d + c * 16 + h, 16);
        for (; c < d; c++)
            for (long l = 0; l < 16; l++) kt[j0 * d + c * 16 + l] = j0 + l < lk ? k[(j0 + l) * ldk + c] : 0;
    }
}
/// V of one pair into `vp` ([lk][ldvp], ldvp = dv rounded up to 16, zero beyond dv).
static inline void zt_attn_pack_v_avx2(const float *v, long ldv, long lk, long dv, float *vp, long ldvp) {
    for (long j = 0; j < lk; j++) {
        for (long c = 0; c < dv; c++) vp[j * ldvp + c] = v[j * ldv + c];
        for (long c = dv; c < ldvp; c++) vp[j * ldvp + c] = 0;
    }
}
#define ZT_L2_ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define ZT_L2_ROWS4(X) X(0) X(1) X(2) X(3)
#define ZT_L2_ROWS1(X) X(0)
#define ZT_L2_ZERO(r) __m256 a##r = _mm256_setzero_ps(), b##r = a##r;
#define ZT_L2_SCORE(r)                                                                                              \
    {                                                                                                               \
        const __m256 x = _mm256_broadcast_ss(q + (r) * ldq + c);                                                    \
        a##r = _mm256_fmadd_ps(x, k0, a##r);                                                                        \
        b##r = _mm256_fmadd_ps(x, k1, b##r);                                                                        \
    }
#define ZT_L2_STORES(r)                                                                                             \
    _mm256_storeu_ps(s + (r) * ldkt + j0, _mm256_mul_ps(a##r, sc));                                                 \
    _mm256_storeu_ps(s + (r) * ldkt + j0 + 8, _mm256_mul_ps(b##r, sc));
/// a_r, b_r += W[r][j]·(v0, v1) for rows of W `ldkt` apart (P·V in the forward, dS·K in the backward).
#define ZT_L2_ROWFMA(W, r)                                                                                          \
    {                                                                                                               \
        const __m256 x = _mm256_broadcast_ss((W) + (r) * ldkt + j);                                                 \
        a##r = _mm256_fmadd_ps(x, v0, a##r);                                                                        \
        b##r = _mm256_fmadd_ps(x, v1, b##r);                                                                        \
    }
#define ZT_L2_OUT(r) ZT_L2_ROWFMA(s, r)

// The blocked forward: ZT_ATTN_QB queries at a time, so that each 16-key block of Kᵀ (d·16 floats) and each run of
// ZT_ATTN_JB rows of V are read from L1 by all of them rather than streamed from L2 once per six queries (at 512 keys
// and d = 32, Kᵀ and V are 128 KB). Per query the arithmetic and its order are those of the unblocked kernel before it: scores
// summed over c in order, P·V summed over keys in order (the sums are stored and reloaded between runs of keys,
// which is exact), so the bits are the same.
#define ZT_ATTN_QB 24
#define ZT_ATTN_JB 128
/// Scores of R queries against the 16 keys of one Kᵀ block `kb`, scaled, into rows of `s` ldkt apart.
#define ZT_L2_SCOREBLOCK(NAME, ROWS)                                                                                \
    __attribute__((target("avx2,fma"))) static inline void NAME(const float *q, long ldq, long d, const float *kb,  \
                                                                float scale, float *s, long ldkt) {                 \
        const __m256 sc = _mm256_set1_ps(scale);                                                                    \
        const long j0 = 0;                                                                                          \
        ROWS(ZT_L2_ZERO)                                                                                            \
        for (long c = 0; c < d; c++) {                                                                              \
            const __m256 k0 = _mm256_loadu_ps(kb + c * 16), k1 = _mm256_loadu_ps(kb + c * 16 + 8);                 \
            ROWS(ZT_L2_SCORE)                                                                                       \
        }                                                                                                           \
        ROWS(ZT_L2_STORES)                                                                                          \
    }
#define ZT_L2_LOADACC(r)                                                                                            \
    __m256 a##r = first ? _mm256_setzero_ps() : _mm256_loadu_ps(acc + (r) * lda);                                   \
    __m256 b##r = first ? _mm256_setzero_ps() : _mm256_loadu_ps(acc + (r) * lda + 8);
#define ZT_L2_STOREACC(r)                                                                                           \
    _mm256_storeu_ps(acc + (r) * lda, a##r);                                                                        \
    _mm256_storeu_ps(acc + (r) * lda + 8, b##r);
/// acc (R rows lda apart, 16 columns) += P[·][ja, jb) · V[ja, jb)[16 columns from vc] (zeroed first when `first`).
#define ZT_L2_PVRUN(NAME, ROWS)                                                                                     \
    __attribute__((target("avx2,fma"))) static inline void NAME(const float *s, long ldkt, const float *vc,         \
                                                                long ldvp, long ja, long jb, int first, float *acc, \
                                                                long lda) {                                         \
        ROWS(ZT_L2_LOADACC)                                                                                         \
        for (long j = ja; j < jb; j++) {                                                                            \
            const __m256 v0 = _mm256_loadu_ps(vc + j * ldvp), v1 = _mm256_loadu_ps(vc + j * ldvp + 8);              \
            ROWS(ZT_L2_OUT)                                                                                         \
        }                                                                                                           \
        ROWS(ZT_L2_STOREACC)                                                                                        \
    }
ZT_L2_SCOREBLOCK(zt_attn_scores6_avx2, ZT_L2_ROWS6)
ZT_L2_SCOREBLOCK(zt_attn_scores4_avx2, ZT_L2_ROWS4)
ZT_L2_SCOREBLOCK(zt_attn_scores1_avx2, ZT_L2_ROWS1)
ZT_L2_PVRUN(zt_attn_pv6_avx2, ZT_L2_ROWS6)
ZT_L2_PVRUN(zt_attn_pv4_avx2, ZT_L2_ROWS4)
ZT_L2_PVRUN(zt_attn_pv1_avx2, ZT_L2_ROWS1)

/// Scratch floats of zt_attn_long_forward_avx2: scores and output sums of ZT_ATTN_QB queries.
static inline long zt_attn_long_forward_scratch_avx2(long ldkt, long ldvp) { return ZT_ATTN_QB * (ldkt + ldvp); }

/// Queries [i0, i1) of one pair, with Kᵀ in `kt` (zt_attn_kt_avx2) and V in `vp` (zt_attn_pack_v_avx2); `s`:
/// zt_attn_long_forward_scratch_avx2 floats. Rows go in groups of six, then one of four (the model's query counts,
/// 64, 256 and 1024 positions, leave four), then single rows.
__attribute__((target("avx2,fma"))) static inline void zt_attn_long_forward_avx2(
    const float *q, long ldq, long i0, long i1, const float *kt, long ldkt, long lk, long d, const float *vp, long ldvp,
    long dv, float scale, float *out, long ldo, float *s) {
    float *acc = s + ZT_ATTN_QB * ldkt;
    for (long b0 = i0; b0 < i1; b0 += ZT_ATTN_QB) {
        const long n = i1 - b0 < ZT_ATTN_QB ? i1 - b0 : ZT_ATTN_QB;
        const float *qb = q + b0 * ldq;
        for (long j0 = 0; j0 < ldkt; j0 += 16) {
            const float *kb = kt + j0 * d;
            long g = 0;
            for (; g + 6 <= n; g += 6) zt_attn_scores6_avx2(qb + g * ldq, ldq, d, kb, scale, s + g * ldkt + j0, ldkt);
            if (g + 4 <= n) { zt_attn_scores4_avx2(qb + g * ldq, ldq, d, kb, scale, s + g * ldkt + j0, ldkt); g += 4; }
            for (; g < n; g++) zt_attn_scores1_avx2(qb + g * ldq, ldq, d, kb, scale, s + g * ldkt + j0, ldkt);
        }
        for (long r = 0; r < n; r++) zt_softmax_row_avx2(s + r * ldkt, lk);
        for (long c0 = 0; c0 < dv; c0 += 16)
            for (long ja = 0; ja < lk; ja += ZT_ATTN_JB) {
                const long jb = ja + ZT_ATTN_JB < lk ? ja + ZT_ATTN_JB : lk;
                const int first = ja == 0;
                long g = 0;
                for (; g + 6 <= n; g += 6) zt_attn_pv6_avx2(s + g * ldkt, ldkt, vp + c0, ldvp, ja, jb, first, acc + g * ldvp + c0, ldvp);
                if (g + 4 <= n) { zt_attn_pv4_avx2(s + g * ldkt, ldkt, vp + c0, ldvp, ja, jb, first, acc + g * ldvp + c0, ldvp); g += 4; }
                for (; g < n; g++) zt_attn_pv1_avx2(s + g * ldkt, ldkt, vp + c0, ldvp, ja, jb, first, acc + g * ldvp + c0, ldvp);
            }
        for (long r = 0; r < n; r++)
            for (long c = 0; c < dv; c++) out[(b0 + r) * ldo + c] = acc[r * ldvp + c];
    }
}

// The linear kernel in AVX2: six rows × 16 columns per step (12 accumulators, two weight vectors, one broadcast).
/// Lane mask for the first n (clamped to 0…8) of 8 floats, for _mm256_maskload_ps / _mm256_maskstore_ps.
__attribute__((target("avx2,fma"))) static inline __m256i zt_mask8(long n) {
    const long c = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define ZT_LIN2_INIT(r) __m256 c##r##0 = b0, c##r##1 = b1;
#define ZT_LIN2_FMA(r)                                                                                              \
    {                                                                                                               \
        const __m256 xv = _mm256_broadcast_ss(x + (r) * ldx + k);                                                   \
        c##r##0 = _mm256_fmadd_ps(xv, w0, c##r##0);                                                                 \
        c##r##1 = _mm256_fmadd_ps(xv, w1, c##r##1);                                                                 \
    }
#define ZT_LIN2_STORE(r)                                                                                            \
    if (full) {                                                                                                     \
        _mm256_storeu_ps(y + (r) * ldy + n0, c##r##0);                                                              \
        _mm256_storeu_ps(y + (r) * ldy + n0 + 8, c##r##1);                                                          \
    } else {                                                                                                        \
        _mm256_maskstore_ps(y + (r) * ldy + n0, m0, c##r##0);                                                       \
        _mm256_maskstore_ps(y + (r) * ldy + n0 + 8, m1, c##r##1);                                                   \
    }
#define ZT_LIN2_BLOCK(NAME, ROWS)                                                                                   \
    __attribute__((target("avx2,fma"))) static inline void NAME(const float *x, long ldx, long K, const float *wt,  \
                                                                long ldw, long n0, long N, const float *bias,       \
                                                                float *y, long ldy) {                               \
        const int full = n0 + 16 <= N;                                                                              \
        const __m256i m0 = zt_mask8(N - n0), m1 = zt_mask8(N - n0 - 8);                                             \
        const __m256 b0 = bias ? _mm256_maskload_ps(bias + n0, m0) : _mm256_setzero_ps(),                           \
                     b1 = bias ? _mm256_maskload_ps(bias + n0 + 8, m1) : _mm256_setzero_ps();                       \
        ROWS(ZT_LIN2_INIT)                                                                                          \
        const float *w = wt + n0;                                                                                   \
        if (full) {                                                                                                 \
            for (long k = 0; k < K; k++) {                                                                          \
                const __m256 w0 = _mm256_loadu_ps(w + k * ldw), w1 = _mm256_loadu_ps(w + k * ldw + 8);              \
                ROWS(ZT_LIN2_FMA)                                                                                   \
            }                                                                                                       \
        } else {                                                                                                    \
            for (long k = 0; k < K; k++) {                                                                          \
                const __m256 w0 = _mm256_maskload_ps(w + k * ldw, m0), w1 = _mm256_maskload_ps(w + k * ldw + 8, m1); \
                ROWS(ZT_LIN2_FMA)                                                                                   \
            }                                                                                                       \
        }                                                                                                           \
        ROWS(ZT_LIN2_STORE)                                                                                         \
    }
ZT_LIN2_BLOCK(zt_linear6_avx2, ZT_L2_ROWS6)
ZT_LIN2_BLOCK(zt_linear1_avx2, ZT_L2_ROWS1)

/// Rows [0, rows) of y = bias + x·W (x rows `ldx` apart, K values each; W as [K][ldw]; y rows `ldy` apart, N values).
__attribute__((target("avx2,fma"))) static inline void zt_linear_avx2(const float *x, long ldx, long rows, long K,
                                                                    const float *wt, long ldw, long N,
                                                                    const float *bias, float *y, long ldy) {
    for (long n0 = 0; n0 < N; n0 += 16) {
        long r = 0;
        for (; r + 6 <= rows; r += 6) zt_linear6_avx2(x + r * ldx, ldx, K, wt, ldw, n0, N, bias, y + r * ldy, ldy);
        for (; r < rows; r++) zt_linear1_avx2(x + r * ldx, ldx, K, wt, ldw, n0, N, bias, y + r * ldy, ldy);
    }
}

// Backward of the AVX2 long-attention kernel, per pair (the AVX-512 backward's plan in 8-lane vectors, six queries at
// a time): Kᵀ, Vᵀ and K (rows padded to 16) packed once; for six queries, P (recomputed) and dP = dO·Vᵀ in two L1
// buffers, dS = scale·P ⊙ (dP − Σ P⊙dP) in place of dP, dQ = dS·K written, and dK += dSᵀ·Q, dV += Pᵀ·dO accumulated
// in the pair's local sums (added to dK, dV at the end). Every loop keeps 12 accumulators, two loads and a broadcast
// in AVX2's 16 registers.
/// Sum of the eight lanes (pairwise: lanes 0+4, 1+5, …, then the halves).
__attribute__((target("avx2,fma"))) static inline float zt_hsum8_avx2(__m256 v) {
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    return _mm_cvtss_f32(_mm_add_ss(a, _mm_shuffle_ps(a, a, 1)));
}
#define ZT_LB2_DP(r)                                                                                                \
    {                                                                                                               \
        const __m256 x = _mm256_broadcast_ss(go + (r) * ldgo + c);                                                  \
        a##r = _mm256_fmadd_ps(x, k0, a##r);                                                                        \
        b##r = _mm256_fmadd_ps(x, k1, b##r);                                                                        \
    }
#define ZT_LB2_STOREDP(r)                                                                                           \
    _mm256_storeu_ps(dp + (r) * ldkt + j0, a##r);                                                                   \
    _mm256_storeu_ps(dp + (r) * ldkt + j0 + 8, b##r);
/// P's row r: softmax over the lk scores, zero in the padding columns up to ldkt.
#define ZT_LB2_SOFTMAX(r)                                                                                           \
    zt_softmax_row_avx2(s + (r) * ldkt, lk);                                                                        \
    for (long j = lk; j < ldkt; j++) s[(r) * ldkt + j] = 0;
#define ZT_LB2_DS(r)                                                                                                \
    {                                                                                                               \
        const float *pr = s + (r) * ldkt;                                                                           \
        float *dr = dp + (r) * ldkt;                                                                                \
        __m256 acc = _mm256_setzero_ps();                                                                           \
        for (long j0 = 0; j0 < ldkt; j0 += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(pr + j0), _mm256_loadu_ps(dr + j0), acc); \
        const __m256 dot = _mm256_set1_ps(zt_hsum8_avx2(acc));                                                      \
        for (long j0 = 0; j0 < ldkt; j0 += 8)                                                                       \
            _mm256_storeu_ps(dr + j0, _mm256_mul_ps(_mm256_mul_ps(sc, _mm256_loadu_ps(pr + j0)),                    \
                                                    _mm256_sub_ps(_mm256_loadu_ps(dr + j0), dot)));                 \
    }
#define ZT_LB2_GQ(r) ZT_L2_ROWFMA(dp, r)
#define ZT_LB2_GQSTORE(r)                                                                                           \
    if (full) {                                                                                                     \
        _mm256_storeu_ps(gq + (r) * ldq + c0, a##r);                                                                \
        _mm256_storeu_ps(gq + (r) * ldq + c0 + 8, b##r);                                                            \
    } else {                                                                                                        \
        _mm256_maskstore_ps(gq + (r) * ldq + c0, m0, a##r);                                                         \
        _mm256_maskstore_ps(gq + (r) * ldq + c0 + 8, m1, b##r);                                                     \
    }
/// Row r's 16-column chunk at c0 of X (Q or dO; masked beyond the head width).
#define ZT_LB2_LOADQ(r)                                                                                             \
    const __m256 x##r = _mm256_maskload_ps(q + (r) * ldq + c0, m0), y##r = _mm256_maskload_ps(q + (r) * ldq + c0 + 8, m1);
#define ZT_LB2_LOADGO(r)                                                                                            \
    const __m256 x##r = _mm256_maskload_ps(go + (r) * ldgo + c0, m0), y##r = _mm256_maskload_ps(go + (r) * ldgo + c0 + 8, m1);
#define ZT_LB2_ACC(r)                                                                                               \
    {                                                                                                               \
        const __m256 t = _mm256_broadcast_ss(w + (r) * ldkt + j);                                                   \
        acc0 = _mm256_fmadd_ps(t, x##r, acc0);                                                                      \
        acc1 = _mm256_fmadd_ps(t, y##r, acc1);                                                                      \
    }
/// sums[j][c0, c0 + 16) += Σ_r w[r][j]·X_r[c0, c0 + 16) for j < lk (dK from dS and Q, or dV from P and dO).
#define ZT_LB2_ROWSUM(ROWS, LOADX, sums)                                                                            \
    {                                                                                                               \
        ROWS(LOADX)                                                                                                 \
        for (long j = 0; j < lk; j++) {                                                                             \
            float *sj = (sums) + j * ldg + c0;                                                                      \
            __m256 acc0 = _mm256_loadu_ps(sj), acc1 = _mm256_loadu_ps(sj + 8);                                      \
            ROWS(ZT_LB2_ACC)                                                                                        \
            _mm256_storeu_ps(sj, acc0);                                                                             \
            _mm256_storeu_ps(sj + 8, acc1);                                                                         \
        }                                                                                                           \
    }
#define ZT_LB2_QUERIES(NAME, ROWS)                                                                                  \
    __attribute__((target("avx2,fma"))) static inline void NAME(                                                    \
        const float *q, long ldq, long d, const float *kt, const float *kp, long ldkt, long lk, const float *vt,    \
        long dv, const float *go, long ldgo, float scale, float *gq, float *gkl, float *gvl, long ldg, float *s,    \
        float *dp) {                                                                                                \
        const __m256 sc = _mm256_set1_ps(scale);                                                                    \
        for (long j0 = 0; j0 < ldkt; j0 += 16) {                                                                    \
            {                                                                                                       \
                ROWS(ZT_L2_ZERO)                                                                                    \
                for (long c = 0; c < d; c++) {                                                                      \
                    const __m256 k0 = _mm256_loadu_ps(kt + j0 * d + c * 16), k1 = _mm256_loadu_ps(kt + j0 * d + c * 16 + 8); \
                    ROWS(ZT_L2_SCORE)                                                                               \
                }                                                                                                   \
                ROWS(ZT_L2_STORES)                                                                                  \
            }                                                                                                       \
            {                                                                                                       \
                ROWS(ZT_L2_ZERO)                                                                                    \
                for (long c = 0; c < dv; c++) {                                                                     \
                    const __m256 k0 = _mm256_loadu_ps(vt + j0 * dv + c * 16), k1 = _mm256_loadu_ps(vt + j0 * dv + c * 16 + 8); \
                    ROWS(ZT_LB2_DP)                                                                                 \
                }                                                                                                   \
                ROWS(ZT_LB2_STOREDP)                                                                                \
            }                                                                                                       \
        }                                                                                                           \
        ROWS(ZT_LB2_SOFTMAX)                                                                                        \
        ROWS(ZT_LB2_DS)                                                                                             \
        for (long c0 = 0; c0 < d; c0 += 16) {                                                                       \
            const int full = c0 + 16 <= d;                                                                          \
            const __m256i m0 = zt_mask8(d - c0), m1 = zt_mask8(d - c0 - 8);                                         \
            if (gq) {                                                                                               \
                ROWS(ZT_L2_ZERO)                                                                                    \
                for (long j = 0; j < lk; j++) {                                                                     \
                    const __m256 v0 = _mm256_loadu_ps(kp + j * ldg + c0), v1 = _mm256_loadu_ps(kp + j * ldg + c0 + 8); \
                    ROWS(ZT_LB2_GQ)                                                                                 \
                }                                                                                                   \
                ROWS(ZT_LB2_GQSTORE)                                                                                \
            }                                                                                                       \
            if (gkl) {                                                                                              \
                const float *w = dp;                                                                                \
                ZT_LB2_ROWSUM(ROWS, ZT_LB2_LOADQ, gkl)                                                              \
            }                                                                                                       \
        }                                                                                                           \
        if (gvl) {                                                                                                  \
            for (long c0 = 0; c0 < dv; c0 += 16) {                                                                  \
                const __m256i m0 = zt_mask8(dv - c0), m1 = zt_mask8(dv - c0 - 8);                                   \
                const float *w = s;                                                                                 \
                ZT_LB2_ROWSUM(ROWS, ZT_LB2_LOADGO, gvl)                                                             \
            }                                                                                                       \
        }                                                                                                           \
    }
ZT_LB2_QUERIES(zt_attn_lback6_avx2, ZT_L2_ROWS6)
ZT_LB2_QUERIES(zt_attn_lback4_avx2, ZT_L2_ROWS4)
ZT_LB2_QUERIES(zt_attn_lback1_avx2, ZT_L2_ROWS1)

/// Backward of one whole pair (all lq queries) in AVX2. Scratch `w` holds, in floats: Kᵀ d·ldkt and Vᵀ dv·ldkt (in
/// the blocked layout of zt_attn_kt_avx2), K lk·ldg, dK and dV sums 2·lk·ldg, and 12·ldkt for P and dS; ldkt = lk
/// rounded up to 16, ldg = max(d, dv) rounded up to 16.
/// gq is written; gk and gv are added to (NULL: not wanted).
__attribute__((target("avx2,fma"))) static inline void zt_attn_long_backward_avx2(
    const float *q, long ldq, long lq, const float *k, long ldk, long lk, long d, const float *v, long ldv, long dv,
    float scale, const float *go, long ldgo, float *gq, float *gk, float *gv, float *w) {
    const long ldkt = (lk + 15) / 16 * 16, ldg = ((d > dv ? d : dv) + 15) / 16 * 16;
    float *kt = w, *vt = kt + d * ldkt, *kp = vt + dv * ldkt, *gkl = kp + lk * ldg, *gvl = gkl + lk * ldg;
    float *s = gvl + lk * ldg, *dp = s + 6 * ldkt;
    zt_attn_kt_avx2(k, ldk, lk, d, kt, ldkt);
    zt_attn_kt_avx2(v, ldv, lk, dv, vt, ldkt);
    zt_attn_pack_v_avx2(k, ldk, lk, d, kp, ldg);
    for (long i = 0; i < 2 * lk * ldg; i++) gkl[i] = 0;
    float *gkp = gk ? gkl : 0, *gvp = gv ? gvl : 0;
    long i = 0;
    for (; i + 6 <= lq; i += 6)
        zt_attn_lback6_avx2(q + i * ldq, ldq, d, kt, kp, ldkt, lk, vt, dv, go + i * ldgo, ldgo, scale,
                            gq ? gq + i * ldq : 0, gkp, gvp, ldg, s, dp);
    if (i + 4 <= lq) {
        zt_attn_lback4_avx2(q + i * ldq, ldq, d, kt, kp, ldkt, lk, vt, dv, go + i * ldgo, ldgo, scale,
                            gq ? gq + i * ldq : 0, gkp, gvp, ldg, s, dp);
        i += 4;
    }
    for (; i < lq; i++)
        zt_attn_lback1_avx2(q + i * ldq, ldq, d, kt, kp, ldkt, lk, vt, dv, go + i * ldgo, ldgo, scale,
                            gq ? gq + i * ldq : 0, gkp, gvp, ldg, s, dp);
    zt_attn_add_pair_sums(gk, ldk, gv, ldv, gkl, gvl, ldg, lk, d, dv);
}

/// Rows [r0, r1) of the transpose of a rows × cols matrix: dst[j][i] = src[i][j] (dst rows `rows` floats apart);
/// 8×8 blocks through registers, the edges one value at a time. The layout changes around the transformer blocks
/// ([C, HW] ↔ [HW, C]) read one float per cache line when done element by element.
__attribute__((target("avx2,fma"))) static inline void zt_transpose_avx2(const float *src, long rows, long cols,
                                                                       float *dst, long r0, long r1) {
    long i = r0;
    for (; i + 8 <= r1; i += 8) {
        long j = 0;
        for (; j + 8 <= cols; j += 8) zt_transpose8x8_avx2(src + i * cols + j, cols, dst + j * rows + i, rows);
        for (; j < cols; j++)
            for (long k = 0; k < 8; k++) dst[j * rows + i + k] = src[(i + k) * cols + j];
    }
    for (; i < r1; i++)
        for (long j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
}

/// 1 when the CPU has AVX-512F (and the OS saves its registers).
static inline int zt_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

ZT_DCONV_KERNEL(zt_dconv_avx512_cb8, "avx512f", 16, 8, ZT_ROWS8)
ZT_DCONV_KERNEL(zt_dconv_avx512_cb4, "avx512f", 16, 4, ZT_ROWS4)
ZT_DCONV2_KERNEL(zt_dconv_avx2_cb4, "avx2,fma", 8, 4, ZT_ROWS4)

// Weight gradient of the direct convolution over `images` consecutive images:
//   dw[c][t][i] += Σ_b Σ_q gy_b[i][q] · xp_b[c][q + offsets[t]]
// for CB output channels i (rows of `gyStride` floats in the flattened padded layout, zero where x ≥ Wo and beyond
// Ho·Wp), three taps t0..t0+2 per pass (`ntaps` ≤ 3 of them written; with fewer, the missing offsets repeat the
// last). Accumulates over `positions` (a multiple of VW) in vector lanes, then adds each lane sum in a fixed order.
#define ZT_WGRAD_INIT(i) vt g##i##0 = (vt)0.0f, g##i##1 = g##i##0, g##i##2 = g##i##0;
#define ZT_WGRAD_FMA(i)                                                                                             \
    {                                                                                                               \
        vt gv;                                                                                                      \
        __builtin_memcpy(&gv, gy + i * gyStride + q, sizeof(vt));                                                   \
        g##i##0 = __builtin_elementwise_fma(gv, x0, g##i##0);                                                       \
        g##i##1 = __builtin_elementwise_fma(gv, x1, g##i##1);                                                       \
        g##i##2 = __builtin_elementwise_fma(gv, x2, g##i##2);                                                       \
    }
#define ZT_WGRAD_STORE(i)                                                                                           \
    {                                                                                                               \
        vt acc[3] = {g##i##0, g##i##1, g##i##2};                                                                    \
        for (long j = 0; j < ntaps; j++) {                                                                          \
            float lanes[sizeof(vt) / 4], sum = 0;                                                                   \
            __builtin_memcpy(lanes, &acc[j], sizeof(vt));                                                           \
            for (unsigned l = 0; l < sizeof(vt) / 4; l++) sum += lanes[l];                                          \
            dw[j * cbn + i] += sum;                                                                                 \
        }                                                                                                           \
    }
#define ZT_WGRAD_KERNEL(NAME, TARGET, VW, CB, ROWS)                                                                 \
    __attribute__((target(TARGET))) static inline void NAME(                                                        \
        const float *xc, long xImageStride, const float *gy0, long gyImageStride, long images, long gyStride,       \
        long positions, const long *offsets, long ntaps, float *dw) {                                               \
        typedef float vt __attribute__((ext_vector_type(VW)));                                                      \
        const long cbn = CB;                                                                                        \
        ROWS(ZT_WGRAD_INIT)                                                                                         \
        for (long b = 0; b < images; b++) {                                                                         \
            const float *xb = xc + b * xImageStride, *gy = gy0 + b * gyImageStride;                                 \
            const float *s0 = xb + offsets[0], *s1 = xb + offsets[ntaps > 1 ? 1 : 0], *s2 = xb + offsets[ntaps - 1]; \
            for (long q = 0; q < positions; q += VW) {                                                              \
                vt x0, x1, x2;                                                                                      \
                __builtin_memcpy(&x0, s0 + q, sizeof(vt));                                                          \
                __builtin_memcpy(&x1, s1 + q, sizeof(vt));                                                          \
                __builtin_memcpy(&x2, s2 + q, sizeof(vt));                                                          \
                ROWS(ZT_WGRAD_FMA)                                                                                  \
            }                                                                                                       \
        }                                                                                                           \
        ROWS(ZT_WGRAD_STORE)                                                                                        \
    }

ZT_WGRAD_KERNEL(zt_wgrad_avx512_cb8, "avx512f", 16, 8, ZT_ROWS8)
ZT_WGRAD_KERNEL(zt_wgrad_avx512_cb4, "avx512f", 16, 4, ZT_ROWS4)
ZT_WGRAD_KERNEL(zt_wgrad_avx2_cb4, "avx2,fma", 8, 4, ZT_ROWS4)
#else
static inline int zt_has_avx2_fma(void) { return 0; }
static inline int zt_has_avx512(void) { return 0; }
static inline void zt_silu_avx2(const float *x, float *y, long n) { (void)x; (void)y; (void)n; }
static inline void zt_layernorm_row_avx2(const float *x, float *y, long n, float mu, float r, const float *w,
                                         const float *b) {
    (void)x; (void)y; (void)n; (void)mu; (void)r; (void)w; (void)b;
}
static inline void zt_ln_backward_row_avx2(const float *x, const float *g, const float *w, float *dx, long n, float mu,
                                           float r) {
    (void)x; (void)g; (void)w; (void)dx; (void)n; (void)mu; (void)r;
}
static inline void zt_ln_params_row_avx2(const float *x, const float *g, float *gw, float *gb, long n, float mu, float r) {
    (void)x; (void)g; (void)gw; (void)gb; (void)n; (void)mu; (void)r;
}
static inline void zt_mean_var_avx2(const float *x, long n, float *mean, float *var) { (void)x; (void)n; (void)mean; (void)var; }
static inline void zt_sum_dot_avx2(const float *g, const float *x, long n, float *sg, float *sgx) {
    (void)g; (void)x; (void)n; (void)sg; (void)sgx;
}
static inline void zt_gn_backward_avx2(const float *x, const float *g, float *dx, long n, float mu, float r, float w,
                                       float meanG, float meanGX) {
    (void)x; (void)g; (void)dx; (void)n; (void)mu; (void)r; (void)w; (void)meanG; (void)meanGX;
}
static inline void zt_affine_avx2(const float *x, float *y, long n, float a, float b, int silu) {
    (void)x; (void)y; (void)n; (void)a; (void)b; (void)silu;
}
static inline void zt_silu_backward_avx2(const float *x, const float *gy, float *gx, long n) { (void)x; (void)gy; (void)gx; (void)n; }
static inline void zt_gelu_avx2(const float *x, float *y, long n) { (void)x; (void)y; (void)n; }
static inline void zt_gelu_backward_avx2(const float *x, const float *gy, float *gx, long n) { (void)x; (void)gy; (void)gx; (void)n; }
static inline void zt_attn_short_forward(const float *q, long ldq, long lq, const float *k, long ldk, long lk, long d,
                                         const float *v, long ldv, long dv, float scale, float *out, long ldo) {
    (void)q; (void)ldq; (void)lq; (void)k; (void)ldk; (void)lk; (void)d; (void)v; (void)ldv; (void)dv; (void)scale; (void)out; (void)ldo;
}
static inline void zt_attn_short_forward_avx512(const float *q, long ldq, long lq, const float *k, long ldk, long lk,
                                                long d, const float *v, long ldv, long dv, float scale, float *out, long ldo) {
    (void)q; (void)ldq; (void)lq; (void)k; (void)ldk; (void)lk; (void)d; (void)v; (void)ldv; (void)dv; (void)scale; (void)out; (void)ldo;
}
static inline void zt_attn_kt_avx512(const float *k, long ldk, long lk, long d, float *kt, long ldkt) {
    (void)k; (void)ldk; (void)lk; (void)d; (void)kt; (void)ldkt;
}
static inline void zt_attn_pack_v_avx512(const float *v, long ldv, long lk, long dv, float *vp, long ldvp) {
    (void)v; (void)ldv; (void)lk; (void)dv; (void)vp; (void)ldvp;
}
static inline void zt_linear_avx512(const float *x, long ldx, long rows, long K, const float *wt, long ldw, long N,
                                    const float *bias, float *y, long ldy) {
    (void)x; (void)ldx; (void)rows; (void)K; (void)wt; (void)ldw; (void)N; (void)bias; (void)y; (void)ldy;
}
static inline void zt_attn_long_backward_avx512(const float *q, long ldq, long lq, const float *k, long ldk, long lk,
                                                long d, const float *v, long ldv, long dv, float scale, const float *go,
                                                long ldgo, float *gq, float *gk, float *gv, float *w) {
    (void)q; (void)ldq; (void)lq; (void)k; (void)ldk; (void)lk; (void)d; (void)v; (void)ldv; (void)dv; (void)scale;
    (void)go; (void)ldgo; (void)gq; (void)gk; (void)gv; (void)w;
}
static inline void zt_attn_long_forward_avx512(const float *q, long ldq, long i0, long i1, const float *kt, long ldkt,
                                               long lk, long d, const float *v, long ldv, long dv, float scale,
                                               float *out, long ldo, float *s) {
    (void)q; (void)ldq; (void)i0; (void)i1; (void)kt; (void)ldkt; (void)lk; (void)d; (void)v; (void)ldv; (void)dv;
    (void)scale; (void)out; (void)ldo; (void)s;
}
static inline void zt_attn_short_backward_avx512(const float *q, long ldq, long lq, const float *k, long ldk, long lk,
                                                 long d, const float *v, long ldv, long dv, float scale, const float *go,
                                                 long ldgo, float *gq, float *gk, float *gv) {
    (void)q; (void)ldq; (void)lq; (void)k; (void)ldk; (void)lk; (void)d; (void)v; (void)ldv; (void)dv; (void)scale;
    (void)go; (void)ldgo; (void)gq; (void)gk; (void)gv;
}
static inline void zt_attn_short_backward(const float *q, long ldq, long lq, const float *k, long ldk, long lk, long d,
                                          const float *v, long ldv, long dv, float scale, const float *go, long ldgo,
                                          float *gq, float *gk, float *gv) {
    (void)q; (void)ldq; (void)lq; (void)k; (void)ldk; (void)lk; (void)d; (void)v; (void)ldv; (void)dv; (void)scale;
    (void)go; (void)ldgo; (void)gq; (void)gk; (void)gv;
}
#define ZT_WGRAD_STUB(NAME)                                                                                         \
    static inline void NAME(const float *xc, long xImageStride, const float *gy0, long gyImageStride, long images,  \
                            long gyStride, long positions, const long *offsets, long ntaps, float *dw) {            \
        (void)xc; (void)xImageStride; (void)gy0; (void)gyImageStride; (void)images; (void)gyStride;                 \
        (void)positions; (void)offsets; (void)ntaps; (void)dw;                                                      \
    }
ZT_WGRAD_STUB(zt_wgrad_avx512_cb8)
ZT_WGRAD_STUB(zt_wgrad_avx512_cb4)
ZT_WGRAD_STUB(zt_wgrad_avx2_cb4)
#define ZT_DCONV_STUB(NAME)                                                                                         \
    static inline void NAME(const float *xp, long plane, long channels, const float *wt, const long *offsets,       \
                            long taps, const float *bias, float *out, long outStride, long q0, long q1,             \
                            long accumulate) {                                                                      \
        (void)xp; (void)plane; (void)channels; (void)wt; (void)offsets; (void)taps;                                 \
        (void)bias; (void)out; (void)outStride; (void)q0; (void)q1; (void)accumulate;                               \
    }
ZT_DCONV_STUB(zt_dconv_avx512_cb8)
ZT_DCONV_STUB(zt_dconv_avx512_cb4)
ZT_DCONV_STUB(zt_dconv_avx2_cb4)
static inline void zt_softmax_row_avx2(float *s, long n) { (void)s; (void)n; }
static inline void zt_transpose_avx2(const float *src, long rows, long cols, float *dst, long r0, long r1) {
    (void)src; (void)rows; (void)cols; (void)dst; (void)r0; (void)r1;
}
static inline void zt_linear_avx2(const float *x, long ldx, long rows, long K, const float *wt, long ldw, long N,
                                  const float *bias, float *y, long ldy) {
    (void)x; (void)ldx; (void)rows; (void)K; (void)wt; (void)ldw; (void)N; (void)bias; (void)y; (void)ldy;
}
static inline void zt_attn_kt_avx2(const float *k, long ldk, long lk, long d, float *kt, long ldkt) {
    (void)k; (void)ldk; (void)lk; (void)d; (void)kt; (void)ldkt;
}
static inline void zt_attn_pack_v_avx2(const float *v, long ldv, long lk, long dv, float *vp, long ldvp) {
    (void)v; (void)ldv; (void)lk; (void)dv; (void)vp; (void)ldvp;
}
static inline long zt_attn_long_forward_scratch_avx2(long ldkt, long ldvp) { (void)ldkt; (void)ldvp; return 0; }
static inline void zt_attn_long_forward_avx2(const float *q, long ldq, long i0, long i1, const float *kt, long ldkt,
                                             long lk, long d, const float *vp, long ldvp, long dv, float scale, float *out,
                                             long ldo, float *s) {
    (void)q; (void)ldq; (void)i0; (void)i1; (void)kt; (void)ldkt; (void)lk; (void)d; (void)vp; (void)ldvp; (void)dv;
    (void)scale; (void)out; (void)ldo; (void)s;
}
static inline void zt_attn_long_backward_avx2(const float *q, long ldq, long lq, const float *k, long ldk, long lk,
                                              long d, const float *v, long ldv, long dv, float scale, const float *go,
                                              long ldgo, float *gq, float *gk, float *gv, float *w) {
    (void)q; (void)ldq; (void)lq; (void)k; (void)ldk; (void)lk; (void)d; (void)v; (void)ldv; (void)dv; (void)scale;
    (void)go; (void)ldgo; (void)gq; (void)gk; (void)gv; (void)w;
}
#endif

#endif
