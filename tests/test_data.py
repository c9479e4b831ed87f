"""Unit tests for the data registry, ``download`` and the reduced budget (``d2lsite.data``)."""

import hashlib
import io
import urllib.request

import pytest

import d2lsite as d2l

CONTENT = b"a,b\n1,2\n"
SHA1 = hashlib.sha1(CONTENT).hexdigest()


@pytest.fixture
def registered(monkeypatch, tmp_path):
    """A registered file ``tiny.csv`` and an empty cache folder."""
    monkeypatch.setitem(d2l.DATA_HUB, "tiny.csv", ("http://example.invalid/tiny.csv", SHA1))
    monkeypatch.delenv("D2LSITE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "d2lsite"


def no_network(*args, **kwargs):
    raise OSError("no network here")


def test_an_unregistered_name_is_refused_with_the_registered_ones():
    with pytest.raises(KeyError, match="kaggle_house_pred_train.csv"):
        d2l.download("kaggle_house.csv")


def test_a_copy_in_d2lsite_data_is_verified_and_used(registered, monkeypatch, tmp_path):
    (tmp_path / "tiny.csv").write_bytes(CONTENT)
    monkeypatch.setenv("D2LSITE_DATA", str(tmp_path))
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert d2l.download("tiny.csv") == tmp_path / "tiny.csv"


def test_a_missing_file_is_downloaded_into_the_cache_and_reused(registered, monkeypatch):
    calls = []

    def fake_urlopen(url, timeout):
        calls.append(url)
        return io.BytesIO(CONTENT)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    assert d2l.download("tiny.csv") == registered / "tiny.csv"
    assert d2l.download("tiny.csv").read_bytes() == CONTENT
    assert calls == ["http://example.invalid/tiny.csv"]  # the second call reads the cache


def test_a_damaged_copy_is_named_with_what_to_do(registered):
    registered.mkdir(parents=True)
    (registered / "tiny.csv").write_bytes(b"a,b\n1,3\n")
    with pytest.raises(ValueError, match=r"tiny.csv is damaged.*Delete it"):
        d2l.download("tiny.csv")


def test_no_copy_and_no_network_names_every_folder_and_the_fix(registered, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    with pytest.raises(FileNotFoundError) as error:
        d2l.download("tiny.csv")
    assert str(registered) in str(error.value) and "D2LSITE_DATA" in str(error.value)


def test_a_damaged_download_is_not_kept(registered, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"junk"))
    with pytest.raises(ValueError, match="SHA-1"):
        d2l.download("tiny.csv")
    assert not (registered / "tiny.csv").exists()


def test_the_shared_copies_match_the_registry():
    from pathlib import Path

    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not shared.is_dir():
        pytest.skip(f"no shared data folder at {shared}")
    for name, (_, sha1) in d2l.DATA_HUB.items():
        assert hashlib.sha1((shared / name).read_bytes()).hexdigest() == sha1, name


def test_batch_limit_is_none_except_at_the_reduced_budget(monkeypatch):
    monkeypatch.delenv("D2LSITE_BUDGET", raising=False)
    assert d2l.batch_limit() is None
    monkeypatch.setenv("D2LSITE_BUDGET", "reduced")
    assert d2l.batch_limit() == 4
