"""Latent codecs for the diffusion schemes: the pretrained TAEF2 tiny autoencoder (loaded, never shipped)."""

from semcom.codecs.taef2 import TAEF2, TAEF2Error, find_taef2, load_taef2

__all__ = ["TAEF2", "TAEF2Error", "find_taef2", "load_taef2"]
