/* What the CPU runs, read from CPUID (with the OS's support for the wider registers), and the empty call. */
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

/* 0: portable; 1: AVX2 + FMA; 2: AVX-512 (F, BW, DQ, VL: x86-64-v4) */
EXPORT int32_t ce_cpu_tier(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")
        && __builtin_cpu_supports("popcnt"))
        return 1;
#endif
    return 0;
}

/* Does nothing: the downcall benchmark measures the cost of a call. */
EXPORT void ce_nop(void) {}
