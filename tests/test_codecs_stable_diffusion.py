"""Stable Diffusion through diffusers ``from_pretrained``: the real loading path, exercised on a tiny random
pipeline folder (vae, unet, scheduler, CLIP text encoder + tokenizer) written here."""

import json

import pytest
import torch

from semcom.channels import ChannelSpec
from semcom.codecs.stable_diffusion import StableDiffusionError, load_stable_diffusion_denoiser
from semcom.diffusion import ScheduleConfig, alphas_cumprod
from semcom.diffusion.schedule import matched_step
from semcom.schemes import create_scheme


def _tiny_tokenizer(folder):
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, "a</w>": 2, "!": 3}
    folder.mkdir(parents=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=8).save_pretrained(folder)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    root = tmp_path_factory.mktemp("sd")
    torch.manual_seed(0)
    AutoencoderKL(block_out_channels=(8, 8), down_block_types=("DownEncoderBlock2D",) * 2,
                  up_block_types=("UpDecoderBlock2D",) * 2, latent_channels=4, norm_num_groups=4,
                  layers_per_block=1, scaling_factor=0.18215).save_pretrained(root / "vae")
    UNet2DConditionModel(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8, 16),
                         down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                         up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), layers_per_block=1,
                         cross_attention_dim=12, attention_head_dim=4, norm_num_groups=4).save_pretrained(root / "unet")
    DDPMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear").save_pretrained(root / "scheduler")
    CLIPTextModel(CLIPTextConfig(vocab_size=4, hidden_size=12, intermediate_size=16, num_hidden_layers=1,
                                 num_attention_heads=2, max_position_embeddings=8)).save_pretrained(root / "text_encoder")
    _tiny_tokenizer(root / "tokenizer")
    return root


def test_denoiser_takes_the_unet_schedule_and_empty_prompt(pipeline):
    denoiser = load_stable_diffusion_denoiser(str(pipeline))
    assert denoiser.schedule == ScheduleConfig(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
    assert denoiser.conditioning.shape == (1, 8, 12) and denoiser.latent_channels == 4
    expected = torch.cumprod(1 - torch.linspace(0.00085**0.5, 0.012**0.5, 1000, dtype=torch.float64) ** 2, 0)
    torch.testing.assert_close(alphas_cumprod(denoiser.schedule), expected)
    assert denoiser(torch.randn(2, 4, 8, 8), torch.tensor([5, 500])).shape == (2, 4, 8, 8)


@pytest.mark.parametrize("scheme", ["latent-diff", "bandwidth-diff"])
def test_schemes_run_on_stable_diffusion(pipeline, scheme, tmp_path):
    source = f"sd:{pipeline}"
    extra = ""
    if scheme == "bandwidth-diff":
        from semcom.models.bandwidth import BandwidthCompressor, BandwidthConfig
        from semcom.zoo import save_pretrained

        config = BandwidthConfig(latent_channels=4, channels=2, downsampling=2, width=8, blocks=1)
        save_pretrained(BandwidthCompressor(config), config, tmp_path / "pair")
        extra = f",compressor={tmp_path / 'pair'}"
    run = create_scheme(f"{scheme}:codec={source},denoiser={source}{extra},steps=3")
    images = torch.rand(1, 3, 32, 32)
    sent = run.transmit(images, 5.0, ChannelSpec.parse("awgn"), torch.Generator().manual_seed(0))
    assert sent.reconstruction.shape == images.shape and sent.denoise_steps == 3
    # the start step comes from the U-Net's own (scaled-linear) schedule, not semcom's linear one
    told = sent.noise_var_used.double()
    own, linear = matched_step(told, run.denoiser.schedule), matched_step(told, ScheduleConfig())
    assert sent.row_info(0)["start_step"] == int(own[0]) != int(linear[0])


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(StableDiffusionError, match="unet"):
        load_stable_diffusion_denoiser(str(tmp_path))
