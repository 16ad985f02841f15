"""``semcom train tiny-jscc``: the tiny JSCC trained end to end over AWGN, registered through the same entry
point as the scheme. Every flag comes from the dataclasses below; semcom's loop does checkpoints, resume,
validation and the export with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from semcom.data import get_dataset, training_images
from semcom.training.export import export_final
from semcom.training.loop import train
from semcom.training.options import TrainingOptions, option, snr_range
from semcom.training.provenance import crops_description, provenance
from semcom.training.registry import register_trainer
from semcom.training.tasks import JSCCTask
from semcom.training.warm_start import initial_weights
from semcom_example_plugin.model import TinyJSCC, TinyJSCCConfig


@dataclass(frozen=True, kw_only=True)
class TinyJSCCOptions:
    channels: int = option(8, "Real latent values per patch: rho = channels / (6 patch²).")
    patch: int = option(8, "Patch side (the encoder's stride).")
    snr_db: str = option("0:20", "Training SNR in dB, or a range lo:hi drawn per image.")
    run: TrainingOptions = field(default_factory=lambda: TrainingOptions(steps=300, batch_size=8, crop=64,
                                                                          lr=1e-3, validate_every=100))


@register_trainer("tiny-jscc")
class TinyJSCCTrainer:
    """Train tiny-jscc on image crops over AWGN; resumes from OUT/checkpoint.pt; exports OUT/final/."""

    options = TinyJSCCOptions

    def run(self, options: TinyJSCCOptions, out: Path, command: str) -> None:
        low, high = snr_range(options.snr_db)
        run = options.run
        config = run.train_config(snr_db_min=low, snr_db_max=high)
        model_config = TinyJSCCConfig(channels=options.channels, patch=options.patch)
        model = initial_weights(lambda: TinyJSCC(model_config), run.init_seed)
        result = train(JSCCTask(model), training_images(run.dataset, data_dir=run.data),
                       get_dataset("bsds500-val", data_dir=run.data), config, out, **run.loop_arguments())
        if result.steps < config.steps or not result.is_main:
            return
        record = provenance("tiny-jscc", model_config.rho, config, result, command, None,
                            crops_description(run.dataset))
        print(f"exported {export_final(out, TinyJSCC(model_config), model_config, record)}")
