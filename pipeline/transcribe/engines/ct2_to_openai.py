"""Derive an openai-whisper checkpoint from a CTranslate2 Whisper model, offline.

CTranslate2's ``model.bin`` (binary version 6, as ``ctranslate2.specs.ModelSpec`` writes it) is
little-endian and laid out as::

    u32 binary version
    str spec name ("WhisperSpec"), u32 spec revision
    u32 variable count, then per variable:
        str name, u8 rank, u32 x rank shape, u8 dtype id, u32 byte count, raw bytes
    u32 alias count, then per alias: str alias, str variable it points to

where ``str`` is a u16 length (including a trailing NUL), the UTF-8 bytes and the NUL. Dtype ids
follow CTranslate2's DataType enum: float32, int8, int16, int32, float16, bfloat16.

The Whisper weights map onto openai-whisper's module names by renaming, except that CTranslate2
fuses self-attention query/key/value into one ``linear_0`` and cross-attention key/value into one
``linear_1``; those are split here. openai-whisper's key projections have no bias (CTranslate2
stores zeros there). The alignment heads used for word timestamps come from ``config.json``.

torch is imported only inside :func:`load_openai_model`, so parsing stays importable without it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.exceptions import PipelineError
from pipeline.fsutil import HASH_CHUNK, temp_output

log = logging.getLogger("coprod.engines.ct2")

SUPPORTED_BINARY_VERSIONS = (5, 6)
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
# Bump when the conversion changes, so cached checkpoints made by older code are not reused.
CONVERTER_VERSION = 1
N_MELS_TINY_TO_MEDIUM = 80


class ConversionError(PipelineError):
    """A CTranslate2 model cannot be turned into an openai-whisper checkpoint."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass
class CT2Model:
    """The variables of a CTranslate2 ``model.bin``; aliases already resolved."""

    spec: str
    revision: int
    variables: dict[str, np.ndarray]


class _Reader:
    def __init__(self, data: bytes, path: Path) -> None:
        self.data = data
        self.offset = 0
        self.path = path

    def take(self, fmt: str) -> Any:
        size = struct.calcsize("<" + fmt)
        if self.offset + size > len(self.data):
            raise ConversionError(self.path, f"truncated at byte {self.offset}")
        value = struct.unpack_from("<" + fmt, self.data, self.offset)[0]
        self.offset += size
        return value

    def string(self) -> str:
        length = self.take("H")
        raw = self.data[self.offset : self.offset + length]
        if len(raw) != length or not raw.endswith(b"\0"):
            raise ConversionError(self.path, f"bad string at byte {self.offset}")
        self.offset += length
        return raw[:-1].decode("utf-8")

    def raw(self, count: int) -> memoryview:
        if self.offset + count > len(self.data):
            raise ConversionError(self.path, f"truncated at byte {self.offset}")
        view = memoryview(self.data)[self.offset : self.offset + count]
        self.offset += count
        return view


def read_ct2_model(model_bin: Path) -> CT2Model:
    """Parse a CTranslate2 ``model.bin`` into named numpy arrays (aliases resolved)."""
    data = model_bin.read_bytes()
    reader = _Reader(data, model_bin)
    version = reader.take("I")
    if version not in SUPPORTED_BINARY_VERSIONS:
        raise ConversionError(model_bin, f"unsupported CTranslate2 binary version {version}")
    spec = reader.string()
    revision = reader.take("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(reader.take("I")):
        name = reader.string()
        shape = tuple(reader.take("I") for _ in range(reader.take("B")))
        dtype_id = reader.take("B")
        if dtype_id >= len(_DTYPES) or _DTYPES[dtype_id] == "bfloat16":
            raise ConversionError(model_bin, f"{name}: unsupported dtype id {dtype_id}")
        count = reader.take("I")
        dtype = np.dtype(_DTYPES[dtype_id]).newbyteorder("<")
        array = np.frombuffer(reader.raw(count), dtype=dtype)
        variables[name] = array.reshape(shape)
    for _ in range(reader.take("I")):
        alias, target = reader.string(), reader.string()
        variables[alias] = variables[target]
    if reader.offset != len(data):
        raise ConversionError(model_bin, f"{len(data) - reader.offset} unexpected trailing bytes")
    return CT2Model(spec=spec, revision=revision, variables=variables)


def _layer_count(variables: dict[str, np.ndarray], prefix: str) -> int:
    pattern = re.compile(rf"^{prefix}/layer_(\d+)/")
    found = {int(m.group(1)) for name in variables if (m := pattern.match(name))}
    return max(found) + 1 if found else 0


def _split(array: np.ndarray, parts: int, path: Path, name: str) -> list[np.ndarray]:
    if array.shape[0] % parts:
        raise ConversionError(path, f"{name}: cannot split {array.shape[0]} rows in {parts}")
    return list(np.split(array, parts, axis=0))


def _attention(
    out: dict[str, np.ndarray],
    v: dict[str, np.ndarray],
    src: str,
    dst: str,
    *,
    fused: int,
    path: Path,
) -> None:
    """Map one CTranslate2 attention block to openai-whisper's query/key/value/out (+ norm)."""
    out[f"{dst}_ln.weight"] = v[f"{src}/layer_norm/gamma"]
    out[f"{dst}_ln.bias"] = v[f"{src}/layer_norm/beta"]
    if fused == 3:  # self-attention: linear_0 = [q; k; v], linear_1 = output
        weights = _split(v[f"{src}/linear_0/weight"], 3, path, src)
        biases = _split(v[f"{src}/linear_0/bias"], 3, path, src)
        names = ("query", "key", "value")
        output = "linear_1"
    else:  # cross-attention: linear_0 = q (decoder side), linear_1 = [k; v] (encoder side)
        kv_w = _split(v[f"{src}/linear_1/weight"], 2, path, src)
        kv_b = _split(v[f"{src}/linear_1/bias"], 2, path, src)
        weights = [v[f"{src}/linear_0/weight"], *kv_w]
        biases = [v[f"{src}/linear_0/bias"], *kv_b]
        names = ("query", "key", "value")
        output = "linear_2"
    for name, weight, bias in zip(names, weights, biases, strict=True):
        out[f"{dst}.{name}.weight"] = weight
        if name == "key":
            # openai-whisper's key projection has no bias; CTranslate2 stores zeros there.
            if np.any(bias):
                raise ConversionError(path, f"{src}: key bias is not zero; not a Whisper model")
            continue
        out[f"{dst}.{name}.bias"] = bias
    out[f"{dst}.out.weight"] = v[f"{src}/{output}/weight"]
    out[f"{dst}.out.bias"] = v[f"{src}/{output}/bias"]


def _mlp(out: dict[str, np.ndarray], v: dict[str, np.ndarray], src: str, dst: str) -> None:
    out[f"{dst}.mlp_ln.weight"] = v[f"{src}/ffn/layer_norm/gamma"]
    out[f"{dst}.mlp_ln.bias"] = v[f"{src}/ffn/layer_norm/beta"]
    out[f"{dst}.mlp.0.weight"] = v[f"{src}/ffn/linear_0/weight"]
    out[f"{dst}.mlp.0.bias"] = v[f"{src}/ffn/linear_0/bias"]
    out[f"{dst}.mlp.2.weight"] = v[f"{src}/ffn/linear_1/weight"]
    out[f"{dst}.mlp.2.bias"] = v[f"{src}/ffn/linear_1/bias"]


def convert_state(
    model: CT2Model, config: dict[str, Any], path: Path
) -> tuple[dict[str, int], dict[str, np.ndarray], list[tuple[int, int]]]:
    """openai-whisper ``dims``, ``model_state_dict`` (numpy) and alignment heads of a CT2 model.

    Raises:
        ConversionError: the model is not a CTranslate2 Whisper model or a variable is missing.
    """
    if model.spec != "WhisperSpec":
        raise ConversionError(path, f"not a Whisper model (spec {model.spec!r})")
    v = model.variables
    state: dict[str, np.ndarray] = {}
    try:
        n_audio_layer = _layer_count(v, "encoder")
        n_text_layer = _layer_count(v, "decoder")
        conv1 = v["encoder/conv1/weight"]
        audio_pos = v["encoder/position_encodings/encodings"]
        text_pos = v["decoder/position_encodings/encodings"]
        embed = v["decoder/embeddings/weight"]
        dims = {
            "n_mels": int(conv1.shape[1]),
            "n_audio_ctx": int(audio_pos.shape[0]),
            "n_audio_state": int(audio_pos.shape[1]),
            "n_audio_head": int(v["encoder/num_heads"].item()),
            "n_audio_layer": n_audio_layer,
            "n_vocab": int(embed.shape[0]),
            "n_text_ctx": int(text_pos.shape[0]),
            "n_text_state": int(embed.shape[1]),
            "n_text_head": int(v["decoder/num_heads"].item()),
            "n_text_layer": n_text_layer,
        }
        for conv in ("conv1", "conv2"):
            state[f"encoder.{conv}.weight"] = v[f"encoder/{conv}/weight"]
            state[f"encoder.{conv}.bias"] = v[f"encoder/{conv}/bias"]
        state["encoder.positional_embedding"] = audio_pos
        for i in range(n_audio_layer):
            src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
            _attention(state, v, f"{src}/self_attention", f"{dst}.attn", fused=3, path=path)
            _mlp(state, v, src, dst)
        state["encoder.ln_post.weight"] = v["encoder/layer_norm/gamma"]
        state["encoder.ln_post.bias"] = v["encoder/layer_norm/beta"]

        state["decoder.token_embedding.weight"] = embed
        state["decoder.positional_embedding"] = text_pos
        for i in range(n_text_layer):
            src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
            _attention(state, v, f"{src}/self_attention", f"{dst}.attn", fused=3, path=path)
            _attention(state, v, f"{src}/attention", f"{dst}.cross_attn", fused=2, path=path)
            _mlp(state, v, src, dst)
        state["decoder.ln.weight"] = v["decoder/layer_norm/gamma"]
        state["decoder.ln.bias"] = v["decoder/layer_norm/beta"]
    except KeyError as exc:
        raise ConversionError(path, f"missing variable {exc.args[0]}") from None

    # openai-whisper ties the output projection to the token embedding; CTranslate2 stores that
    # tie as an alias, so anything else means a model this conversion would get wrong.
    projection = v.get("decoder/projection/weight")
    if projection is not None and projection is not embed:
        raise ConversionError(path, "output projection is not tied to the token embedding")

    heads = [(int(layer), int(head)) for layer, head in config.get("alignment_heads") or []]
    for layer, head in heads:
        if not (0 <= layer < dims["n_text_layer"] and 0 <= head < dims["n_text_head"]):
            raise ConversionError(path, f"alignment head {(layer, head)} out of range")
    return dims, state, heads


def encode_alignment_heads(heads: list[tuple[int, int]], n_layer: int, n_head: int) -> bytes:
    """The alignment heads in openai-whisper's dump format (base85 of a gzipped bool mask)."""
    mask = np.zeros((n_layer, n_head), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    # mtime=0 keeps the dump (and so the cached checkpoint) byte-identical between runs.
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0))


def ct2_model_hash(model_dir: Path) -> str:
    """sha256 over the CTranslate2 files the conversion reads (model.bin, config.json)."""
    digest = hashlib.sha256()
    for name in ("model.bin", "config.json"):
        digest.update(name.encode() + b"\0")
        with open(model_dir / name, "rb") as fh:
            for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
                digest.update(chunk)
    return digest.hexdigest()


def cache_dir() -> Path:
    """Where derived checkpoints are kept: $COPROD_CACHE_DIR, else $XDG_CACHE_HOME/coprod."""
    explicit = os.environ.get("COPROD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coprod"


def _iter_files(model_dir: Path) -> Iterator[Path]:
    for name in ("model.bin", "config.json"):
        path = model_dir / name
        if not path.is_file():
            raise ConversionError(model_dir, f"{name} missing; not a CTranslate2 model folder")
        yield path


def derived_checkpoint(model_dir: Path, *, model_hash: str | None = None) -> Path:
    """Path of the openai-whisper checkpoint derived from ``model_dir``, converting it once.

    The checkpoint is cached under :func:`cache_dir`, keyed by the CTranslate2 files' hash and
    the converter version, and written to a temp file then renamed, so an interrupted
    conversion never leaves a half checkpoint under the final name.

    Raises:
        ConversionError: the folder is not a CTranslate2 Whisper model.
    """
    import torch

    list(_iter_files(model_dir))
    key = model_hash or ct2_model_hash(model_dir)
    target = cache_dir() / "whisper" / f"ct2-{key[:24]}-v{CONVERTER_VERSION}.pt"
    if target.is_file():
        return target
    log.info("deriving an openai-whisper checkpoint from %s (once; cached at %s)",
             model_dir, target)
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    dims, state, heads = convert_state(read_ct2_model(model_dir / "model.bin"), config, model_dir)
    checkpoint = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(a.copy()) for k, a in state.items()},
        # Not part of openai-whisper's format; load_openai_model applies it.
        "alignment_heads": encode_alignment_heads(
            heads, dims["n_text_layer"], dims["n_text_head"]
        ).decode("ascii"),
        "source_sha256": key,
    }
    with temp_output(target) as tmp:
        torch.save(checkpoint, tmp)
    return target


def load_openai_model(checkpoint_path: Path) -> Any:
    """Load a checkpoint (openai-whisper's own or one derived here) as ``whisper.model.Whisper``."""
    import torch
    from whisper.model import ModelDimensions, Whisper

    checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    # Weights are stored as float16 (as in the source); the CPU path computes in float32.
    model.load_state_dict({k: t.float() for k, t in checkpoint["model_state_dict"].items()})
    heads = checkpoint.get("alignment_heads")
    if heads:
        model.set_alignment_heads(heads.encode("ascii"))
    return model.eval()
