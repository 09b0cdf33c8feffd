#ifndef CIRRUS_DENSE_H
#define CIRRUS_DENSE_H

#include <stdint.h>

/// A fully connected layer, y = x·Wᵀ + b, on oneDNN's matrix multiplication with the number of
/// rows given at each call. oneDNN picks its kernels from the instructions the CPU has (AVX-512
/// with VNNI or BF16, AVX2, SSE4.1) whatever the CPU's model is called.
typedef struct cirrus_dense cirrus_dense;

/// Reads `weight` ([outputs × inputs], row-major, as PyTorch stores it) and `bias` into the
/// layout oneDNN wants; `bf16` multiplies in bfloat16 (accumulating in fp32). NULL when oneDNN
/// cannot make the product; `message` then says why (static text).
cirrus_dense *cirrus_dense_create(const float *weight, const float *bias, int64_t inputs, int64_t outputs, int bf16, const char **message);

/// y[rows × outputs] = x[rows × inputs] · Wᵀ + b on the calling thread alone. Safe to call from
/// several threads at once on one layer. Returns 0, or oneDNN's status.
int cirrus_dense_apply(const cirrus_dense *dense, const float *x, int64_t rows, float *y);

void cirrus_dense_destroy(cirrus_dense *dense);

/// The instruction set oneDNN runs its kernels with, e.g. "avx512_core_bf16" or "avx2".
const char *cirrus_dense_isa(void);

#endif
