#!/usr/bin/env python3
"""Reference for the Swift sentence encoder's tests, independent of it.

Reads JSON {"texts": [...]} on standard input and prints {"ids": [[...]], "vectors": [[...]]}:
token ids from the published Hugging Face tokenizer (tokenizer.json, via the `tokenizers`
package) and all-MiniLM-L6-v2 vectors computed here with numpy in float64 straight from
model.safetensors: BERT, mean pooling over the tokens, L2 normalisation.
usage: reference-embeddings.py MODEL_DIR < texts.json
"""
import json
import math
import struct
import sys

import numpy as np
from tokenizers import Tokenizer


def tensors(path):
    with open(path, "rb") as handle:
        length = struct.unpack("<Q", handle.read(8))[0]
        header = json.loads(handle.read(length))
        data = handle.read()
    result = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] != "F32":
            continue
        start, end = entry["data_offsets"]
        result[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(entry["shape"]).astype(np.float64)
    return result


def layer_norm(x, w, b):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w + b


def embed(t, ids):
    n = len(ids)
    x = t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:n]
    x = layer_norm(x + t["embeddings.token_type_embeddings.weight"][0],
                   t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
    erf = np.vectorize(math.erf)
    for i in range(6):
        p = f"encoder.layer.{i}."
        dense = lambda name, v: v @ t[p + name + ".weight"].T + t[p + name + ".bias"]
        q, k, v = (dense("attention.self." + s, x).reshape(n, 12, 32).transpose(1, 0, 2)
                   for s in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(32)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(1, 0, 2).reshape(n, 384)
        x = layer_norm(dense("attention.output.dense", context) + x,
                       t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"])
        h = dense("intermediate.dense", x)
        h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = layer_norm(dense("output.dense", h) + x,
                       t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"])
    mean = x.mean(0)
    return mean / np.linalg.norm(mean)


def main():
    directory = sys.argv[1]
    texts = json.load(sys.stdin)["texts"]
    tokenizer = Tokenizer.from_file(directory + "/tokenizer.json")
    tokenizer.no_truncation()
    tokenizer.no_padding()
    ids = [tokenizer.encode(text).ids for text in texts]
    weights = tensors(directory + "/model.safetensors")
    vectors = [embed(weights, sequence[:128]).tolist() for sequence in ids]
    json.dump({"ids": ids, "vectors": vectors}, sys.stdout)


main()
