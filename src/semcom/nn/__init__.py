"""Neural-network building blocks shared by the learned schemes."""

from semcom.nn.gdn import GDN, IGDN, NonNegativeParameter

__all__ = ["GDN", "IGDN", "NonNegativeParameter"]
