"""Evaluation sweeps, the results schema and summaries."""

from semcom.evaluation.grid import DEFAULT_SNR_GRID, parse_snr_grid
from semcom.evaluation.results import COLUMNS, ResultRow, ResultsFile, load_results, row_key
from semcom.evaluation.shard import Shard
from semcom.evaluation.summary import Estimate, SummaryRow, mean_ci, summarize
from semcom.evaluation.sweep import SweepConfig, SweepReport, evaluate_one, row_seed, run_sweep

__all__ = [name for name in dir() if not name.startswith("_")]
