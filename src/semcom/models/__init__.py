"""Network architectures of the learned schemes (kept apart from the schemes that use them)."""
