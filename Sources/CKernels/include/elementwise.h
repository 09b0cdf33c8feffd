#ifndef CIRRUS_ELEMENTWISE_H
#define CIRRUS_ELEMENTWISE_H

#include <stdint.h>

// The encoder's element-wise steps. Each is built three times — for AVX-512 (x86-64-v4), AVX2
// with FMA (x86-64-v3) and plain x86-64 — and the first call picks the one this CPU runs, by its
// features; Swift alone would build them for plain x86-64's four lanes only.

/// Softmax of each row of an n × n matrix, in place.
void cirrus_softmax_rows(float *x, int64_t n);

/// GELU, the exact (erf) form BERT uses, in place.
void cirrus_gelu(float *x, int64_t count);

/// rows × width: states = LayerNorm(states + delta) with `gamma` and `beta` (delta may be NULL).
void cirrus_add_layer_norm(float *states, const float *delta, int64_t rows, int64_t width, const float *gamma, const float *beta, float epsilon);

/// The variant the first call picked: "x86-64-v4", "x86-64-v3" or "x86-64".
const char *cirrus_elementwise_variant(void);

#endif
