#include "dense.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// oneDNN runs on GNU OpenMP here. Our callers split the rows over the cores themselves, so each
// call keeps to its own thread (a team per call would put four threads on two cores and spin).
extern void omp_set_num_threads(int count);

struct cirrus_dense {
    dnnl_primitive_t primitive;
    dnnl_memory_t weights;
    dnnl_memory_t bias;
    size_t scratchpad_bytes;
    int64_t inputs;
    int64_t outputs;
    int bf16;
};

static dnnl_engine_t shared_engine;
static dnnl_status_t engine_status = dnnl_runtime_error;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void make_engine(void) { engine_status = dnnl_engine_create(&shared_engine, dnnl_cpu, 0); }

static dnnl_engine_t engine(void) {
    pthread_once(&engine_once, make_engine);
    return engine_status == dnnl_success ? shared_engine : NULL;
}

// One stream per thread, kept for the thread's life (libdispatch's workers are few and long-lived).
static __thread dnnl_stream_t thread_stream;

static dnnl_stream_t stream(void) {
    if (!thread_stream && dnnl_stream_create(&thread_stream, engine(), dnnl_stream_default_flags) != dnnl_success) thread_stream = NULL;
    return thread_stream;
}

static dnnl_status_t reorder(const dnnl_memory_desc_t *from_md, void *from, dnnl_memory_t to) {
    const dnnl_memory_desc_t *to_md;
    dnnl_status_t status = dnnl_memory_get_memory_desc(to, &to_md);
    if (status != dnnl_success) return status;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t primitive = NULL;
    dnnl_memory_t source = NULL;
    if ((status = dnnl_reorder_primitive_desc_create(&pd, from_md, engine(), to_md, engine(), NULL)) == dnnl_success
        && (status = dnnl_primitive_create(&primitive, pd)) == dnnl_success
        && (status = dnnl_memory_create(&source, from_md, engine(), from)) == dnnl_success) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, to}};
        omp_set_num_threads(1);
        if ((status = dnnl_primitive_execute(primitive, stream(), 2, args)) == dnnl_success) status = dnnl_stream_wait(stream());
    }
    if (source) dnnl_memory_destroy(source);
    if (primitive) dnnl_primitive_destroy(primitive);
    if (pd) dnnl_primitive_desc_destroy(pd);
    return status;
}

cirrus_dense *cirrus_dense_create(const float *weight, const float *bias, int64_t inputs, int64_t outputs, int bf16, const char **message) {
    *message = NULL;
    if (!engine()) {
        *message = "oneDNN has no CPU engine";
        return NULL;
    }
    dnnl_data_type_t type = bf16 ? dnnl_bf16 : dnnl_f32;
    // Rows are given at each call (DNNL_RUNTIME_DIM_VAL): one primitive serves every batch size.
    dnnl_dims_t source_dims = {DNNL_RUNTIME_DIM_VAL, inputs}, weight_dims = {inputs, outputs};
    dnnl_dims_t bias_dims = {1, outputs}, destination_dims = {DNNL_RUNTIME_DIM_VAL, outputs};
    dnnl_memory_desc_t source_md, weights_md, bias_md, destination_md, user_weights_md;
    dnnl_matmul_desc_t matmul;
    dnnl_primitive_attr_t attributes = NULL;
    dnnl_primitive_desc_t pd = NULL;
    cirrus_dense *dense = calloc(1, sizeof *dense);
    if (!dense) {
        *message = "out of memory";
        return NULL;
    }
    dense->inputs = inputs;
    dense->outputs = outputs;
    dense->bf16 = bf16;
    // The weights as given, [outputs × inputs], are the [inputs × outputs] matrix in column order ("ba").
    if (dnnl_memory_desc_init_by_tag(&source_md, 2, source_dims, type, dnnl_ab) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&weights_md, 2, weight_dims, type, dnnl_format_tag_any) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&user_weights_md, 2, weight_dims, dnnl_f32, dnnl_ba) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&bias_md, 2, bias_dims, dnnl_f32, dnnl_ab) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&destination_md, 2, destination_dims, dnnl_f32, dnnl_ab) != dnnl_success
        || dnnl_matmul_desc_init(&matmul, &source_md, &weights_md, &bias_md, &destination_md) != dnnl_success) {
        *message = "oneDNN refused the layer's shapes";
        goto fail;
    }
    // Scratch memory is ours, one buffer per call, so several threads can run the same layer.
    if (dnnl_primitive_attr_create(&attributes) != dnnl_success
        || dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user) != dnnl_success
        || dnnl_primitive_desc_create(&pd, &matmul, attributes, engine(), NULL) != dnnl_success) {
        *message = bf16 ? "oneDNN has no bfloat16 matrix product on this CPU" : "oneDNN has no matrix product for this layer";
        goto fail;
    }
    dense->scratchpad_bytes = dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0));
    if (dnnl_primitive_create(&dense->primitive, pd) != dnnl_success
        || dnnl_memory_create(&dense->weights, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), engine(), DNNL_MEMORY_ALLOCATE) != dnnl_success
        || reorder(&user_weights_md, (void *)weight, dense->weights) != dnnl_success
        || dnnl_memory_create(&dense->bias, &bias_md, engine(), DNNL_MEMORY_ALLOCATE) != dnnl_success) {
        *message = "oneDNN could not lay out the layer's weights";
        goto fail;
    }
    void *bias_handle;
    if (dnnl_memory_get_data_handle(dense->bias, &bias_handle) != dnnl_success) {
        *message = "oneDNN could not lay out the layer's weights";
        goto fail;
    }
    memcpy(bias_handle, bias, (size_t)outputs * sizeof(float));
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attributes);
    return dense;

fail:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attributes) dnnl_primitive_attr_destroy(attributes);
    cirrus_dense_destroy(dense);
    return NULL;
}

// Round to nearest even, as oneDNN's own conversion does; NaN stays NaN.
static uint16_t to_bf16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffff) > 0x7f800000) return (uint16_t)((bits >> 16) | 0x40);
    bits += 0x7fff + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

int cirrus_dense_apply(const cirrus_dense *dense, const float *x, int64_t rows, float *y) {
    if (rows <= 0) return 0;
    omp_set_num_threads(1);
    dnnl_stream_t s = stream();
    if (!s) return dnnl_runtime_error;
    dnnl_data_type_t type = dense->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_dims_t source_dims = {rows, dense->inputs}, destination_dims = {rows, dense->outputs};
    dnnl_memory_desc_t source_md, destination_md, scratch_md;
    dnnl_memory_t source = NULL, destination = NULL, scratch = NULL;
    void *converted = NULL, *scratch_bytes = NULL;
    const void *input = x;
    dnnl_status_t status = dnnl_out_of_memory;
    if (dense->bf16) {
        size_t count = (size_t)rows * (size_t)dense->inputs;
        uint16_t *halves = malloc(count * sizeof(uint16_t));
        if (!halves) return dnnl_out_of_memory;
        for (size_t i = 0; i < count; i++) halves[i] = to_bf16(x[i]);
        input = converted = halves;
    }
    dnnl_dims_t scratch_dims = {(int64_t)dense->scratchpad_bytes};
    if (dense->scratchpad_bytes > 0
        && (!(scratch_bytes = malloc(dense->scratchpad_bytes))
            || dnnl_memory_desc_init_by_tag(&scratch_md, 1, scratch_dims, dnnl_u8, dnnl_a) != dnnl_success
            || dnnl_memory_create(&scratch, &scratch_md, engine(), scratch_bytes) != dnnl_success))
        goto done;
    if ((status = dnnl_memory_desc_init_by_tag(&source_md, 2, source_dims, type, dnnl_ab)) != dnnl_success
        || (status = dnnl_memory_desc_init_by_tag(&destination_md, 2, destination_dims, dnnl_f32, dnnl_ab)) != dnnl_success
        || (status = dnnl_memory_create(&source, &source_md, engine(), (void *)input)) != dnnl_success
        || (status = dnnl_memory_create(&destination, &destination_md, engine(), y)) != dnnl_success)
        goto done;
    dnnl_exec_arg_t args[5] = {
        {DNNL_ARG_SRC, source}, {DNNL_ARG_WEIGHTS, dense->weights}, {DNNL_ARG_BIAS, dense->bias}, {DNNL_ARG_DST, destination},
        {DNNL_ARG_SCRATCHPAD, scratch}};
    if ((status = dnnl_primitive_execute(dense->primitive, s, scratch ? 5 : 4, args)) == dnnl_success) status = dnnl_stream_wait(s);

done:
    if (source) dnnl_memory_destroy(source);
    if (destination) dnnl_memory_destroy(destination);
    if (scratch) dnnl_memory_destroy(scratch);
    free(scratch_bytes);
    free(converted);
    return status;
}

void cirrus_dense_destroy(cirrus_dense *dense) {
    if (!dense) return;
    if (dense->primitive) dnnl_primitive_destroy(dense->primitive);
    if (dense->weights) dnnl_memory_destroy(dense->weights);
    if (dense->bias) dnnl_memory_destroy(dense->bias);
    free(dense);
}

const char *cirrus_dense_isa(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
    }
}
