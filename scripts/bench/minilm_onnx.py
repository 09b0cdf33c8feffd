#!/usr/bin/env python3
"""all-MiniLM-L6-v2 as an ONNX graph, for the ONNX Runtime yardstick of `cirrus-bench knowledge`.

The graph is built from the same model.safetensors Cirrus reads (BERT: embeddings, six layers of
12-head attention and a GELU feed-forward, mean pooling over the attention mask, unit length),
with the operators torch.onnx would emit, so ONNX Runtime's graph optimiser fuses what it
recognises. Built here rather than exported from PyTorch to keep the benchmark's set-up small.
Used by `yardsticks.py onnx`: build() makes the fp32 graph, quantize() its int8 copy.
"""
import json
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN, HEADS, LAYERS = 384, 12, 6


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(meta["shape"])
    return tensors


def build(model_dir):
    weights = read_safetensors(f"{model_dir}/model.safetensors")
    initializers, nodes = [], []

    def const(name, array):
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op, inputs, name, **attributes):
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attributes))
        return name

    def linear(x, prefix, out):
        w = const(f"{prefix}.wT", weights[f"{prefix}.weight"].T)
        b = const(f"{prefix}.b", weights[f"{prefix}.bias"])
        return node("Add", [node("MatMul", [x, w], f"{out}.mm"), b], out)

    def layer_norm(x, prefix, out):
        return node("LayerNormalization", [x, const(f"{prefix}.g", weights[f"{prefix}.weight"]), const(f"{prefix}.beta", weights[f"{prefix}.bias"])],
                    out, axis=-1, epsilon=1e-12)

    # Embeddings: words + positions 0..S-1 + token type 0.
    words = node("Gather", [const("word_embeddings", weights["embeddings.word_embeddings.weight"]), "input_ids"], "words")
    length = node("Shape", ["input_ids"], "length", start=1, end=2)
    position_vectors = node("Slice", [const("position_embeddings", weights["embeddings.position_embeddings.weight"]),
                                      const("zero_1d", np.array([0], dtype=np.int64)), length, "zero_1d"], "position_vectors")
    summed = node("Add", [node("Add", [words, position_vectors], "words_positions"),
                          const("token_type", weights["embeddings.token_type_embeddings.weight"][0])], "embedded")
    x = layer_norm(summed, "embeddings.LayerNorm", "x0")

    # Padding gets -10000 before the softmax, as BERT's extended attention mask does.
    mask = node("Cast", ["attention_mask"], "mask", to=TensorProto.FLOAT)
    bias = node("Mul", [node("Sub", [const("one_f", np.array(1, dtype=np.float32)), mask], "inverted"),
                        const("minus_10000", np.array(-10000, dtype=np.float32))], "mask_bias2d")
    bias = node("Unsqueeze", [bias, const("axes_1_2", np.array([1, 2], dtype=np.int64))], "mask_bias")
    head_shape = const("head_shape", np.array([0, 0, HEADS, HIDDEN // HEADS], dtype=np.int64))
    merged_shape = const("merged_shape", np.array([0, 0, HIDDEN], dtype=np.int64))
    root_half = const("root_half", np.array(1 / np.sqrt(2), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))

    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        q = node("Reshape", [linear(x, f"{p}.attention.self.query", f"l{i}.q2"), head_shape], f"l{i}.q3")
        k = node("Reshape", [linear(x, f"{p}.attention.self.key", f"l{i}.k2"), head_shape], f"l{i}.k3")
        v = node("Reshape", [linear(x, f"{p}.attention.self.value", f"l{i}.v2"), head_shape], f"l{i}.v3")
        q = node("Transpose", [q], f"l{i}.q", perm=[0, 2, 1, 3])
        k = node("Transpose", [k], f"l{i}.k", perm=[0, 2, 3, 1])
        v = node("Transpose", [v], f"l{i}.v", perm=[0, 2, 1, 3])
        scores = node("Add", [node("Div", [node("MatMul", [q, k], f"l{i}.qk"), const(f"l{i}.sqrt_d", np.array(np.sqrt(HIDDEN // HEADS), dtype=np.float32))], f"l{i}.scaled"), bias], f"l{i}.scores")
        probabilities = node("Softmax", [scores], f"l{i}.probs", axis=-1)
        context = node("Transpose", [node("MatMul", [probabilities, v], f"l{i}.ctx4")], f"l{i}.ctx_t", perm=[0, 2, 1, 3])
        context = node("Reshape", [context, merged_shape], f"l{i}.ctx")
        attended = linear(context, f"{p}.attention.output.dense", f"l{i}.attn")
        x = layer_norm(node("Add", [attended, x], f"l{i}.res1"), f"{p}.attention.output.LayerNorm", f"l{i}.x1")
        inner = linear(x, f"{p}.intermediate.dense", f"l{i}.inner")
        erf = node("Erf", [node("Mul", [inner, root_half], f"l{i}.scaled_inner")], f"l{i}.erf")
        gelu = node("Mul", [node("Mul", [inner, half], f"l{i}.half_inner"), node("Add", [erf, "one_f"], f"l{i}.erf1")], f"l{i}.gelu")
        out = linear(gelu, f"{p}.output.dense", f"l{i}.out")
        x = layer_norm(node("Add", [out, x], f"l{i}.res2"), f"{p}.output.LayerNorm", f"l{i}.x2")

    # Mean over real tokens, then unit length.
    mask3 = node("Unsqueeze", [mask, const("axis_2", np.array([2], dtype=np.int64))], "mask3")
    summed = node("ReduceSum", [node("Mul", [x, mask3], "masked"), "one_i64_axes"], "pooled_sum", keepdims=0)
    const("one_i64_axes", np.array([1], dtype=np.int64))
    counts = node("Max", [node("ReduceSum", [mask3, "one_i64_axes"], "counts_raw", keepdims=0), const("tiny", np.array(1e-9, dtype=np.float32))], "counts")
    mean = node("Div", [summed, counts], "mean")
    norm = node("Max", [node("ReduceL2", [mean], "norm_raw", axes=[1], keepdims=1), const("tiny_norm", np.array(1e-12, dtype=np.float32))], "norm")
    node("Div", [mean, norm], "sentence_embedding")

    graph = helper.make_graph(
        nodes, "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def quantize(source, target):
    """Dynamic int8: weights per output channel (what optimum's avx512_vnni config does); the
    attention's activation-by-activation products stay fp32."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    quantize_dynamic(source, target, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"], per_channel=True,
                     extra_options={"MatMulConstBOnly": True})

