"""Documentation that runs: the README's Python examples execute, and CI runs its test command."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_opens_with_two_commands_and_ci_runs_the_second():
    bash_blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    assert "semcom demo" in bash_blocks[0] and "pytest" in bash_blocks[1]
    assert README.index(bash_blocks[1]) < README.index("## ")  # both come before the first section
    extracted = subprocess.run(
        ["awk", r"/^```bash$/{n++; next} /^```$/{if (n==2) exit} n==2{print}", str(ROOT / "README.md")],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert extracted == bash_blocks[1].strip()
    assert "README.md" in (ROOT / ".ci" / "run").read_text()
