"""Shipped weights: folders of ``config.json`` + ``weights.safetensors`` (see :mod:`semcom.zoo.pretrained`)."""

from semcom.zoo.pretrained import WeightsError, file_sha256, from_pretrained, save_pretrained

__all__ = ["WeightsError", "file_sha256", "from_pretrained", "save_pretrained"]
