"""Zoo weights by name from a hub, against a real HTTP server on 127.0.0.1 that the test starts.

The client zoo is a folder holding only ``manifest.json``, as a wheel install has it: every load goes to the
user cache (a temporary ``$SEMCOM_CACHE``) and, on first use, to the server. The weights are a tiny model
published with ``add_to_zoo``, never the shipped ones.
"""

import http.server
import json
import socket
import threading

import pytest
import torch

from semcom.cli.app import main
from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
from semcom.zoo import WeightsError, add_to_zoo, load_manifest, load_weights, resolve_weights, save_pretrained
from semcom.zoo.registry import where

NAME = "deepjscc-tiny"
CONFIG = JSCCConfig(arch="deepjscc", channels=2, width=8)


class _Hub:
    """Serves ``files`` (``{url path: bytes}``) from a thread; a path in ``truncated`` announces 1000 more
    bytes than it sends and then closes the connection, one in ``chunked_cut`` sends half the file as a chunked
    reply without its end. ``requests`` lists the paths asked for."""

    def __init__(self, files: dict[str, bytes]):
        self.files, self.truncated, self.chunked_cut, self.requests = files, set(), set(), []
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hub.requests.append(self.path)
                data = hub.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                if self.path in hub.chunked_cut:  # half the file as one chunk, then no closing chunk
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    half = data[: len(data) // 2]
                    self.wfile.write(f"{len(half):x}\r\n".encode() + half + b"\r\n")
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(data) + (1000 if self.path in hub.truncated else 0)))
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hub"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/hub"


def _client_zoo(folder, published, base_url):
    """A zoo folder holding only the publisher's manifest, pointed at ``base_url`` (a wheel install)."""
    raw = json.loads((published / "manifest.json").read_text())
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({**raw, "base_url": base_url}))
    return folder


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """``(hub, client zoo, reference model, cache)``: the tiny model published under ``/hub/weights/NAME/``."""
    monkeypatch.delenv("SEMCOM_OFFLINE", raising=False)  # conftest sets it for every other test
    monkeypatch.delenv("SEMCOM_WEIGHTS_URL", raising=False)
    monkeypatch.setenv("SEMCOM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SEMCOM_ZOO", str(tmp_path / "user-zoo"))  # not the developer's own user zoo
    torch.manual_seed(0)
    model = JSCCAutoencoder(CONFIG)
    published = tmp_path / "published"
    add_to_zoo(save_pretrained(model, CONFIG, tmp_path / "run" / "final", extra={"scheme": "deepjscc"}), NAME,
               zoo_dir=published)
    files = {f"/hub/weights/{NAME}/{f.name}": f.read_bytes() for f in (published / "weights" / NAME).iterdir()}
    server = _Hub(files)
    yield server, _client_zoo(tmp_path / "client", published, server.url), model, tmp_path / "cache"
    server.close()


def _cached_files(cache):
    """Everything under ``cache`` (files, staging or weights folders) but the ``weights/`` folder itself."""
    return sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*") if p != cache / "weights")


def test_a_good_download_is_verified_cached_and_loaded_without_the_server_again(hub):
    server, zoo, model, cache = hub
    entry = load_manifest(zoo)[NAME]
    assert where(entry) == "remote"
    loaded, config = load_weights(NAME, zoo_dir=zoo)
    assert config == CONFIG
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), model.state_dict().values()))
    assert _cached_files(cache) == [f"weights/{NAME}", f"weights/{NAME}/config.json",
                                    f"weights/{NAME}/weights.safetensors"]
    assert len(server.requests) == 2 and where(entry) == "cache"
    assert resolve_weights(NAME, zoo_dir=zoo) == (cache / "weights" / NAME, entry["sha256"])
    load_weights(NAME, zoo_dir=zoo)
    assert len(server.requests) == 2  # the second load reads the cache


def test_the_weights_url_variable_replaces_the_manifest_hub(hub, tmp_path, monkeypatch):
    server, zoo, _, cache = hub
    (zoo / "manifest.json").write_text(json.dumps({**json.loads((zoo / "manifest.json").read_text()),
                                                   "base_url": _closed_url()}))
    monkeypatch.setenv("SEMCOM_WEIGHTS_URL", server.url)
    load_weights(NAME, zoo_dir=zoo)
    assert server.requests == [f"/hub/weights/{NAME}/config.json", f"/hub/weights/{NAME}/weights.safetensors"]


def test_a_corrupt_file_is_refused_with_its_reason_and_nothing_is_cached(hub):
    server, zoo, _, cache = hub
    path = f"/hub/weights/{NAME}/weights.safetensors"
    server.files[path] = server.files[path][:-1] + bytes([server.files[path][-1] ^ 0xFF])
    with pytest.raises(WeightsError, match=r"deepjscc-tiny.*weights\.safetensors: sha256 .* is not the recorded "
                                           r".*nothing was kept; to install them by hand") as error:
        load_weights(NAME, zoo_dir=zoo)
    assert "\n" not in str(error.value)
    assert _cached_files(cache) == []  # not even the good config.json, nor a part file or staging folder


@pytest.mark.parametrize("cut", ["content-length", "chunked"])
def test_an_interrupted_download_is_one_error_and_leaves_nothing(hub, cut):
    server, zoo, _, cache = hub
    path = f"/hub/weights/{NAME}/weights.safetensors"
    (server.truncated if cut == "content-length" else server.chunked_cut).add(path)
    expected = r"interrupted download.*nothing was kept; to install them by hand"
    with pytest.raises(WeightsError, match=expected) as error:
        load_weights(NAME, zoo_dir=zoo)
    size = len(server.files[path])
    if cut == "content-length":  # read(n) just stops early: fetch counts the bytes against Content-Length
        assert f"closed after {size} of {size + 1000} bytes" in str(error.value)
    else:  # http.client raises IncompleteRead, which is no OSError
        assert "IncompleteRead" in str(error.value)
    assert "\n" not in str(error.value) and _cached_files(cache) == []


def test_no_network_is_one_line_naming_the_weights_the_url_and_the_folder(hub, monkeypatch):
    server, zoo, _, cache = hub
    dead = _closed_url()
    monkeypatch.setenv("SEMCOM_WEIGHTS_URL", dead)
    (zoo / "manifest.json").write_text(json.dumps({**json.loads((zoo / "manifest.json").read_text()),
                                                   "base_url": dead}))
    with pytest.raises(WeightsError) as error:
        load_weights(NAME, zoo_dir=zoo)
    message = str(error.value)
    assert "\n" not in message and f"weights {NAME!r}" in message and "could not download from 127.0.0.1" in message
    assert f"from {dead}/weights/{NAME}/ into {cache / 'weights' / NAME}/" in message
    monkeypatch.setenv("SEMCOM_OFFLINE", "1")
    monkeypatch.setenv("SEMCOM_WEIGHTS_URL", server.url)
    with pytest.raises(WeightsError, match=r"SEMCOM_OFFLINE.*by hand, put config.json and weights.safetensors"):
        load_weights(NAME, zoo_dir=zoo)
    assert server.requests == [] and _cached_files(cache) == []


def test_the_cli_fetches_into_the_cache_and_a_failed_download_exits_2_with_one_line(hub, monkeypatch, capsys):
    server, zoo, _, cache = hub
    monkeypatch.setenv("SEMCOM_ZOO", str(zoo))  # the client manifest as the user zoo
    assert main(["zoo", "fetch", NAME]) == 0
    assert capsys.readouterr().out.strip() == f"{NAME}: cache {cache / 'weights' / NAME}"
    assert main(["zoo", "list"]) == 0
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines() if line.startswith(NAME)] == ["cache"]

    (cache / "weights" / NAME / "weights.safetensors").unlink()
    server.files[f"/hub/weights/{NAME}/weights.safetensors"] = b"not the weights"
    assert main(["zoo", "fetch", NAME]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(f"semcom: error: weights {NAME!r}") and "sha256" in err
    assert main(["zoo", "fetch", "no-such-weights"]) == 2
    assert "no-such-weights" in capsys.readouterr().err
