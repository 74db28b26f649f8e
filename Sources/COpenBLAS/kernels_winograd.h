// Winograd F(2×2, 3×3) convolution on AVX2 (stride 1, padding 1, 3×3 kernel; W a multiple of 16 and H even, or
// W = 8 and H a multiple of 4).
//
// Each 4×4 input tile d (stride 2) gives a 2×2 output tile: Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A. The 16 products at the
// transformed positions ξ are, over the channels, 16 independent GEMMs M_ξ = U_ξ (Co×C) · V_ξ (C×tiles), which take
// 16 multiply-adds per tile per channel pair where the direct sum takes 36: 2.25× fewer.
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1].
// Layouts (floats):
//   U (weights, once per call): [16 ξ][blocks][C][6]  — 6 output channels per block, zero rows past Co.
//   V (one chunk of tiles):     [16 ξ][panels][C][16] — 16 tiles per panel, written by the input transform in the
//                               order the GEMM micro-kernel reads it, so nothing is packed twice.
//   M (GEMM results):           [16 ξ][panels][blocks·6][16].
// A chunk is a run of tile rows of one image, or whole images where an image is whole panels (8 px: 16 tiles), so
// that U_ξ is read once for several images; tiles are numbered row by row, 8 consecutive tiles of one tile row per
// vector (W/2 tiles per row, a multiple of 8), at 8 px two tile rows of 4 per vector. The accumulators are named
// variables: Swift's importer compiles these inline functions without promoting arrays to registers (see kernels.h).
#ifndef ZOETROPE_KERNELS_WINOGRAD_H
#define ZOETROPE_KERNELS_WINOGRAD_H

#if defined(__x86_64__)
#include <immintrin.h>

// U from weights [Co][C][3][3] for the output-channel blocks [b0, b1): u[((ξ·blocks + b)·C + c)·6 + o % 6].
static inline void zt_wino_weights(const float *w, long co, long c, long blocks, long b0, long b1, float *u) {
    for (long b = b0; b < b1; b++) {
        for (long ch = 0; ch < c; ch++) {
            for (long r = 0; r < 6; r++) {
                long o = b * 6 + r;
                float t[4][3], uu[4][4];
                if (o < co) {
                    const float *g = w + (o * c + ch) * 9;
                    for (int j = 0; j < 3; j++) {
                        t[0][j] = g[j];
                        t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
                        t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
                        t[3][j] = g[6 + j];
                    }
                    for (int i = 0; i < 4; i++) {
                        uu[i][0] = t[i][0];
                        uu[i][1] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
                        uu[i][2] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
                        uu[i][3] = t[i][2];
                    }
                } else {
                    for (int i = 0; i < 16; i++) uu[i / 4][i % 4] = 0;
                }
                for (int xi = 0; xi < 16; xi++) u[((xi * blocks + b) * c + ch) * 6 + r] = uu[xi / 4][xi % 4];
            }
        }
    }
}

// The GEMM micro-kernel: m[r][0..16) = Σ_c a[c·6 + r] · v[c·16 + 0..16) for r < 6, m's rows 16 floats apart.
#define ZT_WK_ROWS(M) M(0) M(1) M(2) M(3) M(4) M(5)
#define ZT_WK_DECL(r) __m256 s##r##0 = _mm256_setzero_ps(), s##r##1 = _mm256_setzero_ps();
#define ZT_WK_FMA(r)                                                                                                \
    {                                                                                                               \
        __m256 av = _mm256_broadcast_ss(a + ch * 6 + r);                                                            \
        s##r##0 = _mm256_fmadd_ps(av, v0, s##r##0);                                                                 \
        s##r##1 = _mm256_fmadd_ps(av, v1, s##r##1);                                                                 \
    }
#define ZT_WK_STORE(r) _mm256_storeu_ps(m + r * 16, s##r##0); _mm256_storeu_ps(m + r * 16 + 8, s##r##1);

__attribute__((target("avx2,fma"))) static inline void zt_wino_gemm6x16_avx2(const float *a, const float *v, long c,
                                                                             float *m) {
    ZT_WK_ROWS(ZT_WK_DECL)
    for (long ch = 0; ch < c; ch++) {
        __m256 v0 = _mm256_loadu_ps(v + ch * 16), v1 = _mm256_loadu_ps(v + ch * 16 + 8);
        ZT_WK_ROWS(ZT_WK_FMA)
    }
    ZT_WK_ROWS(ZT_WK_STORE)
}

// Deinterleaves 16 floats into their even and odd elements.
__attribute__((target("avx2,fma"))) static inline void zt_wino_split_avx2(const float *p, __m256 *even, __m256 *odd) {
    __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}

// Scratch floats one chunk of `rows` tile rows needs (v, m and the row transforms), for `zt_wino_f23_avx2`.
static inline long zt_wino_scratch(long c, long co, long w, long rows) {
    long tw = w / 2, panels = (rows * tw + 15) / 16, mb = (co + 5) / 6 * 6;
    return 16 * panels * c * 16 + 16 * panels * mb * 16 + (2 * rows + 2) * 4 * (tw + 16) + 64;
}

// Bᵀ d B for the tiles of tile rows [ty0, ty1) of x [C][H][W], tile t of the run (numbered row by row) of channel ch
// at v[ξ·xstride + (t / 16)·pstride + ch·cs + t % 16]: the GEMM panels of zt_wino_f23_avx2 (cs 16, pstride C·16) or
// plain rows [ξ][C][tiles] (cs = the row length, pstride 16). In the panel layout (pstride ≠ 16) an odd number of
// 8-tile groups leaves the last panel's upper half zero. `rt`: (2·rows + 2)·4·(W/2 + 16) floats of scratch.
__attribute__((target("avx2,fma"))) static inline void zt_wino_input_avx2(const float *x, long c, long h, long w,
                                                                         long ty0, long ty1, float *v, long cs,
                                                                         long pstride, long xstride, float *rt) {
    const long tw = w / 2, rows = ty1 - ty0, groups = rows * tw / 8, panels = (groups + 1) / 2;
    // Row transforms of one channel: rt[(row·4 + k)·ldr + t].
    const long ldr = tw + 16, nr = 2 * rows + 2;
    if (groups % 2 && cs == 16 && pstride != 16) {
        for (long xi = 0; xi < 16; xi++)
            for (long ch = 0; ch < c; ch++)
                _mm256_storeu_ps(v + xi * xstride + (panels - 1) * pstride + ch * cs + 8, _mm256_setzero_ps());
    }
    for (long ch = 0; ch < c; ch++) {
        const float *xc = x + ch * h * w;
        for (long i = 0; i < nr; i++) {
            long r = 2 * ty0 - 1 + i;
            float *o0 = rt + (i * 4) * ldr;
            if (r < 0 || r >= h) {
                for (long k = 0; k < 4; k++)
                    for (long t = 0; t < tw; t += 4) _mm_storeu_ps(o0 + k * ldr + t, _mm_setzero_ps());
                continue;
            }
            const float *row = xc + r * w;
            if (tw == 4) {
                // 8 px: the row's 4 tiles in one 128-bit vector of each transform.
                __m256 p = _mm256_permutevar8x32_ps(_mm256_loadu_ps(row), _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
                __m128 e = _mm256_castps256_ps128(p), o = _mm256_extractf128_ps(p, 1);
                __m128 odm1 = _mm_castsi128_ps(_mm_slli_si128(_mm_castps_si128(o), 4));
                __m128 ep1 = _mm_castsi128_ps(_mm_srli_si128(_mm_castps_si128(e), 4));
                _mm_storeu_ps(o0 + 0 * ldr, _mm_sub_ps(odm1, o));
                _mm_storeu_ps(o0 + 1 * ldr, _mm_add_ps(e, o));
                _mm_storeu_ps(o0 + 2 * ldr, _mm_sub_ps(o, e));
                _mm_storeu_ps(o0 + 3 * ldr, _mm_sub_ps(e, ep1));
                continue;
            }
            // ev[t] = x[2t], od[t] = x[2t+1]; od[−1] = 0, ev[tw] = 0.
            __m256 prevOdd = _mm256_setzero_ps(), e, o;
            zt_wino_split_avx2(row, &e, &o);
            for (long t = 0; t < tw; t += 8) {
                __m256 en, on;
                if (t + 8 < tw) zt_wino_split_avx2(row + 2 * t + 16, &en, &on);
                else en = on = _mm256_setzero_ps();
                // od[t−1] and ev[t+1] for the 8 lanes: shift by one lane across vectors.
                __m256 odm1 = _mm256_permutevar8x32_ps(o, _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6));
                odm1 = _mm256_blend_ps(odm1, _mm256_permutevar8x32_ps(prevOdd, _mm256_set1_epi32(7)), 0x01);
                __m256 ep1 = _mm256_permutevar8x32_ps(e, _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0));
                ep1 = _mm256_blend_ps(ep1, _mm256_permutevar8x32_ps(en, _mm256_set1_epi32(0)), 0x80);
                _mm256_storeu_ps(o0 + 0 * ldr + t, _mm256_sub_ps(odm1, o));
                _mm256_storeu_ps(o0 + 1 * ldr + t, _mm256_add_ps(e, o));
                _mm256_storeu_ps(o0 + 2 * ldr + t, _mm256_sub_ps(o, e));
                _mm256_storeu_ps(o0 + 3 * ldr + t, _mm256_sub_ps(e, ep1));
                prevOdd = o;
                e = en;
                o = on;
            }
        }
        // Column transforms, 8 tiles at a time.
        for (long g = 0; g < groups; g++) {
            long tl = g * 8, ty = tl / tw, tx = tl % tw;
            const float *base = rt + (2 * ty * 4) * ldr + tx;
            for (long k = 0; k < 4; k++) {
                __m256 r0, r1, r2, r3;
                if (tw == 4) {
                    // Tile rows ty and ty + 1 in the low and high halves: input rows 2ty + j and 2ty + 2 + j.
#define ZT_WI_PAIR(j) _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(base + (j * 4 + k) * ldr)),          \
                                           _mm_loadu_ps(base + ((j + 2) * 4 + k) * ldr), 1)
                    r0 = ZT_WI_PAIR(0); r1 = ZT_WI_PAIR(1); r2 = ZT_WI_PAIR(2); r3 = ZT_WI_PAIR(3);
#undef ZT_WI_PAIR
                } else {
                    r0 = _mm256_loadu_ps(base + (0 * 4 + k) * ldr); r1 = _mm256_loadu_ps(base + (1 * 4 + k) * ldr);
                    r2 = _mm256_loadu_ps(base + (2 * 4 + k) * ldr); r3 = _mm256_loadu_ps(base + (3 * 4 + k) * ldr);
                }
                float *dst = v + k * xstride + (tl / 16) * pstride + ch * cs + tl % 16;
                long xs = 4 * xstride;  // ξ = i·4 + k: one i step
                _mm256_storeu_ps(dst + 0 * xs, _mm256_sub_ps(r0, r2));
                _mm256_storeu_ps(dst + 1 * xs, _mm256_add_ps(r1, r2));
                _mm256_storeu_ps(dst + 2 * xs, _mm256_sub_ps(r2, r1));
                _mm256_storeu_ps(dst + 3 * xs, _mm256_sub_ps(r1, r3));
            }
        }
    }
}

// One chunk: tile rows [ty0, ty1) of n images x [n][C][H][W] into y [n][Co][H][W], the rows 2·ty0 ..< 2·ty1
// (n > 1 only for whole images of whole panels: ty0 = 0, ty1 = H/2, (H/2)·(W/2) a multiple of 16).
// y = ((conv + bias[o]) + rowBias[i][o]) + residual[i][o][·], each term optional (NULL), added in that order.
__attribute__((target("avx2,fma"))) static inline void zt_wino_f23_avx2(
    const float *x, long c, long h, long w, const float *u, long co, long n, long ty0, long ty1, const float *bias,
    const float *rowBias, const float *residual, float *y, float *scratch) {
    const long tw = w / 2, rows = ty1 - ty0, tiles = rows * tw, ppi = (tiles + 15) / 16, panels = n * ppi;
    const long blocks = (co + 5) / 6, mb = blocks * 6, groups = tiles / 8;
    float *v = scratch, *m = v + 16 * panels * c * 16, *rt = m + 16 * panels * mb * 16;
    for (long i = 0; i < n; i++)
        zt_wino_input_avx2(x + i * c * h * w, c, h, w, ty0, ty1, v + i * ppi * c * 16, 16, c * 16, panels * c * 16, rt);
    // The 16 GEMMs: each panel of V (C×16, in L1) against every block of U_ξ.
    for (long xi = 0; xi < 16; xi++)
        for (long p = 0; p < panels; p++) {
            const float *vp = v + (xi * panels + p) * c * 16;
            float *mp = m + (xi * panels + p) * mb * 16;
            for (long b = 0; b < blocks; b++) zt_wino_gemm6x16_avx2(u + (xi * blocks + b) * c * 6, vp, c, mp + b * 96);
        }
    // Output transforms, 8 tiles at a time: rows 2ty, 2ty+1 and columns 2tx ..< 2tx+16 of each output channel (at
    // 8 px: rows 2ty, 2ty+1 and 2ty+2, 2ty+3).
    const long xs = panels * mb * 16, hw = h * w, second = tw == 4 ? 2 * w : 8;
    for (long i = 0; i < n; i++) {
        float *yi = y + i * co * hw;
        const float *ri = residual ? residual + i * co * hw : 0, *bi = rowBias ? rowBias + i * co : 0;
        for (long oc = 0; oc < co; oc++) {
            __m256 bv = _mm256_set1_ps(bias ? bias[oc] : 0.0f), rb = _mm256_set1_ps(bi ? bi[oc] : 0.0f);
            for (long g = 0; g < groups; g++) {
                long tl = g * 8, ty = ty0 + tl / tw, tx = tl % tw, p = i * ppi + g / 2, half = (g % 2) * 8;
                const float *mp = m + (p * mb + oc) * 16 + half;
#define ZT_WO_COL(k)                                                                                                \
    __m256 t0##k, t1##k;                                                                                            \
    {                                                                                                               \
        __m256 m0 = _mm256_loadu_ps(mp + (0 * 4 + k) * xs), m1 = _mm256_loadu_ps(mp + (1 * 4 + k) * xs);           \
        __m256 m2 = _mm256_loadu_ps(mp + (2 * 4 + k) * xs), m3 = _mm256_loadu_ps(mp + (3 * 4 + k) * xs);           \
        t0##k = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);                                                           \
        t1##k = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);                                                           \
    }
                ZT_WO_COL(0) ZT_WO_COL(1) ZT_WO_COL(2) ZT_WO_COL(3)
#undef ZT_WO_COL
                __m256 y00 = _mm256_add_ps(_mm256_add_ps(t00, t01), t02);
                __m256 y01 = _mm256_sub_ps(_mm256_sub_ps(t01, t02), t03);
                __m256 y10 = _mm256_add_ps(_mm256_add_ps(t10, t11), t12);
                __m256 y11 = _mm256_sub_ps(_mm256_sub_ps(t11, t12), t13);
                for (long j = 0; j < 2; j++) {
                    __m256 a = j ? y10 : y00, b = j ? y11 : y01;
                    __m256 lo = _mm256_unpacklo_ps(a, b), hi = _mm256_unpackhi_ps(a, b);
                    __m256 q0 = _mm256_permute2f128_ps(lo, hi, 0x20), q1 = _mm256_permute2f128_ps(lo, hi, 0x31);
                    long off = oc * hw + (2 * ty + j) * w + 2 * tx;
                    if (bias) { q0 = _mm256_add_ps(q0, bv); q1 = _mm256_add_ps(q1, bv); }
                    if (bi) { q0 = _mm256_add_ps(q0, rb); q1 = _mm256_add_ps(q1, rb); }
                    if (ri) {
                        q0 = _mm256_add_ps(q0, _mm256_loadu_ps(ri + off));
                        q1 = _mm256_add_ps(q1, _mm256_loadu_ps(ri + off + second));
                    }
                    _mm256_storeu_ps(yi + off, q0);
                    _mm256_storeu_ps(yi + off + second, q1);
                }
            }
        }
    }
}
// A gy Aᵀ (A = [1 0; 1 1; 1 −1; 0 −1]) for the 2×2 tiles of tile rows [ty0, ty1) of gy [Co][H][W] (one image): tile
// t of the run (row by row) of channel o at z[ξ·xstride + o·cs + t]. The weight gradient's other operand: dU_ξ = Σ_tiles Z_ξ·V_ξᵀ.
__attribute__((target("avx2,fma"))) static inline void zt_wino_gy_avx2(const float *gy, long co, long h, long w, long ty0,
                                                                      long ty1, float *z, long cs, long xstride) {
    const long tw = w / 2;
    for (long o = 0; o < co; o++) {
        const float *go = gy + o * h * w;
        float *zo = z + o * cs;
        if (tw == 4) {
            // 8 px: a tile row's 4 tiles in 128-bit vectors.
            const __m256i split = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
            for (long ty = ty0; ty < ty1; ty++) {
                __m256 p0 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(go + 2 * ty * w), split);
                __m256 p1 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(go + (2 * ty + 1) * w), split);
                __m128 e0 = _mm256_castps256_ps128(p0), o0 = _mm256_extractf128_ps(p0, 1);
                __m128 e1 = _mm256_castps256_ps128(p1), o1 = _mm256_extractf128_ps(p1, 1);
                __m128 a0[4] = {e0, _mm_add_ps(e0, o0), _mm_sub_ps(e0, o0), _mm_sub_ps(_mm_setzero_ps(), o0)};
                __m128 a1[4] = {e1, _mm_add_ps(e1, o1), _mm_sub_ps(e1, o1), _mm_sub_ps(_mm_setzero_ps(), o1)};
                float *dst = zo + (ty - ty0) * tw;
                for (long k = 0; k < 4; k++) {
                    _mm_storeu_ps(dst + (0 * 4 + k) * xstride, a0[k]);
                    _mm_storeu_ps(dst + (1 * 4 + k) * xstride, _mm_add_ps(a0[k], a1[k]));
                    _mm_storeu_ps(dst + (2 * 4 + k) * xstride, _mm_sub_ps(a0[k], a1[k]));
                    _mm_storeu_ps(dst + (3 * 4 + k) * xstride, _mm_sub_ps(_mm_setzero_ps(), a1[k]));
                }
            }
            continue;
        }
        for (long ty = ty0; ty < ty1; ty++)
            for (long tx = 0; tx < tw; tx += 8) {
                __m256 e0, o0, e1, o1;
                zt_wino_split_avx2(go + 2 * ty * w + 2 * tx, &e0, &o0);
                zt_wino_split_avx2(go + (2 * ty + 1) * w + 2 * tx, &e1, &o1);
                // Row transforms (g0, g0 + g1, g0 − g1, −g1) of the tile's two rows, then the same down the columns.
                __m256 a0[4] = {e0, _mm256_add_ps(e0, o0), _mm256_sub_ps(e0, o0), _mm256_sub_ps(_mm256_setzero_ps(), o0)};
                __m256 a1[4] = {e1, _mm256_add_ps(e1, o1), _mm256_sub_ps(e1, o1), _mm256_sub_ps(_mm256_setzero_ps(), o1)};
                float *dst = zo + (ty - ty0) * tw + tx;
                for (long k = 0; k < 4; k++) {
                    _mm256_storeu_ps(dst + (0 * 4 + k) * xstride, a0[k]);
                    _mm256_storeu_ps(dst + (1 * 4 + k) * xstride, _mm256_add_ps(a0[k], a1[k]));
                    _mm256_storeu_ps(dst + (2 * 4 + k) * xstride, _mm256_sub_ps(a0[k], a1[k]));
                    _mm256_storeu_ps(dst + (3 * 4 + k) * xstride, _mm256_sub_ps(_mm256_setzero_ps(), a1[k]));
                }
            }
    }
}

// The weight gradient's GEMMs for one chunk of T tiles (T a multiple of 8; C a multiple of 16, Co of 8):
// du[ξ][o][c] += Σ_t z[ξ·zx + o·T + t] · v[ξ·vx + c·T + t], for the 16 ξ. Each ξ's operands are transposed (8×8
// register blocks) into vt [T][C + 16] and zt [T][mb] (mb = Co rounded up to 6, zero past Co), which stay in L1/L2, and a
// 6×16 register tile runs over all T tiles as an outer-product accumulation: 6 broadcasts and 2 loads per 12 FMAs, the
// tile added into du once per chunk. OpenBLAS spent a third of this GEMM time packing the same operands.
// Scratch: vt T·(C + 16) floats (rows padded off a power-of-two stride, which put a column strip in a few L1 sets),
// zt T·mb floats.
#define ZT_WG_FMA(r)                                                                                                \
    {                                                                                                               \
        __m256 av = _mm256_broadcast_ss(zr + r);                                                                    \
        s##r##0 = _mm256_fmadd_ps(av, v0, s##r##0);                                                                 \
        s##r##1 = _mm256_fmadd_ps(av, v1, s##r##1);                                                                 \
    }
#define ZT_WG_ADD(r)                                                                                                \
    if (o + r < co) {                                                                                               \
        float *d = dux + (o + r) * c + cb;                                                                          \
        _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), s##r##0));                                            \
        _mm256_storeu_ps(d + 8, _mm256_add_ps(_mm256_loadu_ps(d + 8), s##r##1));                                    \
    }
__attribute__((target("avx2,fma"))) static inline void zt_wino_wgrad_chunk_avx2(const float *v, long vx, const float *z,
                                                                               long zx, long c, long co, long T,
                                                                               float *du, float *vt, float *zt) {
    const long mb = (co + 5) / 6 * 6, ldv = c + 16;
    for (long xi = 0; xi < 16; xi++) {
        const float *vi = v + xi * vx, *zi = z + xi * zx;
        for (long ch = 0; ch < c; ch += 8)
            for (long t = 0; t < T; t += 8) zt_transpose8x8_avx2(vi + ch * T + t, T, vt + t * ldv + ch, ldv);
        for (long o = 0; o < co; o += 8)
            for (long t = 0; t < T; t += 8) zt_transpose8x8_avx2(zi + o * T + t, T, zt + t * mb + o, mb);
        for (long t = 0; t < T; t++)
            for (long o = co; o < mb; o++) zt[t * mb + o] = 0;
        float *dux = du + xi * co * c;
        for (long o = 0; o < co; o += 6)
            for (long cb = 0; cb < c; cb += 16) {
                ZT_WK_ROWS(ZT_WK_DECL)
                const float *zr = zt + o, *vr = vt + cb;
                for (long t = 0; t < T; t++, zr += mb, vr += ldv) {
                    __m256 v0 = _mm256_loadu_ps(vr), v1 = _mm256_loadu_ps(vr + 8);
                    ZT_WK_ROWS(ZT_WG_FMA)
                }
                ZT_WK_ROWS(ZT_WG_ADD)
            }
    }
}
#undef ZT_WG_FMA
#undef ZT_WG_ADD

// dW [Co][C][3][3] for the output channels [o0, o1) from dU [16][Co][C]: dW = Gᵀ dU G.
static inline void zt_wino_weights_back(const float *s, long co, long c, long o0, long o1, float *gw) {
    const long xs = co * c;
    for (long o = o0; o < o1; o++)
        for (long ch = 0; ch < c; ch++) {
            float m[4][4], t[3][4];
            for (int xi = 0; xi < 16; xi++) m[xi / 4][xi % 4] = s[xi * xs + o * c + ch];
            for (int k = 0; k < 4; k++) {
                t[0][k] = m[0][k] + 0.5f * (m[1][k] + m[2][k]);
                t[1][k] = 0.5f * (m[1][k] - m[2][k]);
                t[2][k] = 0.5f * (m[1][k] + m[2][k]) + m[3][k];
            }
            float *g = gw + (o * c + ch) * 9;
            for (int i = 0; i < 3; i++) {
                g[i * 3 + 0] = t[i][0] + 0.5f * (t[i][1] + t[i][2]);
                g[i * 3 + 1] = 0.5f * (t[i][1] - t[i][2]);
                g[i * 3 + 2] = 0.5f * (t[i][1] + t[i][2]) + t[i][3];
            }
        }
}
#endif
#endif
