"""``deepjscc`` and ``adjscc``: a JSCC baseline trained end to end on image crops, resumable, then exported."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from semcom.data import get_dataset, training_images
from semcom.errors import SemcomError
from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
from semcom.training.export import export_final
from semcom.training.loop import train
from semcom.training.options import OptionError, TrainingOptions, option, snr_range
from semcom.training.provenance import crops_description, provenance
from semcom.training.registry import register_trainer
from semcom.training.tasks import LOSSES, JSCCTask
from semcom.training.warm_start import apply_warm_start, initial_weights


@dataclass(frozen=True, kw_only=True)
class JSCCRunOptions(TrainingOptions):
    seed: int = option(0, "Seed of crops and channel noise.")
    validate_every: int = option(1000, "Steps between validations on bsds500-val crops.")
    bf16: bool = option(False, "bfloat16 autocast: faster on GPUs and CPUs with AMX, slower on CPUs without "
                        "(speed.md).")


@dataclass(frozen=True, kw_only=True)
class JSCCOptions:
    channels: int = option(8, "Latent channels c: rho = c/96 (8: 1/12, 2: 1/48, 1: 1/96).")
    width: int = option(32, "Hidden channels.")
    af_gate_bias: Optional[float] = option(
        None, "ADJSCC: initial bias of the AF gates (3: gates start near 1; default: PyTorch's init).")
    snr_db: str = option("10", "Training SNR in dB, or a range lo:hi drawn per sample.")
    loss: str = option("mse", "mse, or log-mse (mean PSNR: every SNR of a range counts equally).")
    warmup: int = option(0, "Steps of linear learning-rate warm-up (ADJSCC from scratch needs it).")
    init_from: Optional[str] = option(
        None, "Warm start: copy matching tensors from weights NAME|PATH (fine-tuning).")
    run: JSCCRunOptions = field(default_factory=JSCCRunOptions)


@dataclass(frozen=True, kw_only=True)
class ADJSCCOptions(JSCCOptions):
    width: int = option(128, "Hidden channels.")
    snr_db: str = option("0:28", "Training SNR in dB, or a range lo:hi drawn per sample.")


class JSCCTrainer:
    """Train ``arch`` (deepjscc | adjscc) on image crops."""

    def __init__(self, arch: str, options: type[JSCCOptions]):
        self.arch, self.options = arch, options
        self.help = f"Train {arch} on BSDS500 crops; resumes from OUT/checkpoint.pt; exports OUT/final/."

    def run(self, options: JSCCOptions, out: Path, command: str) -> None:
        if options.loss not in LOSSES:
            raise OptionError("--loss", f"must be one of {', '.join(LOSSES)}")
        if options.af_gate_bias is not None and self.arch != "adjscc":
            raise OptionError("--af-gate-bias", "applies to adjscc only")
        low, high = snr_range(options.snr_db)
        if options.channels < 1 or options.width < 1:
            raise SemcomError(f"--channels and --width must be at least 1, got {options.channels} and "
                              f"{options.width}")
        run = options.run
        if run.crop % JSCCAutoencoder.size_multiple:
            raise SemcomError(f"--crop must be a multiple of {JSCCAutoencoder.size_multiple} for {self.arch}, "
                              f"got {run.crop}")
        config = run.train_config(snr_db_min=low, snr_db_max=high, warmup_steps=options.warmup)
        train_set = training_images(run.dataset, data_dir=run.data)
        val_set = get_dataset("bsds500-val", data_dir=run.data)
        model_config = JSCCConfig(arch=self.arch, channels=options.channels, width=options.width,
                                  af_gate_bias=options.af_gate_bias)
        model = initial_weights(lambda: JSCCAutoencoder(model_config), run.init_seed)
        apply_warm_start(model, options.init_from, out)
        result = train(JSCCTask(model, loss=options.loss), train_set, val_set, config, out,
                       **run.loop_arguments())
        if result.steps < config.steps or not result.is_main:  # unfinished, or not the rank that exports
            return
        record = provenance(self.arch, model_config.rho, config, result, command, options.init_from,
                            crops_description(run.dataset))
        folder = export_final(out, JSCCAutoencoder(model_config), model_config, {**record, "loss": options.loss})
        print(f"exported {folder}")


register_trainer("deepjscc")(JSCCTrainer("deepjscc", JSCCOptions))
register_trainer("adjscc")(JSCCTrainer("adjscc", ADJSCCOptions))
