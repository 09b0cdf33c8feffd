#!/usr/bin/env python3
"""Yardsticks for `cirrus-bench knowledge`, run on the same machine in the same run.

    yardsticks.py embed TEXTS.json MODEL_DIR      all-MiniLM-L6-v2 through sentence-transformers (PyTorch, CPU)
    yardsticks.py faiss VECTORS.f32 QUERIES.f32 DIM K   faiss-cpu IndexFlatIP, one query at a time
    yardsticks.py onnx IDS.json MODEL_DIR THREADS    the model in ONNX Runtime, fp32 and dynamic int8,
                                                     batches of 32 (the token ids and vectors are Cirrus's)

Each prints one JSON line with its figures.
"""
import json
import sys
import time


def embed(texts_path: str, model_dir: str) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    texts = json.load(open(texts_path, encoding="utf-8"))
    model = SentenceTransformer(model_dir, device="cpu")
    model.encode(texts[:32], batch_size=32)  # warm-up
    start = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True)
    seconds = time.perf_counter() - start
    print(json.dumps({"chunks": len(texts), "seconds": seconds, "chunks_per_second": len(texts) / seconds,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


def flat(vectors_path: str, queries_path: str, dim: str, k: str) -> None:
    import faiss
    import numpy as np

    d, k = int(dim), int(k)
    vectors = np.fromfile(vectors_path, dtype="<f4").reshape(-1, d)
    queries = np.fromfile(queries_path, dtype="<f4").reshape(-1, d)
    index = faiss.IndexFlatIP(d)
    index.add(vectors)
    for q in queries[:10]:
        index.search(q.reshape(1, d), k)  # warm-up
    times = []
    for q in queries:
        start = time.perf_counter()
        index.search(q.reshape(1, d), k)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(json.dumps({"vectors": len(vectors), "p50_ms": times[len(times) // 2], "p99_ms": times[int(len(times) * 0.99) - 1],
                      "faiss": faiss.__version__, "threads": faiss.omp_get_max_threads()}))


def onnx_runtime(ids_path: str, model_dir: str, threads: str) -> None:
    import os
    import tempfile

    import numpy as np
    import onnxruntime

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import minilm_onnx
    import onnx

    given = json.load(open(ids_path, encoding="utf-8"))
    sequences, ours = given["ids"], np.array(given["vectors"], dtype=np.float32)
    scratch = tempfile.mkdtemp()
    fp32, int8 = f"{scratch}/minilm.onnx", f"{scratch}/minilm-int8.onnx"
    onnx.save(minilm_onnx.build(model_dir), fp32)
    minilm_onnx.quantize(fp32, int8)
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    batches = [order[i:i + 32] for i in range(0, len(order), 32)]

    def padded(batch):
        width = max(len(sequences[i]) for i in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, i in enumerate(batch):
            ids[row, :len(sequences[i])] = sequences[i]
            mask[row, :len(sequences[i])] = 1
        return {"input_ids": ids, "attention_mask": mask}

    inputs = [padded(batch) for batch in batches]
    figures = {"onnxruntime": onnxruntime.__version__, "threads": int(threads), "passages": len(sequences),
               "tokens": sum(len(s) for s in sequences)}
    fp32_vectors = None
    for name, path in (("fp32", fp32), ("int8", int8)):
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        session.run(None, inputs[0])  # warm-up
        vectors = np.zeros_like(ours)
        start = time.perf_counter()
        for batch, feed in zip(batches, inputs):
            vectors[batch] = session.run(None, feed)[0]
        seconds = time.perf_counter() - start
        if fp32_vectors is None:
            fp32_vectors = vectors
        figures[name] = {"seconds": seconds, "passages_per_second": len(sequences) / seconds,
                         "lowest_cosine_to_cirrus": float((vectors * ours).sum(axis=1).min()),
                         "lowest_cosine_to_fp32": float((vectors * fp32_vectors).sum(axis=1).min())}
    print(json.dumps(figures))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"embed": embed, "faiss": flat, "onnx": onnx_runtime}[command](*args)
