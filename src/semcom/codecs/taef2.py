"""TAEF2: the tiny autoencoder distilled from the FLUX.2 VAE (madebyollin/taesd, MIT), as a latent codec.

Images ``float32 [B, 3, H, W]`` in [0, 1] (not [-1, 1]) ↔ latents ``float32 [B, 32, H/8, W/8]``.
The layer layout (plain convolutions, ReLU residual blocks, a GroupNorm side branch in the blocks at the
latent resolution) is rebuilt here from the published state-dict keys so the third-party ``.pth`` files
load with ``torch.load(weights_only=True)``: nothing is unpickled. The weights are never shipped; they
are found on disk (``../shared/weights/taef2``) or downloaded from their pinned public URL and checked
against the recorded sha256.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

import torch
from torch import nn

from semcom.errors import SemcomError

LATENT_CHANNELS = 32
DOWNSAMPLING = 8
WIDTH = 64
FILES = {  # name -> sha256, from ../shared/weights/taef2/PROVENANCE.txt
    "taef2_encoder.pth": "10a4e1021e89d7551eaf161352da8dbd0b1aa83872ae28b150c1df1ce2f147b6",
    "taef2_decoder.pth": "0a44a31e1ae59eb9dbf9359d24942fd3ef5928162c1800d97a28c61d51be0ab5",
}
PINNED_URL = "https://github.com/madebyollin/taesd/raw/5cccb12dc72074a4be35680c3b108548a7c69978/{name}"


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

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder(images)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return self.decoder(latents).clamp(0, 1)


def _candidate_dirs() -> list[Path]:
    found = []
    if os.environ.get("SEMCOM_TAEF2"):
        found.append(Path(os.environ["SEMCOM_TAEF2"]).expanduser())
    if os.environ.get("SEMCOM_SHARED"):
        found.append(Path(os.environ["SEMCOM_SHARED"]).expanduser() / "weights" / "taef2")
    found.append(Path.cwd().parent / "shared" / "weights" / "taef2")
    return found


def find_taef2(folder: str | Path | None = None) -> Path:
    """The folder holding both TAEF2 files: ``folder``, else ``$SEMCOM_TAEF2``, ``$SEMCOM_SHARED/weights/
    taef2`` or ``../shared/weights/taef2``."""
    candidates = [Path(folder).expanduser()] if folder else _candidate_dirs()
    for path in candidates:
        if all((path / name).is_file() for name in FILES):
            return path
    looked = ", ".join(map(str, candidates))
    raise TAEF2Error(f"TAEF2 weights not found (looked in: {looked}); set SEMCOM_TAEF2 or run "
                     "`semcom.codecs.taef2.download_taef2(DIR)` on a machine with internet")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_state(path: Path) -> dict[str, torch.Tensor]:
    if _sha256(path) != FILES[path.name]:
        raise TAEF2Error(f"{path}: sha256 differs from the recorded TAEF2 release (corrupt or replaced file)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for unreadable or non-tensor pickles
        raise TAEF2Error(f"{path}: cannot be read as a weights-only state dict ({exc})") from None
    return {k: v.float() for k, v in state.items()}


def load_taef2(folder: str | Path | None = None) -> TAEF2:
    """The pretrained TAEF2 in float32, eval mode, with every tensor's name and shape checked."""
    root = find_taef2(folder)
    model = TAEF2()
    for part, name in ((model.encoder, "taef2_encoder.pth"), (model.decoder, "taef2_decoder.pth")):
        state = _load_state(root / name)
        expected = part.state_dict()
        if set(state) != set(expected) or any(state[k].shape != expected[k].shape for k in expected):
            raise TAEF2Error(f"{root / name}: tensors do not match the TAEF2 layout")
        part.load_state_dict(state)
    return model.eval().requires_grad_(False)


def download_taef2(folder: str | Path, url_template: str = PINNED_URL) -> Path:
    """Fetch both files from the pinned public URL into ``folder`` (atomically), checking each sha256."""
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    for name, digest in FILES.items():
        target = folder / name
        if target.is_file() and _sha256(target) == digest:
            continue
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as tmp:
            with urllib.request.urlopen(url_template.format(name=name), timeout=60) as response:
                shutil.copyfileobj(response, tmp)
        if _sha256(Path(tmp.name)) != digest:
            os.unlink(tmp.name)
            raise TAEF2Error(f"downloaded {name} does not match the recorded sha256")
        os.replace(tmp.name, target)
    return folder
