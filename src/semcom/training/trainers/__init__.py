"""The built-in trainers (``semcom train NAME``), registered on import (see :mod:`semcom.training.registry`)."""

# in the order `semcom train --help` lists them
from semcom.training.trainers import jscc, latent_diff, projection, bandwidth  # noqa: F401,I001
