"""Sharding `semcom evaluate` over processes: the shares, the part files, the merge, and real multi-process runs
under torchrun and accelerate launch that must give the one-process results file."""

import csv
import math
import os
import signal
import socket
import subprocess
import sys
from collections import Counter

import pytest
import torch

from semcom.cli.app import main
from semcom.errors import SemcomError, ShardError
from semcom.evaluation import ResultRow, ResultsFile, SweepConfig, run_sweep
from semcom.evaluation.shard import Shard, merge_parts, part_files, process_group

LAUNCH_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
SWEEP = ["evaluate", "-s", "identity-analog", "-s", "jpeg+capacity", "--dataset", "samples", "--limit", "2",
         "--snr-db", "0,10", "-c", "awgn", "-c", "rayleigh", "--metrics", "psnr,ssim", "--realizations", "5"]
ROWS = 2 * 2 * 2 * 2 * 5  # schemes, images, SNRs, channels, realizations (two blocks: 0-3 and 4)


def make_row(image_id, **overrides):
    values = dict(scheme="s", weights_id="none", dataset="d", image_id=image_id, channel="awgn", snr_db=1.0,
                  rho=0.5, k=6, n=12, psnr=30.0, ssim=0.9, ms_ssim=math.nan)
    return ResultRow(**{**values, **overrides})


def records(path):
    """A CSV file's records, header included, as lists of strings."""
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


# --- the shares -------------------------------------------------------------------------------------------


def test_from_env_reads_rank_and_world_size():
    assert Shard.from_env({}) == Shard(0, 1)
    assert Shard.from_env({"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1"}) == Shard(1, 2)
    assert Shard.from_env({"RANK": "0", "WORLD_SIZE": "1"}).is_main


@pytest.mark.parametrize("env", [
    {"RANK": "x", "WORLD_SIZE": "2"}, {"RANK": "2", "WORLD_SIZE": "2"}, {"RANK": "-1", "WORLD_SIZE": "2"},
    {"RANK": "0", "WORLD_SIZE": "0"}, {"RANK": "0", "WORLD_SIZE": "1.5"}, {"RANK": "1"}, {"WORLD_SIZE": "2"},
])
def test_bad_env_is_a_clear_user_error(env):
    with pytest.raises(ShardError, match="RANK=") as caught:
        Shard.from_env(env)
    assert isinstance(caught.value, SemcomError)


def test_owns_and_select_partition_the_work_evenly():
    for world in range(1, 6):
        shards = [Shard(rank, world) for rank in range(world)]
        for slot in range(40):
            assert sum(s.owns(slot) for s in shards) == 1
        for count in (0, 1, 7, 40):
            items = [f"item{i}" for i in range(count)]
            shares = [s.select(items) for s in shards]
            assert sorted(sum(shares, [])) == sorted(items)  # every item exactly once
            assert all(share == [i for i in items if i in share] for share in shares)  # in the given order
            assert max(map(len, shares)) - min(map(len, shares)) <= 1


def test_select_does_not_line_up_with_a_grid_axis():
    # 8 images x 4 schemes x 2 SNRs, nested as in a sweep: dealing in this order would give each of 2 ranks a
    # single SNR, and each of 4 ranks a single SNR and only two schemes; the shuffled deal mixes them.
    grid = [(image, scheme, snr) for image in range(8) for scheme in "abcd" for snr in (0, 10)]
    for world in (2, 4):
        for rank in range(world):
            share = Shard(rank, world).select(grid)
            assert {snr for _, _, snr in share} == {0, 10}
            assert {scheme for _, scheme, _ in share} == set("abcd")


def test_part_paths_sit_beside_the_results_file(tmp_path):
    for name in ("results.csv", "results.jsonl"):
        stem, suffix = name.split(".")
        path = tmp_path / name
        parts = [Shard(rank, 2).part_path(path) for rank in range(2)]
        assert [p.name for p in parts] == [f"{stem}.rank0-of-2.{suffix}", f"{stem}.rank1-of-2.{suffix}"]
        for part in parts:
            ResultsFile(part).append([make_row(part.name)])  # a valid results file
        (tmp_path / f"{stem}.rank0-of-3.{suffix}").write_text("")
        (tmp_path / f"other.rank0-of-2.{suffix}").write_text("")
        (tmp_path / f"{stem}.rank0-of-2.{suffix}.bak").write_text("")
        assert part_files(path) == [*parts, tmp_path / f"{stem}.rank0-of-3.{suffix}"]
    assert part_files(tmp_path / "missing" / "r.csv") == []


def test_merge_writes_missing_rows_once_in_canonical_order(tmp_path):
    results = ResultsFile(tmp_path / "r.csv")
    results.append([make_row("a")])
    ResultsFile(Shard(0, 2).part_path(results.path)).append([make_row("a"), make_row("c"), make_row("x")])
    ResultsFile(Shard(1, 2).part_path(results.path)).append([make_row("d"), make_row("b"), make_row("c")])
    order = [make_row(i).key for i in "abcd"]
    assert merge_parts(results, order) == 4
    assert [r.image_id for r in results.read()] == ["a", "b", "c", "d", "x"]  # x: not in order, kept, last
    assert part_files(results.path) == []
    assert merge_parts(results, order) == 0


def test_process_group_needs_a_rendezvous(monkeypatch):
    with process_group(Shard()) as barrier:
        barrier()  # one process: nothing to wait for
    for name in ("MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ShardError, match="MASTER_ADDR"):
        with process_group(Shard(0, 2)):
            pass


def test_one_process_sweep_folds_in_parts_left_by_an_interrupted_sharded_one(tmp_path):
    config = SweepConfig(schemes=["identity-analog"], snr_db=[0.0, 10.0], dataset="samples", limit=1,
                         metrics=["psnr"])
    reference = ResultsFile(tmp_path / "ref.csv")
    run_sweep(config, reference, progress=False)
    results = ResultsFile(tmp_path / "r.csv")
    ResultsFile(Shard(1, 2).part_path(results.path)).append(reference.read()[1:])
    report = run_sweep(config, results, progress=False)
    assert (report.written, report.skipped, report.merged) == (1, 1, 1)
    assert table(results.path) == table(reference.path)
    assert records(results.path)[2] == records(reference.path)[2]  # with its seconds: not evaluated again
    assert part_files(results.path) == []


# --- real multi-process runs ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(args, tmp_path, timeout=240):
    """Run ``args`` in its own process group (killed whole on timeout); return the completed process."""
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARS}
    env.update(OMP_NUM_THREADS="1", HF_HOME=str(tmp_path / "hf"))  # HF_HOME: no user accelerate config
    proc = subprocess.Popen(list(map(str, args)), cwd=tmp_path, env=env, text=True, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{args[:4]} timed out:\n{err[-3000:]}")
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def table(path):
    """The file's CSV records (header included) without the ``seconds`` column, as strings."""
    rows = records(path)
    drop = rows[0].index("seconds")
    return [r[:drop] + r[drop + 1:] for r in rows]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The results file of a one-process run of the sweep."""
    path = tmp_path_factory.mktemp("one") / "one.csv"
    saved = {k: os.environ.pop(k) for k in LAUNCH_VARS if k in os.environ}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the launched processes (OMP_NUM_THREADS=1): thread counts move the last digit
    try:
        assert main([*SWEEP, "--out", str(path)]) == 0
    finally:
        os.environ.update(saved)
        torch.set_num_threads(threads)
    return path


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_torchrun_gives_the_one_process_file(reference, tmp_path):
    out = tmp_path / "two.csv"
    run = launch([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                  free_port(), "-m", "semcom", *SWEEP, "--out", out], tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert table(out) == table(reference)
    assert len(table(out)) == 1 + ROWS and len({tuple(r.key) for r in ResultsFile(out).read()}) == ROWS
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["two.csv"]
    assert "rank 0/2: " in run.stderr and "rank 1/2: " in run.stderr
    assert run.stdout.count("mean ± 95% CI") == 1  # the summary table, printed by rank 0 only


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_accelerate_launch_resumes_without_duplicates(reference, tmp_path):
    rows = ResultsFile(reference).read()
    assert len(rows) == ROWS
    out = ResultsFile(tmp_path / "resumed.csv")
    out.append(rows[:5])  # an interrupted one-process run ...
    ResultsFile(Shard(2, 3).part_path(out.path)).append(rows[4:8])  # ... and an interrupted 3-process one
    run = launch([sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
                  "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", free_port(),
                  "-m", "semcom", *SWEEP, "--out", out.path], tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert table(out.path) == table(reference)
    assert records(out.path)[:9] == records(reference)[:9]  # rows already done kept, not evaluated again
    assert Counter(r.key for r in out.read()).most_common(1)[0][1] == 1
    assert part_files(out.path) == []
    assert "rank 1/2: " in run.stderr
