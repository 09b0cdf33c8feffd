#include "elementwise.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#define VARIANTS __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VARIANTS
#endif

// e^x to about 2e-7 relative error without a library call, so loops of it vectorise:
// 2^(x·log2 e) split into an integer power (built in the exponent bits) and a fraction
// (the Taylor series of 2^f to the 7th term on [-0.5, 0.5]).
static inline float fast_exp(float x) {
    float clamped = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    float t = clamped * 1.442695040888963f;
    // Adding 1.5·2²³ rounds t to the nearest integer in the low mantissa bits.
    float shifted = t + 12582912.0f;
    int32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    int32_t whole = bits - 0x4B400000;
    float f = t - (shifted - 12582912.0f);
    float p = 1.5252734e-5f;
    p = p * f + 1.5403530e-4f;
    p = p * f + 1.3333558e-3f;
    p = p * f + 9.6181291e-3f;
    p = p * f + 5.5504109e-2f;
    p = p * f + 2.4022651e-1f;
    p = p * f + 6.9314718e-1f;
    p = p * f + 1.0f;
    uint32_t power = (uint32_t)(whole + 127) << 23;
    float scale;
    memcpy(&scale, &power, sizeof scale);
    return p * scale;
}

// erf(x) to about 1.5e-7 absolute error (Abramowitz & Stegun 7.1.26).
static inline float fast_erf(float x) {
    float a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float y = 1.0f - p * t * fast_exp(-a * a);
    return x < 0 ? -y : y;
}

VARIANTS void cirrus_softmax_rows(float *x, int64_t n) {
    // Sums in any order: the rounding differs from a sequential sum by far less than the model's.
#pragma clang fp reassociate(on)
    for (int64_t r = 0; r < n; r++) {
        float *row = x + r * n;
        float maximum = -INFINITY;
        for (int64_t c = 0; c < n; c++) maximum = fmaxf(maximum, row[c]);
        float sum = 0;
        for (int64_t c = 0; c < n; c++) {
            row[c] = fast_exp(row[c] - maximum);
            sum += row[c];
        }
        float inverse = 1.0f / sum;
        for (int64_t c = 0; c < n; c++) row[c] *= inverse;
    }
}

VARIANTS void cirrus_gelu(float *x, int64_t count) {
    for (int64_t i = 0; i < count; i++) x[i] = 0.5f * x[i] * (1.0f + fast_erf(x[i] * 0.7071067811865476f));
}

VARIANTS void cirrus_add_layer_norm(float *states, const float *delta, int64_t rows, int64_t width, const float *gamma, const float *beta, float epsilon) {
#pragma clang fp reassociate(on)
    for (int64_t r = 0; r < rows; r++) {
        float *row = states + r * width;
        if (delta)
            for (int64_t c = 0; c < width; c++) row[c] += delta[r * width + c];
        float mean = 0;
        for (int64_t c = 0; c < width; c++) mean += row[c];
        mean /= (float)width;
        float variance = 0;
        for (int64_t c = 0; c < width; c++) variance += (row[c] - mean) * (row[c] - mean);
        variance /= (float)width;
        float inverse = 1.0f / sqrtf(variance + epsilon);
        for (int64_t c = 0; c < width; c++) row[c] = (row[c] - mean) * inverse * gamma[c] + beta[c];
    }
}

const char *cirrus_elementwise_variant(void) {
#if defined(__x86_64__)
    // The same test the resolvers of the functions above make.
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4";
    if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3";
    return "x86-64";
#else
    return "portable";
#endif
}
