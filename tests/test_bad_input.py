"""Bad input, command by command (issue 22): every case exits with code 2 and one line on stderr, prints no
traceback, and creates or changes no file. Cases run in-process through ``semcom.cli.app.main`` (an uncaught
exception fails the test), in a working folder whose every file is fingerprinted before and after."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from semcom.cli.app import main

LATENT = "latent-diff:codec=latent-diff-vae-f8c4-rho1_96,denoiser=latent-diff-denoiser-vae-f8c4-rho1_96"
BANDWIDTH = "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48"
SWEEP = ["evaluate", "-s", "identity-analog", "--dataset", "samples-192", "--limit", "1", "--snr-db", "10"]
TRAIN = ["train", "deepjscc", "--out", "run", "--data", "{data}", "--channels", "2", "--width", "8", "--steps", "2",
         "--batch-size", "2", "--crop", "32", "--validate-every", "2", "--checkpoint-every", "2"]


def _train(*changes):
    """TRAIN with ``--option value`` pairs replaced (or added)."""
    argv = list(TRAIN)
    for option, value in zip(changes[::2], changes[1::2]):
        if option in argv:
            argv[argv.index(option) + 1] = value
        else:
            argv += [option, value]
    return argv


CASES = {
    # transmit
    "transmit: not an image": (["transmit", "text.png", "--snr-db", "10"], "text.png"),
    "transmit: missing file": (["transmit", "absent.png", "--snr-db", "10"], "absent.png"),
    "transmit: NaN SNR": (["transmit", "photo.png", "--snr-db", "nan"], "finite"),
    "transmit: infinite SNR": (["transmit", "photo.png", "--snr-db", "inf"], "finite"),
    "transmit: unknown scheme": (["transmit", "photo.png", "--snr-db", "5", "-s", "nope"], "unknown scheme"),
    "transmit: unknown channel": (["transmit", "photo.png", "--snr-db", "5", "-c", "awgm"], "awgm"),
    "transmit: output overwrites the input": (["transmit", "photo.png", "--snr-db", "5", "-o", "photo.png"], "input"),
    "transmit: output format": (["transmit", "photo.png", "--snr-db", "5", "-o", "recon.txt"], "format"),
    "transmit: output folder missing": (["transmit", "photo.png", "--snr-db", "5", "-o", "no/such/r.png"], "no/such"),
    "transmit: unknown device": (["transmit", "photo.png", "--snr-db", "5", "--device", "gpu"], "unknown device"),
    "transmit: precision fp16": (["transmit", "photo.png", "--snr-db", "5", "--precision", "fp16"], "precision"),
    "transmit: bf16 on a scheme without networks": (["transmit", "photo.png", "--snr-db", "5", "-s",
                                                     "jpeg+capacity:precision=bf16"], "no learned parts"),
    "transmit: channel option twice": (["transmit", "photo.png", "--snr-db", "5", "-c", "rayleigh:eq=zf,eq=mmse"],
                                       "twice"),
    "evaluate: metric with options": ([*SWEEP, "--metrics", "psnr:x=1"], "takes no options"),
    "transmit: latent steps=-1": (["transmit", "photo.png", "--snr-db", "5", "-s", f"{LATENT},steps=-1"], "steps"),
    "transmit: latent sampler": (["transmit", "photo.png", "--snr-db", "5", "-s", f"{LATENT},sampler=xyz"], "xyz"),
    "transmit: latent start": (["transmit", "photo.png", "--snr-db", "5", "-s", f"{LATENT},start=bogus"], "bogus"),
    "transmit: bandwidth steps=-1": (["transmit", "photo.png", "--snr-db", "5", "-s", f"{BANDWIDTH},steps=-1"],
                                     "steps"),
    "transmit: bandwidth sampler": (["transmit", "photo.png", "--snr-db", "5", "-s", f"{BANDWIDTH},sampler=xyz"],
                                    "xyz"),
    "transmit: bandwidth start": (["transmit", "photo.png", "--snr-db", "5", "-s", f"{BANDWIDTH},start=bogus"],
                                  "bogus"),
    "transmit: huge coherence": (["transmit", "photo.png", "--snr-db", "5", "-c",
                                  "rayleigh:coherence=1000000000000000000000"], "coherence"),
    "transmit: negative pilots": (["transmit", "photo.png", "--snr-db", "5", "-c", "rayleigh:csi=ls,pilots=-3"],
                                  "pilots"),
    "transmit: pilots without LS": (["transmit", "photo.png", "--snr-db", "5", "-c", "rayleigh:pilots=4"], "pilots"),
    "transmit: coherence on AWGN": (["transmit", "photo.png", "--snr-db", "5", "-c", "awgn:coherence=5"],
                                    "coherence"),
    "transmit: animated GIF": (["transmit", "animated.gif", "--snr-db", "5"], "frames"),
    "transmit: truncated JPEG": (["transmit", "truncated.jpg", "--snr-db", "5"], "truncated.jpg"),
    "transmit: too many pixels": (["transmit", "photo.png", "--snr-db", "5", "--max-pixels", "100"], "pixels"),
    "transmit: config missing a key": (["transmit", "photo.png", "--snr-db", "5", "-s",
                                        "deepjscc:weights=tampered-missing"], "config"),
    "transmit: config of the wrong type": (["transmit", "photo.png", "--snr-db", "5", "-s",
                                            "deepjscc:weights=tampered-type"], "config"),
    "transmit: model class outside the allow-list": (["transmit", "photo.png", "--snr-db", "5", "-s",
                                                      "deepjscc:weights=tampered-class"], "model_class"),
    "transmit: flipped weight bytes": (["transmit", "photo.png", "--snr-db", "5", "-s",
                                        "deepjscc:weights=tampered-bytes"], "sha256"),
    # evaluate
    "evaluate: --limit 0": ([*SWEEP[:5], "--limit", "0", "-o", "r.csv"], "limit"),
    "evaluate: huge SNR grid": ([*SWEEP[:7], "--snr-db", "0:1e6:1e-6", "-o", "r.csv"], "grid"),
    "evaluate: not a results file": ([*SWEEP, "-o", "other.csv"], "not a semcom results file"),
    "evaluate: a one-line JSON file": ([*SWEEP, "-o", "one.jsonl"], "not a semcom results file"),
    "evaluate: results suffix": ([*SWEEP, "-o", "r.txt"], ".csv or .jsonl"),
    "evaluate: unknown dataset": (["evaluate", "-s", "identity-analog", "--dataset", "kodakk", "-o", "r.csv"],
                                  "kodakk"),
    "evaluate: truncated JPEG in the folder": (["evaluate", "-s", "identity-analog", "--dataset", "broken",
                                                "--snr-db", "10", "-o", "r.csv"], "truncated.jpg"),
    "evaluate: unknown metric": ([*SWEEP, "--metrics", "psnr,bogus", "-o", "r.csv"], "bogus"),
    "evaluate: garbage line in a .jsonl": ([*SWEEP, "-o", "garbage.jsonl"], "malformed"),
    "evaluate: random bytes after the header": ([*SWEEP, "-o", "bytes.csv"], "not UTF-8"),
    # train
    "train: --checkpoint-every 0": (_train("--checkpoint-every", "0"), "checkpoint"),
    "train: --crop 30": (_train("--crop", "30"), "crop"),
    "train: --device gpu": (_train("--device", "gpu"), "unknown device"),
    "train: --crop 100000": (_train("--crop", "100000"), "crop"),
    "train: --batch-size 0": (_train("--batch-size", "0"), "batch"),
    "train: --lr nan": (_train("--lr", "nan"), "lr"),
    "train: --lr inf": (_train("--lr", "inf"), "lr"),
    "train: --channels 0": (_train("--channels", "0"), "channels"),
    "train: --steps 0": (_train("--steps", "0"), "steps"),
    "train: unknown architecture": (["train", "deepjscc2", "--out", "run"], "deepjscc2"),
    "train: resumed with another --width": ([*_train("--width", "16")[:3], "done", *_train("--width", "16")[4:]],
                                            "another model configuration"),
    # zoo
    "zoo add: a name with ..": (["zoo", "add", "trained", "--name", "../../x"], "one path segment"),
    "zoo add: an absolute name": (["zoo", "add", "trained", "--name", "/tmp/x"], "one path segment"),
    "zoo add: an empty name": (["zoo", "add", "trained", "--name", ""], "one path segment"),
    "zoo add: a shipped name": (["zoo", "add", "trained", "--name", "adjscc-snr0to28-rho1_12"], "--force"),
    # reproduce, summary, plot, demo
    "reproduce: unknown paper": (["reproduce", "paper-z"], "paper-z"),
    "reproduce: --limit 0": (["reproduce", "paper-a", "--limit", "0", "--out", "rep"], "limit"),
    "summary: missing file": (["summary", "absent.csv"], "absent.csv"),
    "summary: not a results file": (["summary", "other.csv"], "not a semcom results file"),
    "plot: output format": (["plot", "results.csv", "-o", "p.txt"], "p.txt"),
    "plot: unknown kind": (["plot", "results.csv", "-o", "p.png", "--kind", "pie"], "pie"),
    "demo: --quick and --full": (["demo", "--quick", "--full", "--out", "d"], "--quick"),
}


def _tamper(folder: Path, name: str, change) -> None:
    from semcom.zoo import ZOO_DIR

    shutil.copytree(ZOO_DIR / "weights" / "deepjscc-snr10-rho1_48", folder / name)
    change(folder / name)


def _edit_config(path: Path, edit) -> None:
    config = json.loads((path / "config.json").read_text())
    edit(config)
    (path / "config.json").write_text(json.dumps(config))


def _flip(path: Path) -> None:
    data = bytearray((path / "weights.safetensors").read_bytes())
    data[-100] ^= 0xFF
    (path / "weights.safetensors").write_bytes(bytes(data))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, shared_data_dir):
    work = tmp_path_factory.mktemp("bad")
    done = [a.replace("{data}", str(shared_data_dir)) for a in TRAIN]
    done[done.index("--out") + 1] = str(work / "done")
    assert main(done) == 0  # a finished run of width 8, for the resume case
    photo = Image.linear_gradient("L").resize((64, 48)).convert("RGB")
    photo.save(work / "photo.png")
    (work / "text.png").write_text("hello, I am not a PNG")
    frames = [Image.new("RGB", (32, 32), c) for c in ("red", "blue")]
    frames[0].save(work / "animated.gif", save_all=True, append_images=frames[1:])
    photo.save(work / "full.jpg", quality=90)
    (work / "truncated.jpg").write_bytes((work / "full.jpg").read_bytes()[:400])
    (work / "broken").mkdir()
    shutil.copy(work / "photo.png", work / "broken" / "a.png")
    shutil.copy(work / "truncated.jpg", work / "broken" / "truncated.jpg")
    (work / "other.csv").write_text("a,b,c")
    (work / "one.jsonl").write_text('{"a": 1}')
    assert main([*SWEEP, "-o", str(work / "results.csv")]) == 0
    assert main([*SWEEP, "-o", str(work / "garbage.jsonl")]) == 0
    with (work / "garbage.jsonl").open("a") as handle:
        handle.write("garbage\n")
    text = (work / "results.csv").read_text()
    (work / "bytes.csv").write_bytes(text.encode() + b"\x00\xff garbage,\x01\n")
    _tamper(work, "tampered-missing", lambda p: _edit_config(p, lambda c: c["config"].pop("channels")))
    _tamper(work, "tampered-type", lambda p: _edit_config(p, lambda c: c["config"].update(width="wide")))
    _tamper(work, "tampered-class", lambda p: _edit_config(p, lambda c: c.update(model_class="semcom.cli.app.main")))
    _tamper(work, "tampered-bytes", _flip)
    shutil.copytree(work / "tampered-bytes", work / "trained")
    return work


def _fingerprint(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exits_2_with_one_line_and_touches_nothing(case, workdir, shared_data_dir, capsys, monkeypatch):
    argv, expected = CASES[case]
    monkeypatch.chdir(workdir)
    argv = [a.replace("{data}", str(shared_data_dir)) for a in argv]
    before = _fingerprint(workdir)
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, f"{case}: exit {code}, stderr {err[-1500:]}"
    assert len(lines) == 1 and "Traceback" not in err, f"{case}: {err[-1500:]}"
    assert expected.lower() in lines[0].lower(), f"{case}: {lines[0]}"
    assert _fingerprint(workdir) == before, f"{case}: files created or changed"


def test_the_table_covers_every_command():
    assert len(CASES) >= 40
    assert {argv[0] for argv, _ in CASES.values()} == {"transmit", "evaluate", "train", "zoo", "reproduce",
                                                       "summary", "plot", "demo"}
