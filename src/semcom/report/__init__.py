"""Reports: studies (sweeps + figures) written as report.md and a self-contained report.html."""

from semcom.report.build import GridSpec, build_report
from semcom.report.document import Figure, Heading, Link, Paragraph, Report, Table
from semcom.report.studies import Study, run_study, study_figures, study_tables

__all__ = [name for name in dir() if not name.startswith("_")]
