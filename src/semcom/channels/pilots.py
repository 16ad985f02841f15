"""Pilot frames: ``num_pilots`` known symbols at the start of every coherence block.

Layout of one image's frame with block length L (data symbols per block)::

    [p_1..p_P, d_1..d_L, p_1..p_P, d_{L+1}..d_{2L}, ..., p_1..p_P, d_..d_k]

Pilots cost channel uses: the frame has ``k + num_blocks * num_pilots`` symbols, and schemes report that
total as their k.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


def pilot_sequence(num_pilots: int) -> torch.Tensor:
    """Known unit-power pilots ``(1 + j) / sqrt(2)`` repeated: ``complex64 [num_pilots]``."""
    return torch.full((num_pilots,), complex(2**-0.5, 2**-0.5), dtype=torch.complex64)


@dataclass(frozen=True)
class FrameLayout:
    """Where data and pilots sit in a frame. ``block_len`` counts data symbols per block."""

    num_data: int
    block_len: int
    num_pilots: int

    @property
    def num_blocks(self) -> int:
        return -(-self.num_data // self.block_len)

    @property
    def frame_len(self) -> int:
        return self.num_data + self.num_blocks * self.num_pilots

    @property
    def coherence_len(self) -> int:
        """Symbols per block on the air (pilots + data): the fading coherence length of the frame."""
        return self.block_len + self.num_pilots


def build_frame(data: torch.Tensor, layout: FrameLayout) -> torch.Tensor:
    """Interleave pilots into ``complex64 [B, k]`` data → ``complex64 [B, frame_len]``."""
    b = data.shape[0]
    padded_len = layout.num_blocks * layout.block_len
    blocks = torch.nn.functional.pad(data, (0, padded_len - layout.num_data)).reshape(b, -1, layout.block_len)
    pilots = pilot_sequence(layout.num_pilots).to(data.device).expand(b, layout.num_blocks, -1)
    # The zero padding of the last block sits at the very end of the frame, so truncation drops it.
    return torch.cat([pilots, blocks], dim=2).reshape(b, -1)[:, : layout.frame_len]


def split_frame(frame: torch.Tensor, layout: FrameLayout) -> tuple[torch.Tensor, torch.Tensor]:
    """Inverse of :func:`build_frame` for any per-symbol tensor ``[B, frame_len]``.

    Returns ``(pilot_part [B, num_blocks, num_pilots], data_part [B, num_data])``.
    """
    b = frame.shape[0]
    full_len = layout.num_blocks * layout.coherence_len
    blocks = torch.nn.functional.pad(frame, (0, full_len - layout.frame_len)).reshape(
        b, layout.num_blocks, layout.coherence_len
    )
    pilots = blocks[:, :, : layout.num_pilots]
    data = blocks[:, :, layout.num_pilots :].reshape(b, -1)[:, : layout.num_data]
    return pilots, data
