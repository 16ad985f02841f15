"""The downloader and TAEF2's first-use download, against a real HTTP server on 127.0.0.1 that the test
starts: a good file, a corrupt one (refused, nothing left in the cache), an HTTP error and an unreachable host."""

import functools
import hashlib
import http.server
import shutil
import socket
import threading

import pytest
import torch

from semcom.codecs.taef2 import FILES, TAEF2Error, download_taef2, find_taef2, load_taef2
from semcom.zoo.download import DownloadError, fetch


class _Server:
    """A static file server on 127.0.0.1 in a thread; ``requests`` counts the GETs it answered."""

    def __init__(self, root):
        self.requests = 0
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     functools.partial(Handler, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str = "{name}") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.delenv("SEMCOM_OFFLINE", raising=False)  # conftest sets it for every other test
    root = tmp_path / "served"
    root.mkdir()
    running = _Server(root)
    yield root, running
    running.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_fetch_good_corrupt_missing_and_unreachable(server, tmp_path):
    root, running = server
    payload = bytes(range(256)) * 1000
    (root / "good.bin").write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()
    cache = tmp_path / "cache"
    target = fetch(running.url("good.bin"), cache / "good.bin", digest, progress=False)
    assert target.read_bytes() == payload
    fetch(running.url("good.bin"), target, digest, progress=False)
    assert running.requests == 1  # a file already there with the right hash is not fetched again

    (root / "corrupt.bin").write_bytes(payload[:-1] + b"x")
    with pytest.raises(DownloadError, match="sha256 .* nothing was kept"):
        fetch(running.url("corrupt.bin"), cache / "corrupt.bin", digest, progress=False)
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(running.url("absent.bin"), cache / "absent.bin", digest, progress=False)
    with pytest.raises(DownloadError, match="could not download from 127.0.0.1"):
        fetch(f"http://127.0.0.1:{_closed_port()}/good.bin", cache / "other.bin", digest, progress=False,
              timeout=5)
    assert sorted(p.name for p in cache.iterdir()) == ["good.bin"]  # no part files, no refused content


def test_offline_switch_refuses_before_connecting(server, tmp_path, monkeypatch):
    root, running = server
    monkeypatch.setenv("SEMCOM_OFFLINE", "1")
    with pytest.raises(DownloadError, match="SEMCOM_OFFLINE"):
        fetch(running.url("x"), tmp_path / "x", "0" * 64, progress=False)
    assert running.requests == 0


@pytest.fixture
def taef2_mirror(server, shared_data_dir):
    root, running = server
    for name in FILES:
        shutil.copyfile(shared_data_dir.parent / "weights" / "taef2" / name, root / name)
    return root, running


def test_taef2_downloads_once_into_the_cache_as_safetensors(taef2_mirror, shared_data_dir, tmp_path, monkeypatch):
    root, running = taef2_mirror
    monkeypatch.setenv("SEMCOM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SEMCOM_TAEF2_URL", running.url())
    monkeypatch.delenv("SEMCOM_TAEF2", raising=False)
    monkeypatch.delenv("SEMCOM_SHARED", raising=False)
    monkeypatch.chdir(tmp_path)  # no ../shared beside the working directory
    with pytest.raises(TAEF2Error, match="not found"):
        find_taef2()
    model = load_taef2()  # first use: downloads, checks, converts
    cached = tmp_path / "cache" / "taef2"
    assert sorted(p.name for p in cached.iterdir()) == [
        "provenance.json", "taef2_decoder.safetensors", "taef2_encoder.safetensors"]
    assert running.requests == 2
    reference = load_taef2(shared_data_dir.parent / "weights" / "taef2")
    image = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(model.decode(model.encode(image)), reference.decode(reference.encode(image)))
    load_taef2()
    assert running.requests == 2  # converted once, loaded from the cache afterwards

    (cached / "taef2_decoder.safetensors").write_bytes(b"tampered")
    with pytest.raises(TAEF2Error, match="delete .* to download TAEF2 again"):
        load_taef2()


def test_taef2_corrupt_or_unreachable_source_leaves_nothing(taef2_mirror, tmp_path):
    root, running = taef2_mirror
    (root / "taef2_decoder.pth").write_bytes(b"tampered")
    folder = tmp_path / "cache"
    with pytest.raises(TAEF2Error, match="sha256 .* by hand, download taef2_encoder.pth and taef2_decoder.pth"):
        download_taef2(folder, running.url(), progress=False)
    assert list(folder.iterdir()) == []  # not even the good encoder: the cache takes both files or none
    unreachable = f"http://127.0.0.1:{_closed_port()}/{{name}}"
    with pytest.raises(TAEF2Error, match=r"could not download .* into .*SEMCOM_TAEF2"):
        download_taef2(tmp_path / "other", unreachable, progress=False)
    assert list((tmp_path / "other").iterdir()) == []
