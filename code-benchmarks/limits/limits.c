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
    /* 12 independent chains: enough to cover the FMA latency on both FMA pipes */
    vf a[12];
    for (int i = 0; i < 12; i++) a[i] = (vf){0} + 1.0f + i * 1e-3f;
    vf m = (vf){0} + 0.9999999f, c = (vf){0} + 1e-7f;
    long iters = 200000000;
    double t0 = now();
    for (long n = 0; n < iters; n++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) a[i] = a[i] * m + c;
        __asm__ volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]), "+x"(a[4]), "+x"(a[5]));
        __asm__ volatile("" : "+x"(a[6]), "+x"(a[7]), "+x"(a[8]), "+x"(a[9]), "+x"(a[10]), "+x"(a[11]));
    }
    double t = now() - t0;
    float sink = 0;
    for (int i = 0; i < 12; i++) sink += a[i][0];
    if (sink == 42) puts("");
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
