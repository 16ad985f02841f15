"""TAEF2: the tiny autoencoder distilled from the FLUX.2 VAE (madebyollin/taesd, MIT), as a latent codec.

Images ``float32 [B, 3, H, W]`` in [0, 1] (not [-1, 1]) ↔ latents ``float32 [B, 32, H/8, W/8]``.
The layer layout (plain convolutions, ReLU residual blocks, a GroupNorm side branch in the blocks at the
latent resolution) is rebuilt here from the published state-dict keys so the third-party ``.pth`` files
load with ``torch.load(weights_only=True)``: nothing is unpickled. The weights are never shipped; they
are found on disk (``$SEMCOM_TAEF2``, ``../shared/weights/taef2``) or, on first use, downloaded from the
upstream repository at a pinned commit, checked against the recorded sha256 and converted once to
``.safetensors`` in the user cache (``~/.cache/semcom/taef2``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file, save
from torch import nn

from semcom.device import cpu_channels_last
from semcom.errors import SemcomError
from semcom.files import atomic_write_bytes, file_identity, load_once, sha256_of
from semcom.zoo.download import DownloadError, cache_dir, fetch

LATENT_CHANNELS = 32
DOWNSAMPLING = 8
WIDTH = 64
FILES = {  # name -> sha256, from ../shared/weights/taef2/PROVENANCE.txt
    "taef2_encoder.pth": "10a4e1021e89d7551eaf161352da8dbd0b1aa83872ae28b150c1df1ce2f147b6",
    "taef2_decoder.pth": "0a44a31e1ae59eb9dbf9359d24942fd3ef5928162c1800d97a28c61d51be0ab5",
}
PINNED_COMMIT = "5cccb12dc72074a4be35680c3b108548a7c69978"
PINNED_URL = f"https://github.com/madebyollin/taesd/raw/{PINNED_COMMIT}/{{name}}"
PROVENANCE = "provenance.json"  # written beside the converted files


class TAEF2Error(SemcomError):
    """TAEF2 weights missing, corrupt or not matching the layout."""


def _conv(cin: int, cout: int, stride: int = 1, bias: bool = True) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=bias)


class _Block(nn.Module):
    """Three 3×3 convolutions with ReLUs, a residual connection and a final ReLU; optionally a GroupNorm
    side branch (1×1 conv to 4× width, GroupNorm(4), ReLU, 1×1 conv back) added to the block output."""

    def __init__(self, width: int, group_norm: bool = False):
        super().__init__()
        self.conv = nn.Sequential(_conv(width, width), nn.ReLU(), _conv(width, width), nn.ReLU(), _conv(width, width))
        self.pool = nn.Sequential(
            nn.Conv2d(width, 4 * width, 1, bias=False), nn.GroupNorm(4, 4 * width), nn.ReLU(),
            nn.Conv2d(4 * width, width, 1, bias=False),
        ) if group_norm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pool is not None:
            x = x + self.pool(x)
        return torch.relu(self.conv(x) + x)


class _SoftClamp(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x / 3) * 3


def build_encoder(width: int = WIDTH, latent: int = LATENT_CHANNELS) -> nn.Sequential:
    """``[B, 3, H, W]`` → ``[B, latent, H/8, W/8]``; module indices match the published state dict."""
    layers: list[nn.Module] = [_conv(3, width), _Block(width)]
    for stage in range(3):
        last = stage == 2
        layers += [_conv(width, width, stride=2, bias=False), *(_Block(width, group_norm=last) for _ in range(3))]
    layers.append(_conv(width, latent))
    return nn.Sequential(*layers)


def build_decoder(width: int = WIDTH, latent: int = LATENT_CHANNELS) -> nn.Sequential:
    """``[B, latent, h, w]`` → ``[B, 3, 8h, 8w]``; module indices match the published state dict."""
    layers: list[nn.Module] = [_SoftClamp(), _conv(latent, width), nn.ReLU()]
    for stage in range(3):
        first = stage == 0
        layers += [*(_Block(width, group_norm=first) for _ in range(3)), nn.Upsample(scale_factor=2),
                   _conv(width, width, bias=False)]
    layers += [_Block(width), _conv(width, 3)]
    return nn.Sequential(*layers)


class TAEF2(nn.Module):
    """Encoder + decoder. ``encode``: ``float32 [B, 3, H, W]`` in [0, 1], H and W multiples of 8 →
    ``float32 [B, 32, H/8, W/8]``; ``decode``: the inverse map, clamped to [0, 1]."""

    latent_channels = LATENT_CHANNELS
    downsampling = DOWNSAMPLING

    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = build_encoder(), build_decoder()

    # channels-last on the CPU: faster 3×3 convolutions (benchmarks/taef2_layout.py); outputs back in NCHW
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder(cpu_channels_last(images)).contiguous()

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return self.decoder(cpu_channels_last(latents)).clamp(0, 1).contiguous()


def _candidate_dirs() -> list[Path]:
    found = []
    if os.environ.get("SEMCOM_TAEF2"):
        found.append(Path(os.environ["SEMCOM_TAEF2"]).expanduser())
    if os.environ.get("SEMCOM_SHARED"):
        found.append(Path(os.environ["SEMCOM_SHARED"]).expanduser() / "weights" / "taef2")
    found.append(Path.cwd().parent / "shared" / "weights" / "taef2")
    return found


def cache_folder() -> Path:
    """Where the downloaded, converted TAEF2 lives: ``<semcom cache>/taef2`` (see :func:`cache_dir`)."""
    return cache_dir() / "taef2"


def _converted(path: Path) -> bool:
    return all((path / converted_name(name)).is_file() for name in FILES) and (path / PROVENANCE).is_file()


def converted_name(name: str) -> str:
    return name.replace(".pth", ".safetensors")


def find_taef2(folder: str | Path | None = None) -> Path:
    """The folder holding TAEF2: ``folder``, else ``$SEMCOM_TAEF2``, ``$SEMCOM_SHARED/weights/taef2``,
    ``../shared/weights/taef2`` (the upstream ``.pth`` files) or the user cache (converted ``.safetensors``)."""
    candidates = [Path(folder).expanduser()] if folder else [*_candidate_dirs(), cache_folder()]
    for path in candidates:
        if all((path / name).is_file() for name in FILES) or _converted(path):
            return path
    raise TAEF2Error(f"TAEF2 weights not found (looked in: {', '.join(map(str, candidates))}); set "
                     "SEMCOM_TAEF2=DIR or let semcom download them (unset SEMCOM_OFFLINE)")


def _load_pth(path: Path) -> dict[str, torch.Tensor]:
    if sha256_of(path) != FILES[path.name]:
        raise TAEF2Error(f"{path}: sha256 differs from the recorded TAEF2 release (corrupt or replaced file)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for unreadable or non-tensor pickles
        raise TAEF2Error(f"{path}: cannot be read as a weights-only state dict ({exc})") from None
    return {k: v.float() for k, v in state.items()}


def _load_converted(folder: Path, name: str) -> dict[str, torch.Tensor]:
    path = folder / converted_name(name)
    try:
        recorded = json.loads((folder / PROVENANCE).read_text())["converted_sha256"][path.name]
    except (OSError, ValueError, KeyError, TypeError):
        raise TAEF2Error(f"{folder / PROVENANCE}: unreadable; delete {folder} to download TAEF2 again") from None
    if sha256_of(path) != recorded:
        raise TAEF2Error(f"{path}: sha256 differs from the one recorded at conversion; delete {folder} to "
                         "download TAEF2 again")
    return {k: v.float() for k, v in load_file(path).items()}


def _load_state(folder: Path, name: str) -> dict[str, torch.Tensor]:
    return _load_pth(folder / name) if (folder / name).is_file() else _load_converted(folder, name)


def load_taef2(folder: str | Path | None = None, *, download: bool = True, progress: bool = False) -> TAEF2:
    """The pretrained TAEF2 in float32, eval mode, with every tensor's name and shape checked.

    Without ``folder``, a TAEF2 found nowhere (:func:`find_taef2`) is downloaded into the user cache first
    (:func:`download_taef2`) unless ``download`` is False or ``$SEMCOM_OFFLINE`` is set. Read once per
    process while its files are unchanged; each call returns its own copy.
    """
    try:
        root = find_taef2(folder)
    except TAEF2Error:
        if folder is not None or not download:
            raise
        root = download_taef2(progress=progress)
    files = sorted(p for p in root.iterdir() if p.is_file())
    return load_once(("taef2", *(file_identity(p) for p in files)), lambda: _build_taef2(root))


def _build_taef2(root: Path) -> TAEF2:
    model = TAEF2()
    for part, name in ((model.encoder, "taef2_encoder.pth"), (model.decoder, "taef2_decoder.pth")):
        state = _load_state(root, name)
        expected = part.state_dict()
        if set(state) != set(expected) or any(state[k].shape != expected[k].shape for k in expected):
            raise TAEF2Error(f"{root / name}: tensors do not match the TAEF2 layout")
        part.load_state_dict(state)
    return model.eval().requires_grad_(False)


def source_url() -> str:
    """The URL template TAEF2 is fetched from: ``$SEMCOM_TAEF2_URL`` (a mirror; ``{name}`` is replaced by the
    file name) or the upstream repository at the pinned commit."""
    return os.environ.get("SEMCOM_TAEF2_URL") or PINNED_URL


def offline_instructions(folder: Path) -> str:
    names = " and ".join(FILES)
    return (f"download {names} from {PINNED_URL.format(name='')} into {folder} (or any folder named by "
            "$SEMCOM_TAEF2)")


def download_taef2(folder: str | Path | None = None, url_template: str | None = None, *,
                   progress: bool = True) -> Path:
    """Fetch both upstream files (sha256-checked, atomically) and convert them once to ``.safetensors`` in
    ``folder`` (default: the user cache), with a ``provenance.json`` recording the source and both hashes.

    The files are staged in a temporary folder and moved in only when both are checked and converted; the
    upstream ``.pth`` files are not kept. Raises :class:`TAEF2Error`, in one line that
    says what to download and where, when the files cannot be fetched.
    """
    folder = Path(folder).expanduser() if folder else cache_folder()
    if _converted(folder):
        return folder
    url_template = url_template or source_url()
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".download-"))  # all or nothing reaches ``folder``
    try:
        converted = {}
        for name, digest in FILES.items():
            try:
                source = fetch(url_template.format(name=name), staging / name, digest, progress=progress)
            except DownloadError as exc:
                raise TAEF2Error(f"TAEF2 could not be downloaded: {exc}; to install it by hand, "
                                 f"{offline_instructions(folder)}") from None
            target = staging / converted_name(name)
            atomic_write_bytes(target, save(_load_pth(source)))
            converted[target.name] = sha256_of(target)
        record = {"source": url_template, "commit": PINNED_COMMIT, "source_sha256": FILES,
                  "converted_sha256": converted}
        atomic_write_bytes(staging / PROVENANCE, (json.dumps(record, indent=1) + "\n").encode())
        for name in [*converted, PROVENANCE]:  # the provenance last: it marks the folder complete
            os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
