#!/usr/bin/env python3
"""Converts a CTranslate2 Whisper model (faster-whisper's model.bin, config.json, vocabulary.txt)
into the ggml file whisper.cpp loads.

Usage: ct2-to-ggml.py MODEL_DIR OUTPUT.bin

MODEL_DIR holds model.bin (or model.bin.part1, .part2, ... which are joined), config.json and
vocabulary.txt. Weights of two or more dimensions are written as float16, the rest as float32,
as whisper.cpp expects. The mel filterbank is rebuilt here: Whisper's is librosa's Slaney-style
filterbank for 16 kHz audio, a 400-sample FFT and 80 bands (or n_mels from config.json).
"""
import json
import math
import os
import re
import struct
import sys

import numpy as np

CT2_TYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ct2(path):
    """The named variables of a CTranslate2 model.bin (format version 6), aliases resolved."""
    data = memoryview(open(path, "rb").read())
    offset = 0

    def take(fmt):
        nonlocal offset
        values = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return values[0] if len(values) == 1 else values

    def text():
        nonlocal offset
        length = take("<H")
        value = bytes(data[offset:offset + length]).rstrip(b"\0").decode()
        offset += length
        return value

    version = take("<I")
    if version != 6:
        sys.exit(f"unsupported CTranslate2 model version {version}")
    spec = text()
    if spec != "WhisperSpec":
        sys.exit(f"not a Whisper model: {spec}")
    take("<I")  # spec revision
    variables = {}
    for _ in range(take("<I")):
        name = text()
        rank = data[offset]
        offset += 1
        shape = [take("<I") for _ in range(rank)]
        kind = data[offset]
        offset += 1
        size = take("<I")
        if kind not in CT2_TYPES:
            sys.exit(f"unsupported data type {kind} for {name}")
        array = np.frombuffer(data[offset:offset + size], dtype=CT2_TYPES[kind])
        variables[name] = array.reshape(shape) if shape else array
        offset += size
    for _ in range(take("<I")):
        alias, target = text(), text()
        variables[alias] = variables[target]
    return variables


def slaney_mel_filters(n_mels, n_fft=400, sample_rate=16000):
    """librosa.filters.mel(sr, n_fft, n_mels) with htk=False and norm='slaney'."""
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0

    def hz_to_mel(hz):
        return hz / f_sp if hz < min_log_hz else min_log_mel + math.log(hz / min_log_hz) / logstep

    def mel_to_hz(mel):
        return f_sp * mel if mel < min_log_mel else min_log_hz * math.exp(logstep * (mel - min_log_mel))

    fft_freqs = np.linspace(0, sample_rate / 2, 1 + n_fft // 2)
    top = hz_to_mel(sample_rate / 2)
    mel_freqs = np.array([mel_to_hz(top * i / (n_mels + 1)) for i in range(n_mels + 2)])
    differences = np.diff(mel_freqs)
    ramps = mel_freqs[:, None] - fft_freqs[None, :]
    weights = np.zeros((n_mels, len(fft_freqs)))
    for i in range(n_mels):
        lower = -ramps[i] / differences[i]
        upper = ramps[i + 2] / differences[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_freqs[2:n_mels + 2] - mel_freqs[:n_mels]))[:, None]
    return weights.astype(np.float32)


def byte_decoder():
    """GPT-2's map from the printable characters of its vocabulary back to bytes."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1))
    characters = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            characters.append(256 + extra)
            extra += 1
    return {chr(character): byte for byte, character in zip(printable, characters)}


def whisper_tensors(variables, encoder_layers, decoder_layers, state):
    """(whisper.cpp name, array) for every tensor, fused projections split."""
    def pair(prefix, source):
        yield f"{prefix}.weight", variables[f"{source}/gamma"]
        yield f"{prefix}.bias", variables[f"{source}/beta"]

    def linear(prefix, source, bias=True):
        yield f"{prefix}.weight", variables[f"{source}/weight"]
        if bias:
            yield f"{prefix}.bias", variables[f"{source}/bias"]

    def fused(prefixes, source):
        """A fused projection split into equal parts; keys have no bias in Whisper."""
        weight, bias = variables[f"{source}/weight"], variables[f"{source}/bias"]
        for index, prefix in enumerate(prefixes):
            rows = slice(index * state, (index + 1) * state)
            yield f"{prefix}.weight", weight[rows]
            if not prefix.endswith(".key"):
                yield f"{prefix}.bias", bias[rows]

    yield "encoder.positional_embedding", variables["encoder/position_encodings/encodings"]
    yield "encoder.conv1.weight", variables["encoder/conv1/weight"]
    yield "encoder.conv1.bias", variables["encoder/conv1/bias"].reshape(-1, 1)
    yield "encoder.conv2.weight", variables["encoder/conv2/weight"]
    yield "encoder.conv2.bias", variables["encoder/conv2/bias"].reshape(-1, 1)
    for layer in range(encoder_layers):
        source, target = f"encoder/layer_{layer}", f"encoder.blocks.{layer}"
        yield from pair(f"{target}.attn_ln", f"{source}/self_attention/layer_norm")
        yield from fused([f"{target}.attn.query", f"{target}.attn.key", f"{target}.attn.value"],
                         f"{source}/self_attention/linear_0")
        yield from linear(f"{target}.attn.out", f"{source}/self_attention/linear_1")
        yield from pair(f"{target}.mlp_ln", f"{source}/ffn/layer_norm")
        yield from linear(f"{target}.mlp.0", f"{source}/ffn/linear_0")
        yield from linear(f"{target}.mlp.2", f"{source}/ffn/linear_1")
    yield from pair("encoder.ln_post", "encoder/layer_norm")
    yield "decoder.positional_embedding", variables["decoder/position_encodings/encodings"]
    yield "decoder.token_embedding.weight", variables["decoder/embeddings/weight"]
    for layer in range(decoder_layers):
        source, target = f"decoder/layer_{layer}", f"decoder.blocks.{layer}"
        yield from pair(f"{target}.attn_ln", f"{source}/self_attention/layer_norm")
        yield from fused([f"{target}.attn.query", f"{target}.attn.key", f"{target}.attn.value"],
                         f"{source}/self_attention/linear_0")
        yield from linear(f"{target}.attn.out", f"{source}/self_attention/linear_1")
        yield from pair(f"{target}.cross_attn_ln", f"{source}/attention/layer_norm")
        yield from linear(f"{target}.cross_attn.query", f"{source}/attention/linear_0")
        yield from fused([f"{target}.cross_attn.key", f"{target}.cross_attn.value"], f"{source}/attention/linear_1")
        yield from linear(f"{target}.cross_attn.out", f"{source}/attention/linear_2")
        yield from pair(f"{target}.mlp_ln", f"{source}/ffn/layer_norm")
        yield from linear(f"{target}.mlp.0", f"{source}/ffn/linear_0")
        yield from linear(f"{target}.mlp.2", f"{source}/ffn/linear_1")
    yield from pair("decoder.ln", "decoder/layer_norm")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, output = sys.argv[1], sys.argv[2]
    model = os.path.join(source, "model.bin")
    if not os.path.exists(model):
        parts = sorted(name for name in os.listdir(source) if name.startswith("model.bin.part"))
        if not parts:
            sys.exit(f"no model.bin in {source}")
        model = output + ".joined"
        with open(model, "wb") as joined:
            for part in parts:
                with open(os.path.join(source, part), "rb") as piece:
                    joined.write(piece.read())
    variables = read_ct2(model)
    if model.endswith(".joined"):
        os.remove(model)
    config = json.load(open(os.path.join(source, "config.json")))
    vocabulary = open(os.path.join(source, "vocabulary.txt"), encoding="utf-8").read().split("\n")
    if vocabulary and vocabulary[-1] == "":
        vocabulary.pop()

    n_vocab, state = variables["decoder/embeddings/weight"].shape
    encoder_layers = len({name.split("/")[1] for name in variables if re.match(r"encoder/layer_\d+/", name)})
    decoder_layers = len({name.split("/")[1] for name in variables if re.match(r"decoder/layer_\d+/", name)})
    audio_ctx = variables["encoder/position_encodings/encodings"].shape[0]
    text_ctx = variables["decoder/position_encodings/encodings"].shape[0]
    n_mels = variables["encoder/conv1/weight"].shape[1]
    encoder_heads = int(variables["encoder/num_heads"][0])
    decoder_heads = int(variables["decoder/num_heads"][0])
    if len(vocabulary) != n_vocab:
        sys.exit(f"vocabulary.txt has {len(vocabulary)} tokens, the model {n_vocab}")
    # whisper.cpp names the special tokens itself; it reads the text tokens before <|endoftext|>.
    text_tokens = vocabulary[:vocabulary.index("<|endoftext|>")]
    decode = byte_decoder()

    temporary = output + ".partial"
    with open(temporary, "wb") as out:
        out.write(struct.pack("<I", 0x67676D6C))
        out.write(struct.pack("<11i", n_vocab, audio_ctx, state, encoder_heads, encoder_layers, text_ctx, state,
                              decoder_heads, decoder_layers, n_mels, 1))
        filters = slaney_mel_filters(config.get("num_mel_bins", n_mels))
        out.write(struct.pack("<ii", *filters.shape))
        out.write(filters.tobytes())
        out.write(struct.pack("<i", len(text_tokens)))
        for token in text_tokens:
            encoded = bytes(decode[character] for character in token)
            out.write(struct.pack("<I", len(encoded)))
            out.write(encoded)
        count = 0
        for name, array in whisper_tensors(variables, encoder_layers, decoder_layers, state):
            half = array.ndim >= 2 and name not in (
                "encoder.conv1.bias", "encoder.conv2.bias", "encoder.positional_embedding",
                "decoder.positional_embedding")
            array = np.ascontiguousarray(array, dtype=np.float16 if half else np.float32)
            encoded = name.encode()
            out.write(struct.pack("<iii", array.ndim, len(encoded), 1 if half else 0))
            out.write(struct.pack(f"<{array.ndim}i", *reversed(array.shape)))
            out.write(encoded)
            out.write(array.tobytes())
            count += 1
    os.replace(temporary, output)
    print(f"{output}: {os.path.getsize(output)} bytes, {count} tensors, {len(text_tokens)} text tokens, "
          f"{encoder_layers}+{decoder_layers} layers")


if __name__ == "__main__":
    main()
