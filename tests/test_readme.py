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


def test_ci_runs_exactly_the_readme_test_command(tmp_path):
    """.ci/run, run on a copy whose README's second command is replaced, runs that command and passes its exit
    code on (a stand-in chromium on PATH keeps it from installing the real one)."""
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text((ROOT / ".ci" / "run").read_text())
    bash_blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "chromium").write_text("#!/bin/sh\n")
    (bin_dir / "chromium").chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    for command, code in (("echo ran-the-readme-command > marker.txt", 0), ("exit 7", 7)):
        readme = README.replace(bash_blocks[1], command + "\n", 1)
        (tmp_path / "README.md").write_text(readme)
        done = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True, env=env)
        assert done.returncode == code, done.stderr
        assert f"+ {command}" in done.stdout
    assert (tmp_path / "marker.txt").read_text() == "ran-the-readme-command\n"
