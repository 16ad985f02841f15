"""Schemes on any device (issue 23): modules that move, per-image random draws, the batched reverse process,
the notebook facade, what the receiver reports, and bf16.

Tests marked ``device`` run on ``$SEMCOM_TEST_DEVICE`` (default cpu); ``scripts/device_check.sh`` runs them on
CUDA. They use randomly initialised tiny models saved with ``save_pretrained``, so they need no ../shared.
"""

from __future__ import annotations

import os

import pytest
import torch
from diffusers import DDPMScheduler

from semcom.channels import ChannelSpec
from semcom.codecs.latent_vae import LatentVAE, LatentVAEConfig
from semcom.diffusion import DenoiserConfig, LatentDenoiser, ScheduleConfig, denoise_from, timesteps_from
from semcom.diffusion.schedule import alphas_cumprod, matched_step
from semcom.models.bandwidth import BandwidthCompressor, BandwidthConfig
from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
from semcom.schemes import canonical_spec, create_scheme
from semcom.schemes.registry import SchemeOptionError
from semcom.zoo import save_pretrained

DEVICE = torch.device(os.environ.get("SEMCOM_TEST_DEVICE", "cpu"))
# float arithmetic differs between devices (and between batch sizes within one): never the random numbers
ATOL = 1e-4 if DEVICE.type == "cpu" else 2e-3


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Folders of randomly initialised tiny models: an f4 VAE with 4 latent channels, a de-noiser on it, an
    ADJSCC and a DeepJSCC, and a bandwidth compressor pair (4 → 2 channels)."""
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny")
    models = {
        "vae": (LatentVAE, LatentVAEConfig(latent_channels=4, widths=(8, 8, 8), norm_groups=4)),
        "den": (LatentDenoiser, DenoiserConfig(latent_channels=4, widths=(16, 16), attention_levels=(1,),
                                               norm_groups=8)),
        "adjscc": (JSCCAutoencoder, JSCCConfig(arch="adjscc", channels=4, width=8)),
        "deepjscc": (JSCCAutoencoder, JSCCConfig(arch="deepjscc", channels=4, width=8)),
        "bw": (BandwidthCompressor, BandwidthConfig(latent_channels=4, channels=2, downsampling=4, width=8,
                                                     blocks=1)),
    }
    return {name: save_pretrained(cls(config), config, root / name) for name, (cls, config) in models.items()}


def specs(tiny) -> dict[str, str]:
    latent = f"latent-diff:codec={tiny['vae']},denoiser={tiny['den']}"
    return {
        "latent-ddim": f"{latent},sampler=ddim,steps=4",
        "latent-ddpm": f"{latent},sampler=ddpm,start=fixed,steps=5",
        "bandwidth": f"bandwidth-diff:codec={tiny['vae']},compressor={tiny['bw']},denoiser={tiny['den']},steps=3",
        "adjscc": f"adjscc:weights={tiny['adjscc']}",
        "deepjscc": f"deepjscc:weights={tiny['deepjscc']}",
        "identity": "identity-analog:receiver=lmmse",
        "jpeg": "jpeg+capacity:rho=1/6",
    }


def generators(seed: int, count: int) -> list[torch.Generator]:
    return [torch.Generator().manual_seed(seed + i) for i in range(count)]


@pytest.mark.device
@pytest.mark.parametrize("name", ["latent-ddim", "latent-ddpm", "bandwidth", "adjscc", "deepjscc", "identity", "jpeg"])
def test_to_device_and_back_gives_the_cpu_reconstruction(tiny, name):
    scheme = create_scheme(specs(tiny)[name])
    images = torch.rand(2, 3, 32, 40, generator=torch.Generator().manual_seed(1))
    channel = "rayleigh:csi=ls,eq=mmse,snr=pilot"
    on_cpu = scheme(images, 10.0, channel, seed=3)
    assert scheme.to(DEVICE) is scheme and scheme.device.type == DEVICE.type
    assert all(p.device.type == DEVICE.type for p in scheme.parameters())
    moved = scheme(images, 10.0, channel, seed=3)
    assert moved.reconstruction.device.type == DEVICE.type
    assert torch.allclose(moved.reconstruction.cpu(), on_cpu.reconstruction, atol=ATOL * 10)
    scheme.to("cpu")
    assert scheme.device.type == "cpu" and all(p.device.type == "cpu" for p in scheme.parameters())
    assert torch.equal(scheme(images, 10.0, channel, seed=3).reconstruction, on_cpu.reconstruction)


@pytest.mark.device
def test_a_result_row_records_the_hardware_it_was_computed_on(tiny):
    """A resumed sweep may continue on another device, so every row says where it ran."""
    from semcom.device import hardware_name
    from semcom.evaluation.sweep import SweepConfig, evaluate_realizations

    spec = specs(tiny)["adjscc"]
    scheme = create_scheme(spec).to(DEVICE)
    image = torch.rand(3, 32, 32, generator=torch.Generator().manual_seed(4))
    rows = evaluate_realizations(scheme, image, 5.0, ChannelSpec.parse("awgn"),
                                 SweepConfig(schemes=[spec], snr_db=[5.0], metrics=["psnr"]), "d", "x", "c", [0, 1])
    assert [r.info["hardware"] for r in rows] == [hardware_name(DEVICE)] * 2
    assert hardware_name(torch.device("cpu")) == "CPU"


@pytest.mark.device
@pytest.mark.parametrize("name", ["latent-ddim", "latent-ddpm", "bandwidth", "adjscc", "identity"])
def test_a_batch_with_one_generator_per_image_equals_each_image_sent_alone(tiny, name):
    """The rule of semcom.rng: batching (and the device) never changes an image's random draws."""
    scheme = create_scheme(specs(tiny)[name]).to(DEVICE)
    images = torch.rand(3, 3, 32, 32, generator=torch.Generator().manual_seed(2)).to(DEVICE)
    snrs = torch.tensor([0.0, 7.0, 20.0])
    channel = ChannelSpec.parse("rayleigh")
    batch = scheme.transmit(images, snrs, channel, generators(10, 3))
    for i in range(3):
        alone = scheme.transmit(images[i:i + 1], snrs[i:i + 1], channel, generators(10 + i, 1))
        assert torch.allclose(batch.reconstruction[i], alone.reconstruction[0], atol=ATOL)
        if batch.noise_var_used is not None:
            assert torch.allclose(batch.noise_var_used[i], alone.noise_var_used[0])


def reference_reverse(denoiser, sample, starts, counts, sampler, schedule, generator):
    """The former receiver: one image at a time, DDPM through diffusers' own scheduler."""
    scheduler = DDPMScheduler(num_train_timesteps=schedule.num_train_timesteps, beta_start=schedule.beta_start,
                              beta_end=schedule.beta_end, beta_schedule=schedule.beta_schedule,
                              prediction_type="epsilon", clip_sample=False)
    abar = alphas_cumprod(schedule).to(sample.dtype)
    outputs = []
    for image, start, count in zip(sample.split(1), starts, counts):
        steps = timesteps_from(start, count)
        if sampler == "ddpm":
            scheduler.set_timesteps(timesteps=steps)
            for t in scheduler.timesteps:
                image = scheduler.step(denoiser(image, t.reshape(1)), t, image, generator=generator).prev_sample
        else:
            for i, t in enumerate(steps):
                a_prev = abar[steps[i + 1]] if i + 1 < len(steps) else torch.ones(())
                eps = denoiser(image, torch.tensor([t]))
                z0 = (image - (1 - abar[t]).sqrt() * eps) / abar[t].sqrt()
                image = a_prev.sqrt() * z0 + (1 - a_prev).sqrt() * eps
        outputs.append(image)
    return torch.cat(outputs)


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
@pytest.mark.parametrize("schedule", [ScheduleConfig(), ScheduleConfig(beta_start=0.00085, beta_end=0.012,
                                                                       beta_schedule="scaled_linear")])
def test_batched_reverse_process_equals_the_per_image_one(sampler, schedule):
    torch.manual_seed(0)
    denoiser = LatentDenoiser(DenoiserConfig(widths=(16, 32), attention_levels=(1,), norm_groups=8)).eval()
    sample = torch.randn(5, 4, 8, 8)
    starts, counts = [300, 40, 999, 3, 40], [10, 10, 10, 10, 6]  # image 3 has only 4 steps, image 4 six
    with torch.no_grad():
        expected = reference_reverse(denoiser, sample, starts, counts, sampler, schedule,
                                     torch.Generator().manual_seed(1))
        result = denoise_from(denoiser, sample, starts, counts, sampler, schedule, torch.Generator().manual_seed(1))
        alone = denoise_from(denoiser, sample[:1], starts[:1], counts[:1], sampler, schedule,
                             torch.Generator().manual_seed(1))
    assert result.evaluations == [len(timesteps_from(s, c)) for s, c in zip(starts, counts)]
    scale = expected.abs().amax(dim=(1, 2, 3), keepdim=True).clamp_min(1)
    assert ((result.latents - expected).abs() / scale).max() < 1e-3  # batched convolutions round differently
    # one image goes through exactly the operations of the former loop: bit for bit
    assert torch.equal(alone.latents, reference_reverse(denoiser, sample[:1], starts[:1], counts[:1], sampler,
                                                        schedule, torch.Generator().manual_seed(1)))


@pytest.mark.parametrize("name", ["latent-ddim", "adjscc", "identity", "jpeg"])
def test_facade_pads_odd_sizes_and_crops_back(tiny, name):
    scheme = create_scheme(specs(tiny)[name])
    image = torch.rand(3, 31, 45, generator=torch.Generator().manual_seed(4))  # 301x457 in spirit, kept small
    sent = scheme(image, 12.0, channel=ChannelSpec.parse("awgn"), seed=5)
    assert sent.reconstruction.shape == image.shape and sent.source_size == image.numel()
    from semcom.data import crop_back, pad_to_multiple

    padded, pad = pad_to_multiple(image[None], scheme.size_multiple)
    by_hand = scheme.transmit(padded, 12.0, ChannelSpec(), [torch.Generator().manual_seed(5)])
    assert torch.equal(crop_back(by_hand.reconstruction, pad)[0], sent.reconstruction)


def test_facade_on_a_kodak_sized_odd_image(tiny):
    scheme = create_scheme(specs(tiny)["adjscc"])
    image = torch.rand(2, 3, 301, 457)
    sent = scheme(image, 5.0, channel="rayleigh:csi=ls", seed=0)
    assert sent.reconstruction.shape == image.shape
    assert sent.source_size == 3 * 301 * 457 and sent.channel_uses > 0


def test_reported_noise_variance_is_the_one_the_latent_receiver_used(tiny):
    scheme = create_scheme(specs(tiny)["latent-ddim"])
    images = torch.rand(4, 3, 32, 32, generator=torch.Generator().manual_seed(6))
    snrs = torch.tensor([0.0, 5.0, 10.0, 20.0])
    awgn = scheme(images, snrs, "awgn", seed=0)
    assert awgn.noise_var_rule == "uniform"
    assert torch.allclose(awgn.noise_var_used, 10 ** (-snrs / 10), rtol=1e-6)
    for channel in ("rayleigh", "rayleigh:coherence=16,csi=perfect,eq=zf", "rayleigh:coherence=fast"):
        sent = scheme(images, snrs, channel, seed=1)
        starts = [sent.row_info(i)["start_step"] for i in range(4)]
        assert starts == matched_step(sent.noise_var_used.double()).tolist()
        assert all(sent.row_info(i)["noise_var_used"] == pytest.approx(float(sent.noise_var_used[i]), rel=1e-5)
                   for i in range(4))
    # one fade per image: sigma²_eff = sigma² / |h|², the same for all symbols and not the average SNR's
    spec = ChannelSpec.parse("rayleigh")
    from semcom.channels import transmit_symbols

    link = transmit_symbols(torch.ones(1, 64, dtype=torch.complex64), 10.0, spec, torch.Generator().manual_seed(7))
    given = link.decoder_input
    assert given.rule == "uniform"
    assert float(given.noise_var) == pytest.approx(0.1 / float(link.h[0, 0].abs() ** 2), rel=1e-5)


def test_zf_and_mmse_differ_where_the_channel_varies_within_an_image(tiny):
    scheme = create_scheme(specs(tiny)["latent-ddim"])
    images = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(8))
    zf = scheme(images, 5.0, "rayleigh:coherence=fast,eq=zf", seed=0)
    mmse = scheme(images, 5.0, "rayleigh:coherence=fast,eq=mmse", seed=0)
    assert (zf.noise_var_rule, mmse.noise_var_rule) == ("zf-median", "mmse-pooled")
    assert (zf.reconstruction - mmse.reconstruction).abs().max() > 1e-2
    same_zf = scheme(images, 5.0, "rayleigh:eq=zf", seed=0)  # one fade per image: the two are one receiver
    same_mmse = scheme(images, 5.0, "rayleigh:eq=mmse", seed=0)
    assert torch.allclose(same_zf.reconstruction, same_mmse.reconstruction, atol=1e-5)


def test_bf16_runs_close_to_fp32_and_is_part_of_the_spec(tiny):
    spec = specs(tiny)["latent-ddim"]
    fp32, bf16 = create_scheme(spec), create_scheme(spec, precision="bf16")
    assert canonical_spec(bf16) == canonical_spec(fp32) + ",precision=bf16"
    assert create_scheme(canonical_spec(bf16)).precision == "bf16"  # the row's spec rebuilds the scheme
    images = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(9))
    a, b = fp32(images, 10.0, seed=0), bf16(images, 10.0, seed=0)
    assert b.reconstruction.dtype == torch.float32
    difference = (a.reconstruction - b.reconstruction).abs()
    assert 0 < float(difference.max()) and float(difference.mean()) < 0.02
    assert create_scheme("jpeg+capacity", precision="bf16").precision == "fp32"  # no learned parts: unaffected
    with pytest.raises(SchemeOptionError, match="no learned parts"):
        create_scheme("jpeg+capacity:precision=bf16")
    with pytest.raises(SchemeOptionError, match="precision"):
        create_scheme(spec + ",precision=fp16")


def test_load_scheme_and_list_pretrained():
    import semcom

    names = semcom.list_pretrained()
    assert "adjscc-snr0to28-rho1_12" in names and names["adjscc-snr0to28-rho1_12"].startswith("adjscc:weights=")
    scheme = semcom.load_scheme("adjscc-snr0to28-rho1_12", device="cpu")
    assert scheme.device.type == "cpu" and scheme.weights_id == "adjscc-snr0to28-rho1_12"
    assert semcom.load_scheme("identity-analog:receiver=zf", device="cpu").config.receiver == "zf"


def test_device_names():
    from semcom.device import DeviceError, resolve_device

    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(DeviceError, match="unknown device"):
        resolve_device("gpu")
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="no CUDA GPU"):
            resolve_device("cuda:0")


def test_weights_are_read_and_hashed_once_per_process(tiny, monkeypatch):
    import semcom.zoo.pretrained as pretrained

    reads = []
    real = pretrained.load_file
    monkeypatch.setattr(pretrained, "load_file", lambda path: reads.append(path) or real(path))
    spec = f"adjscc:weights={tiny['adjscc']}"
    first, second = create_scheme(spec), create_scheme(spec)
    assert len(reads) <= 1  # 0 when an earlier test in this process already read the folder
    assert first.model is not second.model  # each scheme has its own copy
    first.model.decoder.requires_grad_(False).apply(lambda m: [p.data.zero_() for p in m.parameters(recurse=False)])
    assert any(p.abs().sum() > 0 for p in second.model.decoder.parameters())
    weights = tiny["adjscc"] / "weights.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 1000))  # "edited"
    count = len(reads)
    create_scheme(spec)
    assert len(reads) == count + 1  # a changed file is read (and hashed) again
