"""Weights by name: zoo folders of ``config.json`` + ``weights.safetensors`` listed in ``manifest.json``
(the package's, the user's and plugins'), with files found locally, in the user cache or on the hub."""

from semcom.zoo.pretrained import WeightsError, file_sha256, from_pretrained, save_pretrained
from semcom.zoo.registry import (MAX_SHIPPED_BYTES, ZOO_DIR, add_to_zoo, load_manifest, load_weights, register_zoo,
                                 resolve_weights, user_zoo_dir)

__all__ = ["MAX_SHIPPED_BYTES", "ZOO_DIR", "WeightsError", "add_to_zoo", "file_sha256", "from_pretrained",
           "load_manifest", "load_weights", "register_zoo", "resolve_weights", "save_pretrained", "user_zoo_dir"]
