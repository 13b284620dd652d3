/*
 * CODE's vector kernels in C, written once over GCC vector extensions and compiled once per SIMD tier (see build.sh):
 * VL floats per vector, TR rows by TC vectors of columns in the matrix's register tile, TIER the suffix of every
 * exported name. dispatch.c tells the Java side which tiers this CPU runs; the Java side binds the functions of one
 * tier.
 *
 * Pointers are used only during a call: nothing is kept, so Java heap arrays may be passed to critical downcalls.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if !defined(VL) || !defined(TIER) || !defined(TR) || !defined(TC)
#error "compile with -DVL=.. -DTIER=.. -DTR=.. -DTC=.."
#endif

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(ce_##name, TIER)
#define EXPORT __attribute__((visibility("default")))
/* columns per packed block of the matrix: 64 columns of 384 floats are 96 KiB, at home in L2; a multiple of TC * VL */
#define COLUMN_BLOCK 64

typedef float vf __attribute__((vector_size(VL * 4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));
typedef uint32_t vu __attribute__((vector_size(VL * 4)));

static inline vf ld(const float *p) {
    vf v;
    memcpy(&v, p, sizeof v); /* an unaligned load: rows of a VectorStore are aligned, single vectors need not be */
    return v;
}

static inline float hsum(vf v) {
    float s = 0;
    for (int i = 0; i < VL; i++) s += v[i];
    return s;
}

static inline float dot(const float *a, const float *b, int32_t n) {
    vf s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    int32_t i = 0;
    for (; i + 4 * VL <= n; i += 4 * VL) {
        s0 += ld(a + i) * ld(b + i);
        s1 += ld(a + i + VL) * ld(b + i + VL);
        s2 += ld(a + i + 2 * VL) * ld(b + i + 2 * VL);
        s3 += ld(a + i + 3 * VL) * ld(b + i + 3 * VL);
    }
    for (; i + VL <= n; i += VL) s0 += ld(a + i) * ld(b + i);
    float s = hsum((s0 + s1) + (s2 + s3));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

EXPORT float FN(dot)(const float *a, const float *b, int32_t n) { return dot(a, b, n); }

EXPORT float FN(cosine)(const float *a, const float *b, int32_t n) {
    vf ab = {0}, aa = {0}, bb = {0};
    int32_t i = 0;
    for (; i + VL <= n; i += VL) {
        vf x = ld(a + i), y = ld(b + i);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    float sab = hsum(ab), saa = hsum(aa), sbb = hsum(bb);
    for (; i < n; i++) {
        sab += a[i] * b[i];
        saa += a[i] * a[i];
        sbb += b[i] * b[i];
    }
    double norms = (double) saa * sbb;
    return norms == 0 ? 0 : (float) (sab / __builtin_sqrt(norms));
}

EXPORT float FN(distance)(const float *a, const float *b, int32_t n) {
    vf s0 = {0}, s1 = {0};
    int32_t i = 0;
    for (; i + 2 * VL <= n; i += 2 * VL) {
        vf d0 = ld(a + i) - ld(b + i), d1 = ld(a + i + VL) - ld(b + i + VL);
        s0 += d0 * d0;
        s1 += d1 * d1;
    }
    for (; i + VL <= n; i += VL) {
        vf d = ld(a + i) - ld(b + i);
        s0 += d * d;
    }
    float s = hsum(s0 + s1);
    for (; i < n; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

EXPORT int64_t FN(hamming)(const uint64_t *a, const uint64_t *b, int32_t n) {
    int64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        c0 += __builtin_popcountll(a[i] ^ b[i]);
        c1 += __builtin_popcountll(a[i + 1] ^ b[i + 1]);
        c2 += __builtin_popcountll(a[i + 2] ^ b[i + 2]);
        c3 += __builtin_popcountll(a[i + 3] ^ b[i + 3]);
    }
    for (; i < n; i++) c0 += __builtin_popcountll(a[i] ^ b[i]);
    return c0 + c1 + c2 + c3;
}

EXPORT void FN(scores)(const float *q, const float *rows, int64_t stride, int32_t dims, int32_t count, float *out) {
    for (int32_t r = 0; r < count; r++) out[r] = dot(q, rows + r * stride, dims);
}

/*
 * The matrix as a GEMM: out = a * b^T. Each block of COLUMN_BLOCK rows of b is packed transposed (k-major, the block's
 * columns side by side, zeros past n), so that a register tile of R rows by TC vectors of columns takes, per k, one
 * broadcast of a[r][k] for each row and TC loads of packed b, and keeps R * TC sums that need no horizontal add at the
 * end: they are stored as they are, as rows of out.
 */
static inline __attribute__((always_inline)) void tile(int R, const float *a, int64_t stride, int32_t dims,
                                                        const float *packed, float *out, int64_t n, int32_t cols) {
    vf acc[TR][TC];
#pragma GCC unroll 16
    for (int r = 0; r < R; r++)
#pragma GCC unroll 8
        for (int c = 0; c < TC; c++) acc[r][c] = (vf){0};
    for (int32_t k = 0; k < dims; k++) {
        const float *p = packed + (int64_t) k * COLUMN_BLOCK;
        vf y[TC];
#pragma GCC unroll 8
        for (int c = 0; c < TC; c++) y[c] = ld(p + c * VL);
#pragma GCC unroll 16
        for (int r = 0; r < R; r++) {
            vf x = a[r * stride + k] - (vf){0}; /* a broadcast: x - 0 is x, -0 and NaN included, unlike x + 0 */
#pragma GCC unroll 8
            for (int c = 0; c < TC; c++) acc[r][c] += x * y[c];
        }
    }
    for (int r = 0; r < R; r++) {
        if (cols == TC * VL) {
            memcpy(out + r * n, acc[r], sizeof acc[r]);
        } else {
            memcpy(out + r * n, acc[r], (size_t) cols * sizeof(float));
        }
    }
}

/* The block of b rows j0 .. j0 + cols, transposed into packed[k * COLUMN_BLOCK + j], zeros in the columns past cols. */
static void pack(const float *b, int64_t stride, int32_t dims, int32_t cols, float *packed) {
    for (int32_t k = 0; k < dims; k++) {
        float *p = packed + (int64_t) k * COLUMN_BLOCK;
        for (int32_t j = 0; j < cols; j++) p[j] = b[j * stride + k];
        for (int32_t j = cols; j < COLUMN_BLOCK; j++) p[j] = 0;
    }
}

EXPORT void FN(matrix)(const float *a, const float *b, int64_t stride, int32_t dims, int32_t m, int32_t n,
                       float *out) {
    float *packed = aligned_alloc(64, (size_t) dims * COLUMN_BLOCK * sizeof(float));
    if (packed == NULL) { /* no memory for the packed block: one dot product per cell */
        for (int32_t i = 0; i < m; i++)
            for (int32_t j = 0; j < n; j++) out[(int64_t) i * n + j] = dot(a + i * stride, b + j * stride, dims);
        return;
    }
    for (int32_t j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
        int32_t cols = n - j0 < COLUMN_BLOCK ? n - j0 : COLUMN_BLOCK;
        pack(b + j0 * stride, stride, dims, cols, packed);
        int32_t i = 0;
        for (; i + TR <= m; i += TR)
            for (int32_t j = 0; j < cols; j += TC * VL)
                tile(TR, a + i * stride, stride, dims, packed + j, out + (int64_t) i * n + j0 + j, n,
                     cols - j < TC * VL ? cols - j : TC * VL);
        for (; i < m; i++)
            for (int32_t j = 0; j < cols; j += TC * VL)
                tile(1, a + i * stride, stride, dims, packed + j, out + (int64_t) i * n + j0 + j, n,
                     cols - j < TC * VL ? cols - j : TC * VL);
    }
    free(packed);
}

/*
 * MinHash functions f0..f1-1 of docs documents; document d holds tokens[start or ends[d-1] .. ends[d]); its signature
 * row in out starts at d * hashes. Vectorised over the functions: one lane per function, one broadcast per token.
 */
EXPORT void FN(minhash)(const int32_t *tokens, const int32_t *ends, int32_t docs, int32_t start, int32_t hashes,
                        int32_t f0, int32_t f1, int32_t *out) {
    for (int32_t f = f0; f < f1; f += VL) {
        vu mul, inc;
        for (int l = 0; l < VL; l++) {
            uint32_t fn = (uint32_t) (f + l);
            mul[l] = 0x9E3779B9u * (2u * fn + 1u);
            inc[l] = 0x7F4A7C15u * (fn + 1u);
        }
        int32_t lanes = f1 - f < VL ? f1 - f : VL;
        int32_t from = start;
        for (int32_t d = 0; d < docs; d++) {
            vi least = (vi){0} + INT32_MAX;
            for (int32_t t = from; t < ends[d]; t++) {
                vu h = mul * (uint32_t) tokens[t] + inc;
                h ^= h >> 16;
                h *= 0x85EBCA6Bu;
                h ^= h >> 13;
                h *= 0xC2B2AE35u;
                h ^= h >> 16;
                vi s = (vi) h;
                vi lt = s < least;
                least = (s & lt) | (least & ~lt);
            }
            memcpy(out + (int64_t) d * hashes + f, &least, (size_t) lanes * sizeof(int32_t));
            from = ends[d];
        }
    }
}
