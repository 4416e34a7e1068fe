"""A non-editable install carries the embedded plan and the migrations inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from .conftest import ROOT


def test_wheel_contains_resources_and_migrations_and_works_alone(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("ipdesk-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ipdesk/resources/plans/xian-2022-2025.json" in names
    assert "ipdesk/resources/plans/xian-2022-2025.source.txt" in names
    assert "ipdesk/db/migrations/0001_plan.sql" in names
    assert not any(name.startswith(("tests/", "tools/", "bench/")) for name in names)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (  # sys.path as well as PYTHONPATH: an embedded Python (the Windows lane's) ignores PYTHONPATH
        f"import sys; sys.path.insert(0, {str(site)!r})\n"
        "import ipdesk.paths as p, ipdesk\n"
        "from ipdesk import Workspace\n"
        "ws = Workspace(':memory:')\n"
        "assert len(ws.plan.tasks) == 97\n"
        f"assert str(p.resources_dir()).startswith({str(site)!r}), p.resources_dir()\n"
        f"assert str(p.migrations_dir()).startswith({str(site)!r}), p.migrations_dir()\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
