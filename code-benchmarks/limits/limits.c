/*
 * The machine limits the kernel suites are measured against, on one core: the f32 FMA peak, a dot product of
 * D=1024 from L1 (aligned, and misaligned by 16 bytes), and the read bandwidth from DRAM. Built for the CPU it runs
 * on (-march=native): 16 floats per vector with AVX-512, else 8.
 */
#define _POSIX_C_SOURCE 200112L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __AVX512F__
#define VL 16
#else
#define VL 8
#endif
typedef float vf __attribute__((vector_size(VL * 4)));

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static vf ld(const float *p) {
    vf v;
    memcpy(&v, p, sizeof v);
    return v;
}

static double fma_peak(void) {
    /* 12 independent chains, each in its own register (named variables, not an array, so that none lives in
     * memory): enough to cover the FMA latency on both FMA pipes. The empty asm keeps the compiler from folding
     * the chains; its "v" constraint admits every vector register of the target (xmm/ymm/zmm 0-31). */
    vf m = (vf){0} + 0.9999999f, c = (vf){0} + 1e-7f;
    vf a0 = m + 0.001f, a1 = m + 0.002f, a2 = m + 0.003f, a3 = m + 0.004f, a4 = m + 0.005f, a5 = m + 0.006f;
    vf a6 = m + 0.007f, a7 = m + 0.008f, a8 = m + 0.009f, a9 = m + 0.010f, a10 = m + 0.011f, a11 = m + 0.012f;
    long iters = 200000000;
    double t0 = now();
    for (long n = 0; n < iters; n++) {
        a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c; a4 = a4 * m + c; a5 = a5 * m + c;
        a6 = a6 * m + c; a7 = a7 * m + c; a8 = a8 * m + c; a9 = a9 * m + c; a10 = a10 * m + c; a11 = a11 * m + c;
        __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5));
        __asm__ volatile("" : "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11));
    }
    double t = now() - t0;
    vf s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
    if (s[0] == 42) puts("");
    return iters * 12.0 * VL * 2 / t / 1e9;
}

__attribute__((noinline)) static float dot(const float *a, const float *b, int n) {
    vf s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    for (int i = 0; i < n; i += 4 * VL) {
        s0 += ld(a + i) * ld(b + i);
        s1 += ld(a + i + VL) * ld(b + i + VL);
        s2 += ld(a + i + 2 * VL) * ld(b + i + 2 * VL);
        s3 += ld(a + i + 3 * VL) * ld(b + i + 3 * VL);
    }
    vf s = (s0 + s1) + (s2 + s3);
    float r = 0;
    for (int i = 0; i < VL; i++) r += s[i];
    return r;
}

static double dot_ns(int offset_bytes) {
    static float buf[2][1024 + 64] __attribute__((aligned(64)));
    for (int i = 0; i < 1024 + 64; i++) buf[0][i] = buf[1][i] = 1.0f / (i + 1);
    const float *a = (const float *) ((char *) buf[0] + offset_bytes);
    const float *b = (const float *) ((char *) buf[1] + offset_bytes);
    long reps = 20000000;
    float sink = 0;
    double t0 = now();
    for (long r = 0; r < reps; r++) {
        sink += dot(a, b, 1024);
        __asm__ volatile("" : "+m"(buf[0][0]));
    }
    double t = now() - t0;
    if (sink == 42) puts("");
    return t / reps * 1e9;
}

static double dram_gbs(void) {
    size_t bytes = (size_t) 1 << 30;
    float *p = aligned_alloc(64, bytes);
    size_t n = bytes / 4;
    for (size_t i = 0; i < n; i++) p[i] = (float) (i & 1023);
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        vf s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
        double t0 = now();
        for (size_t i = 0; i < n; i += 4 * VL) {
            s0 += ld(p + i);
            s1 += ld(p + i + VL);
            s2 += ld(p + i + 2 * VL);
            s3 += ld(p + i + 3 * VL);
        }
        double t = now() - t0;
        vf s = s0 + s1 + s2 + s3;
        if (s[0] == 42) puts("");
        double gbs = bytes / t / 1e9;
        if (gbs > best) best = gbs;
    }
    free(p);
    return best;
}

int main(void) {
    printf("vector width: %d floats\n", VL);
    printf("f32 FMA peak, one core: %.1f GFLOP/s\n", fma_peak());
    printf("dot D=1024 from L1, aligned: %.1f ns\n", dot_ns(0));
    printf("dot D=1024 from L1, misaligned by 16 bytes: %.1f ns\n", dot_ns(16));
    printf("DRAM read, one core: %.1f GB/s\n", dram_gbs());
    return 0;
}
