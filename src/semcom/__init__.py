"""semcom: semantic communication of images over noisy wireless channels.

See DESIGN.md (shipped with the source) for units and conventions: images are ``float32 [B, 3, H, W]`` in
[0, 1]; channel symbols are ``complex64 [B, k]`` with unit mean power per image; ``snr_db = 10 log10(P / sigma²)``
with ``sigma² = E|n|²`` per complex symbol.
"""

__version__ = "0.1.0"

__all__ = ["list_pretrained", "load_scheme"]


def __getattr__(name: str):
    # The facade is imported on first use, so ``import semcom`` stays cheap (no torch/diffusers import).
    if name in __all__:
        from semcom import api

        return getattr(api, name)
    raise AttributeError(f"module 'semcom' has no attribute {name!r}")
