"""Random draws that do not depend on the device or on how images are batched (DESIGN.md §1, "Randomness").

The rule: every draw is made by the generator of the image it belongs to, on the generator's device (the CPU
for every generator semcom makes), and then moved to the device the computation runs on. A batch carries
either one generator for the whole batch or one per image (a sequence, as in diffusers). With one generator per image, image i receives exactly the draws it
would receive if it were sent alone, in the same order, so a row of a results file has the same value
whether it was computed alone or in a batch of 16, on a CPU or on a GPU (up to the device's float
arithmetic, never its random numbers).
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import torch

Generators = Optional[Union[torch.Generator, Sequence[torch.Generator]]]


def is_per_image(generator: Generators) -> bool:
    return generator is not None and not isinstance(generator, torch.Generator)


def generator_of(generator: Generators, index: int) -> Optional[torch.Generator]:
    """The generator that image ``index`` draws from: its own, or the batch's shared one."""
    return generator[index] if is_per_image(generator) else generator


def check_generators(generator: Generators, batch: int) -> None:
    if is_per_image(generator) and len(generator) != batch:
        raise ValueError(f"got {len(generator)} generators for a batch of {batch} images")


def randn(shape: Sequence[int], generator: Generators = None, device=None,
          dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Standard normal draws of ``shape`` (``shape[0]`` is the batch), made where the generator lives and
    returned on ``device`` (default: where they were drawn).

    ``dtype`` may be complex (``torch.complex64``: unit total variance, 1/2 per real part). With no
    generator, torch's default CPU generator is used (so results are reproducible with ``torch.manual_seed``).
    """
    shape = tuple(int(s) for s in shape)
    if is_per_image(generator):
        check_generators(generator, shape[0])
        draws = [torch.randn(shape[1:], dtype=dtype, generator=g, device=_home(g)) for g in generator]
        drawn = torch.stack([d.to(device) for d in draws]) if draws else torch.empty(shape, dtype=dtype)
    else:
        drawn = torch.randn(shape, dtype=dtype, generator=generator, device=_home(generator))
    return drawn.to(device) if device is not None else drawn


def _home(generator: Optional[torch.Generator]) -> torch.device:
    """Where a generator draws: its own device (the CPU for every generator semcom makes)."""
    return generator.device if generator is not None else torch.device("cpu")
