#!/usr/bin/env python3
"""Yardsticks for `cirrus-bench knowledge`, run on the same machine in the same run.

    yardsticks.py embed TEXTS.json MODEL_DIR      all-MiniLM-L6-v2 through sentence-transformers (PyTorch, CPU)
    yardsticks.py faiss VECTORS.f32 QUERIES.f32 DIM K   faiss-cpu IndexFlatIP, one query at a time

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


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"embed": embed, "faiss": flat}[command](*args)
