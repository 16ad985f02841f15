"""A training run's options as frozen dataclasses: each field is one option (``semcom train`` makes it the
flag ``--field-name``, see :mod:`semcom.training.registry`).

:func:`option` declares a field with its help. A field whose type is a dataclass (a model's config, the
shared :class:`TrainingOptions`) contributes its own fields, so options compose: :func:`option_fields` lists
the flattened fields and :func:`options_from` builds the nested instance back from flat values. Field names
are unique over the whole composition; ``tuple[int, ...]`` fields are written ``"32,64,64"``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from semcom.device import DEVICE_HELP
from semcom.errors import SemcomError
from semcom.training.loop import LOG_EVERY, TrainConfig

SCALARS = (int, float, str, bool, Path)
TUPLE_ITEMS = (int, float, str)  # what a "1,2,3" option may hold


def option(default: Any = MISSING, help: str = "", *, min: Optional[int] = None,
           default_factory: Any = MISSING):
    """A dataclass field that is an option: no ``default`` (nor ``default_factory``) makes it required;
    ``min`` is the least value an integer option accepts."""
    metadata = {"help": help, **({"min": min} if min is not None else {})}
    return field(default=default, default_factory=default_factory, metadata=metadata)


class OptionError(SemcomError, ValueError):
    """A value that option ``flag`` (e.g. ``--loss``) cannot take."""

    def __init__(self, flag: str, message: str):
        super().__init__(f"invalid value for {flag}: {message}")
        self.flag, self.message = flag, message


def flag_of(name: str) -> str:
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class OptionField:
    """One flattened option: ``type`` is a scalar or ``tuple[scalar, ...]`` (``Optional`` removed, see
    ``optional``); ``default`` is ``MISSING`` for a required option."""

    name: str
    type: Any
    default: Any
    help: str
    optional: bool
    min: Optional[int]

    @property
    def flag(self) -> str:
        return flag_of(self.name)

    @property
    def is_tuple(self) -> bool:
        return typing.get_origin(self.type) is tuple


def option_fields(options_type: type) -> list[OptionField]:
    """The options of dataclass ``options_type``, nested dataclasses flattened, in declaration order.
    Raises TypeError for a field type no option can hold and ValueError for a name used twice."""
    fields = _flatten(options_type, None)
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            raise ValueError(f"{options_type.__name__}: option {f.flag} is declared twice")
        seen.add(f.name)
    return fields


def options_from(options_type: type, values: Mapping[str, Any], base: Any = None):
    """An ``options_type`` from flat ``values`` (name → value; tuples may be given as ``"1,2,3"``); options
    not in ``values`` keep their defaults (those of ``base``, an ``options_type``, when given)."""
    hints = typing.get_type_hints(options_type)
    kwargs = {}
    for f in _init_fields(options_type):
        kind = _without_none(hints[f.name])[0]
        current = getattr(base, f.name) if base is not None else _default(f)
        if dataclasses.is_dataclass(kind):
            if current is MISSING or _mentions(kind, values):
                kwargs[f.name] = options_from(kind, values, None if current is MISSING else current)
        elif f.name in values:
            kwargs[f.name] = _parse_tuple(f.name, kind, values[f.name]) if typing.get_origin(kind) is tuple \
                else values[f.name]
    return dataclasses.replace(base, **kwargs) if base is not None else options_type(**kwargs)


def _flatten(options_type: type, instance) -> list[OptionField]:
    if not dataclasses.is_dataclass(options_type):
        raise TypeError(f"options must be a dataclass, got {options_type!r}")
    hints = typing.get_type_hints(options_type)
    out = []
    for f in _init_fields(options_type):
        kind, optional = _without_none(hints[f.name])
        default = getattr(instance, f.name) if instance is not None else _default(f)
        if dataclasses.is_dataclass(kind):
            out += _flatten(kind, None if default is MISSING else default)
            continue
        if not _holdable(kind):
            raise TypeError(f"{options_type.__name__}.{f.name}: an option is one of "
                            f"{', '.join(t.__name__ for t in SCALARS)}, a tuple[int|float|str, ...] or an "
                            f"Optional of them, not {hints[f.name]}")
        out.append(OptionField(f.name, kind, default, f.metadata.get("help", ""), optional, f.metadata.get("min")))
    return out


def _init_fields(options_type: type) -> list[dataclasses.Field]:
    """The fields set through the constructor (``field(init=False)`` ones are derived, not options)."""
    return [f for f in dataclasses.fields(options_type) if f.init]


def _holdable(kind) -> bool:
    if typing.get_origin(kind) is tuple:
        args = typing.get_args(kind)
        return len(args) == 2 and args[0] in TUPLE_ITEMS and args[1] is Ellipsis
    return kind in SCALARS


def _default(f: dataclasses.Field):
    return f.default_factory() if f.default_factory is not MISSING else f.default


def _without_none(kind) -> tuple[Any, bool]:
    """``Optional[X]`` → ``(X, True)``; ``X`` → ``(X, False)``."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return kind, False


def _mentions(options_type: type, values: Mapping[str, Any]) -> bool:
    return any(f.name in values for f in _flatten(options_type, None))


def _parse_tuple(name: str, kind, value):
    if value is None or isinstance(value, tuple):
        return value
    scalar = typing.get_args(kind)[0]
    try:
        return tuple(scalar(v.strip()) for v in str(value).split(",") if v.strip())
    except ValueError:
        raise OptionError(flag_of(name), f"{value!r} is not a comma-separated list of {scalar.__name__}s") from None


def snr_range(text: str) -> tuple[float, float]:
    """``"10"`` → (10, 10); ``"0:28"`` → (0, 28) (SNRs drawn uniformly per sample)."""
    from semcom.evaluation.grid import parse_snr_grid

    if ":" in text:
        low, high = (parse_snr_grid(p)[0] for p in text.split(":", 1))
        return low, high
    value = parse_snr_grid(text)[0]
    return value, value


DATASET_HELP = ("Training images: a dataset name, an image folder (DIV2K/CLIC-style photos are the recommended GPU "
                "training set), or several, comma-separated, read as one.")


@dataclass(frozen=True, kw_only=True)
class TrainingOptions:
    """The options every run of :func:`semcom.training.loop.train` has: optimization, data, seeds,
    checkpoints and where it runs. A trainer's subclass changes a default or a help by redeclaring the field."""

    steps: int = option(20_000, "Optimizer steps.")
    batch_size: int = option(16, "Crops per step.")
    crop: int = option(128, "Crop side in pixels.")
    lr: float = option(1e-3, "Initial learning rate (cosine decay to lr/10).")
    data: Optional[str] = option(None, "Data root with bsds500/ (else $SEMCOM_DATA).")
    dataset: str = option("bsds500-train", DATASET_HELP)
    seed: int = option(0, "Seed of crops and noise.")
    init_seed: int = option(0, "Seed of the initial weights.")
    checkpoint_every: int = option(200, "Steps between atomic checkpoints.")
    validate_every: int = option(1000, "Steps between validations.")
    bf16: bool = option(False, "bfloat16 autocast.")
    compile: bool = option(False, "torch.compile the trained model (Inductor; the first step compiles): 1.8x the "
                           "ADJSCC bf16 steps/s on 2 CPU threads, not faster for DeepJSCC (speed.md).")
    device: str = option("auto", "Where to train: " + DEVICE_HELP)
    workers: int = option(0, "DataLoader processes that make the batches ahead of the steps (same batches, same "
                          "weights; 0: in the training process). 4-8 keep a GPU busy.", min=0)
    log_every: int = option(LOG_EVERY, "Steps per log.csv row (their means); the only wait for the device between "
                            "rows.", min=1)

    def train_config(self, **settings) -> TrainConfig:
        """The loop's :class:`TrainConfig` from these options (lr decays to lr/10) and ``settings``
        (warm-up, SNR range, validation crop)."""
        return TrainConfig(steps=self.steps, batch_size=self.batch_size, crop_size=self.crop, lr=self.lr,
                           lr_final=self.lr / 10, seed=self.seed, bf16=self.bf16,
                           checkpoint_every=self.checkpoint_every, validate_every=self.validate_every, **settings)

    def loop_arguments(self) -> dict:
        """The keyword arguments of :func:`semcom.training.loop.train` that these options set."""
        return {"compile_model": self.compile, "device": self.device, "data_workers": self.workers,
                "log_every": self.log_every}
