#!/usr/bin/env python3
"""Reference vectors for Cirrus's built-in embedder, made by the real sentence-transformers.

    pip install sentence-transformers
    python3 Tests/KnowledgeTests/Reference/make_reference.py models/all-MiniLM-L6-v2

Writes minilm-reference.json beside this script: for every sentence its token ids (from the
model's own tokenizer, with the model's 256-token truncation) and its embedding.
"""
import json
import pathlib
import sys

from sentence_transformers import SentenceTransformer

LONG = " ".join(f"Paragraph {n} of the onboarding handbook explains how new staff request laptops, badges and accounts." for n in range(1, 60))

SENTENCES = [
    "Hello",
    "ok",
    "What are the main features of our product?",
    "The quick brown fox jumps over the lazy dog.",
    "Refunds are issued within 14 days of receiving the returned item.",
    "Our Q3 revenue grew 23.5% year over year to $4,200,000.",
    "Call +1 (555) 010-9999 or email support@example.com before 5:30 p.m.",
    "Invoice #2024-0042 is due on 2024-07-31; late fees accrue at 1.5% per month.",
    "def fibonacci(n): return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)",
    "SELECT id, title FROM documents WHERE workspace_id = $1 ORDER BY updated_at DESC LIMIT 20;",
    "let vectors = try await embedder.embed([\"hello\", \"world\"]) // Swift",
    "{\"name\": \"Cirrus\", \"version\": \"1.0.0\", \"features\": [\"search\", \"chat\"]}",
    "Les remboursements sont effectués sous quatorze jours après réception du colis.",
    "Die Rückerstattung erfolgt innerhalb von vierzehn Tagen nach Erhalt der Ware.",
    "El equipo de soporte responde a todas las solicitudes en menos de un día hábil.",
    "Café, naïve, résumé, façade, jalapeño, Ångström and Øresund all carry accents.",
    "Возврат средств производится в течение четырнадцати дней.",
    "東京の本社は月曜日から金曜日まで営業しています。",
    "我们的产品支持多种云存储平台。",
    "제품은 여러 클라우드 저장소를 지원합니다.",
    "مرحبا بكم في دليل المستخدم",
    "Emoji are rare in handbooks 🚀✨ but they do appear 👍.",
    "UPPERCASE WORDS SHOULD BE LOWERCASED BY THE TOKENIZER",
    "tabs\tand\nnewlines  and   runs of spaces",
    "Hyphenated-words, under_scores, slashes/and\\backslashes, and (parentheses) [brackets] {braces}.",
    "Antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious",
    "x" * 120,
    "3.14159 2.71828 1.41421 6.02214076e23 0xFF 0b1010 1,000,000",
    "The board approved the 2025 budget; capital expenditure is capped at EUR 1.2m.",
    "Employees accrue 1.67 days of paid leave per month, up to 20 days a year.",
    "Security incidents must be reported to security@company.example within one hour.",
    "The API returns HTTP 429 Too Many Requests with a Retry-After header when throttled.",
    "Kubernetes pods restart automatically when their liveness probe fails three times in a row.",
    "A short one.",
    LONG,
    "word " * 400,
]


def main() -> None:
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "models/all-MiniLM-L6-v2"
    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    tokens = [model.tokenize([s])["input_ids"][0].tolist() for s in SENTENCES]
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "max_seq_length": model.max_seq_length,
        "items": [
            {"text": s, "input_ids": t, "embedding": [round(float(x), 7) for x in v]}
            for s, t, v in zip(SENTENCES, tokens, vectors)
        ],
    }
    path = pathlib.Path(__file__).with_name("minilm-reference.json")
    path.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(SENTENCES)} reference vectors to {path}")


if __name__ == "__main__":
    main()
