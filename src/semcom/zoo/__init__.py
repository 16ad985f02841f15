"""Shipped weights: folders of ``config.json`` + ``weights.safetensors`` listed in ``manifest.json``."""

from semcom.zoo.pretrained import WeightsError, file_sha256, from_pretrained, save_pretrained
from semcom.zoo.registry import MAX_SHIPPED_BYTES, ZOO_DIR, add_to_zoo, load_manifest, load_weights, resolve_weights

__all__ = ["MAX_SHIPPED_BYTES", "ZOO_DIR", "WeightsError", "add_to_zoo", "file_sha256", "from_pretrained",
           "load_manifest", "load_weights", "resolve_weights", "save_pretrained"]
