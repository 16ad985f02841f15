"""The notebook entry points: ``semcom.load_scheme`` and ``semcom.list_pretrained``.

    import semcom
    scheme = semcom.load_scheme("adjscc-snr0to28-rho1_12", device="auto")
    sent = scheme(images, 10.0, channel="rayleigh:csi=ls", seed=0)   # any H, W; padded and cropped back
    sent.reconstruction, sent.rho, sent.noise_var_used
"""

from __future__ import annotations

from typing import Optional

from semcom.device import resolve_device
from semcom.schemes.base import Scheme


def list_pretrained(available_only: bool = False) -> dict[str, str]:
    """``{name: scheme spec}`` of every scheme the shipped weights make runnable (the zoo's catalog); with
    ``available_only``, only those whose weights are on this machine (TAEF2 is downloaded on first use)."""
    from semcom.zoo.catalog import available_catalog, shipped_catalog

    entries = available_catalog()[0] if available_only else shipped_catalog()
    return {entry.label: entry.spec for entry in entries}


def load_scheme(spec_or_name: str, device: Optional[str] = "auto", precision: Optional[str] = None) -> Scheme:
    """A ready-to-call scheme from a pretrained name (:func:`list_pretrained`) or any scheme spec
    (``"latent-diff:codec=...,denoiser=..."``, ``"jpeg+ldpc:rho=1/12"``), on ``device``
    (``auto``/``cpu``/``cuda``/``cuda:N``) at ``precision`` (``fp32``/``bf16``, learned schemes only)."""
    from semcom.schemes import create_scheme

    spec = list_pretrained().get(spec_or_name, spec_or_name)
    return create_scheme(spec, device=resolve_device(device), precision=precision)
