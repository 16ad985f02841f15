"""A report as a list of blocks (headings, paragraphs, tables, figures), written both as Markdown and as a
self-contained HTML page. Figures are files in the report folder, referenced by relative path, so the folder
can be moved or zipped as a whole.

The HTML page carries a small script that, once the page has loaded, records how many of its images the
browser decoded in ``<body data-images-loaded="loaded/total">``; the headless-browser test reads it.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, Union

from semcom.evaluation.markdown import pipe_table


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    code: bool = False  # a command line or other literal text, shown verbatim


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""
    numeric: bool = True  # False: a key of names and specs, every column left-aligned


@dataclass(frozen=True)
class Figure:
    path: str  # relative to the report folder
    caption: str
    legend: Sequence[str] = ()  # the figure's legend entries, also kept in the page (``data-legend``)


@dataclass(frozen=True)
class Link:
    path: str  # relative to the report folder
    text: str


Block = Union[Heading, Paragraph, Table, Figure, Link]


def _html_cell(cell) -> str:
    """A ``<td>``; a :class:`Cell` with an interval carries it as ``data-low``/``data-high`` and a tooltip."""
    low, high = getattr(cell, "low", math.nan), getattr(cell, "high", math.nan)
    if math.isnan(low) or math.isnan(high):
        return f"<td>{html.escape(str(cell))}</td>"
    return (f'<td data-low="{low:.6g}" data-high="{high:.6g}" title="95% interval {low:.4g} to {high:.4g}">'
            f"{html.escape(str(cell))}</td>")

_IMAGE_CHECK = """<script>
window.addEventListener("load", function () {
  var images = Array.from(document.images);
  var loaded = images.filter(function (img) { return img.complete && img.naturalWidth > 0; }).length;
  document.body.setAttribute("data-images-loaded", loaded + "/" + images.length);
});
</script>"""

_STYLE = """<style>
body { font-family: sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
table.text td, table.text th { text-align: left; }
td[title] { text-decoration: underline dotted #999; }
figcaption { font-size: 0.9em; color: #444; }
figure { margin: 1em 0; } img { max-width: 100%; }
pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }
</style>"""


@dataclass
class Report:
    """An ordered list of blocks with a title; :meth:`write` produces ``report.md`` and ``report.html``."""

    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> "Report":
        self.blocks.extend(blocks)
        return self

    def to_markdown(self) -> str:
        parts = [f"# {self.title}\n"]
        for block in self.blocks:
            if isinstance(block, Heading):
                parts.append(f"{'#' * block.level} {block.text}\n")
            elif isinstance(block, Paragraph):
                parts.append(f"```\n{block.text}\n```\n" if block.code else f"{block.text}\n")
            elif isinstance(block, Table):
                parts.append((f"{block.caption}\n\n" if block.caption else "") + pipe_table(block.header, block.rows))
            elif isinstance(block, Figure):
                parts.append(f"![{block.caption}]({block.path})\n\n*{block.caption}*\n")
            elif isinstance(block, Link):
                parts.append(f"[{block.text}]({block.path})\n")
        return "\n".join(parts)

    def to_html(self) -> str:
        esc = html.escape
        body = [f"<h1>{esc(self.title)}</h1>"]
        for block in self.blocks:
            if isinstance(block, Heading):
                body.append(f"<h{block.level}>{esc(block.text)}</h{block.level}>")
            elif isinstance(block, Paragraph):
                body.append(f"<pre>{esc(block.text)}</pre>" if block.code else f"<p>{esc(block.text)}</p>")
            elif isinstance(block, Table):
                head = "".join(f"<th>{esc(h)}</th>" for h in block.header)
                rows = "".join("<tr>" + "".join(map(_html_cell, row)) + "</tr>" for row in block.rows)
                caption = f"<caption>{esc(block.caption)}</caption>" if block.caption else ""
                kind = "" if block.numeric else ' class="text"'
                body.append(f"<table{kind}>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            elif isinstance(block, Figure):
                legend = f' data-legend="{esc(json.dumps(list(block.legend)))}"' if block.legend else ""
                body.append(f'<figure{legend}><img src="{esc(block.path)}" alt="{esc(block.caption)}">'
                            f"<figcaption>{esc(block.caption)}</figcaption></figure>")
            elif isinstance(block, Link):
                body.append(f'<p><a href="{esc(block.path)}">{esc(block.text)}</a></p>')
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{esc(self.title)}</title>{_STYLE}</head>\n<body>\n" + "\n".join(body)
                + f"\n{_IMAGE_CHECK}\n</body></html>\n")

    def write(self, folder: str | Path) -> tuple[Path, Path]:
        """Write ``report.md`` and ``report.html`` into ``folder``; every figure must already be there."""
        folder = Path(folder)
        missing = [b.path for b in self.blocks if isinstance(b, (Figure, Link)) and not (folder / b.path).is_file()]
        if missing:
            raise FileNotFoundError(f"report references files that are not in {folder}: {', '.join(missing)}")
        md, page = folder / "report.md", folder / "report.html"
        md.write_text(self.to_markdown(), encoding="utf-8")
        page.write_text(self.to_html(), encoding="utf-8")
        return md, page
