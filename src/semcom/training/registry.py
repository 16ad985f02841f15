"""Trainers by name: what ``semcom train NAME`` runs.

A trainer has ``options``, a frozen dataclass of its settings, and ``run(options, out, command)``, which
trains into the run folder ``out`` (resuming from ``out/checkpoint.pt``) and records ``command``, the
command line that reproduces the run. ``semcom train NAME`` is made from the dataclass alone, with no CLI
code: each field is a flag ``--field-name`` (plus ``--out/-o``) whose type is the field's annotation
(int, float, str, bool, Path, Optional of them, or ``tuple[int, ...]`` written ``1,2,3``), whose default is
the field's default (none: a required flag) and whose help is ``metadata["help"]``
(:func:`semcom.training.options.option`). A field whose type is a dataclass, such as the model's own
config, adds that dataclass's fields as flags. The command's help is the trainer's ``help`` attribute or
docstring; ``out_help`` describes the run folder. An :class:`~semcom.training.options.OptionError` raised
by ``run`` is reported as a bad value of that flag (one line, exit 2).

A plugin adds a trainer by registering it in a module it lists under the ``semcom.schemes`` entry point
(:func:`trainers` imports those modules through :func:`semcom.plugins.load_plugins`)::

    from dataclasses import dataclass, field
    from semcom.training.options import TrainingOptions, option
    from semcom.training.registry import register_trainer

    @dataclass(frozen=True)
    class TinyConfig:                              # the model's config: --channels, --depth
        channels: int = option(8, "Latent channels.")
        depth: int = option(2, "Blocks per stage.")

    @dataclass(frozen=True, kw_only=True)
    class TinyOptions:
        model: TinyConfig = field(default_factory=TinyConfig)
        run: TrainingOptions = field(default_factory=TrainingOptions)   # --steps, --lr, --device, ...

    @register_trainer("tiny-jscc")
    class TinyTrainer:
        \"\"\"Train tiny-jscc on image crops; resumes from OUT/checkpoint.pt; exports OUT/final/.\"\"\"

        options = TinyOptions

        def run(self, options: TinyOptions, out, command: str) -> None:
            model = TinyModel(options.model)
            ...  # semcom.training.loop.train(task, ..., options.run.train_config(), out,
                 #     **options.run.loop_arguments()), then semcom.training.export.export_final(...)

after which ``semcom train tiny-jscc --depth 3 --steps 500 --out runs/tiny`` works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, TypeVar

from semcom.errors import UnknownNameError
from semcom.training.options import option_fields

_TRAINERS: dict[str, "Trainer"] = {}
T = TypeVar("T")


class Trainer(Protocol):
    options: type  # a frozen dataclass (see the module docstring)

    def run(self, options: Any, out: Path, command: str) -> None: ...


def register_trainer(name: str):
    """Decorator: register a trainer class (instantiated without arguments) or trainer object as ``name``."""

    def register(trainer: T) -> T:
        instance = trainer() if isinstance(trainer, type) else trainer
        option_fields(instance.options)  # an option no flag can hold fails here, not at the first --help
        known = _TRAINERS.get(name)
        if known is not None and type(known) is not type(instance):
            raise ValueError(f"trainer name {name!r} is already registered by {type(known).__name__}")
        _TRAINERS[name] = instance
        return trainer

    return register


def unregister_trainer(name: str) -> None:
    """Remove trainer ``name`` (tests that register a throwaway trainer)."""
    _TRAINERS.pop(name, None)


def trainers() -> dict[str, Trainer]:
    """Every trainer by name, in registration order: the built-in ones, then those of plugins."""
    import semcom.training.trainers  # noqa: F401  (registers the built-in trainers)
    from semcom.plugins import load_plugins

    load_plugins()  # a plug-in that fails to import warns once and is left out (semcom.plugins)
    return dict(_TRAINERS)


def get_trainer(name: str) -> Trainer:
    found = trainers().get(name)
    if found is None:
        raise UnknownNameError(f"unknown trainer {name!r}; available: {', '.join(_TRAINERS)}")
    return found
