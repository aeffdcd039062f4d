"""The board and the database files: a backup that keeps failing is on the status line, and a
`disputes restore` from another process is picked up."""

from __future__ import annotations

import subprocess
import sys

from tests.support.board import one_tick, running, screen_text, settle

from tui.app import DisputeApp

from tests.support import ROOT



async def test_a_failing_backup_shows_on_the_status_line(seeded, cfg):
    seeded.storage.record_problem("2026-11-26: the daily backup failed (/x/disputes.json.backups): Permission denied")
    app = DisputeApp(seeded, cfg)
    async with running(app, (160, 40)) as pilot:
        await one_tick(app, pilot)
        assert "backup/compaction failing" in screen_text(app)
        seeded.storage.record_problem(None)
        await one_tick(app, pilot, poll=True)
        app.loader.update_status()
        await settle(pilot)
        assert "backup/compaction failing" not in screen_text(app)


async def test_a_restore_by_another_process_reloads_the_board(seeded, cfg, db_path, tmp_path):
    copy = tmp_path / "copy.json"
    env_run = [sys.executable, "-m", "tui.cli"]
    subprocess.run([*env_run, "backup", str(copy), "--db", str(db_path)], check=True, cwd=ROOT, timeout=60)
    seeded.create(seeded.get("D-0001").__class__(id="D-0001", order="9", supplier="Later Co", reason="damaged",
                                                 amount=seeded.get("D-0001").amount,
                                                 created_at=seeded.get("D-0001").created_at,
                                                 stage_entered_at=seeded.get("D-0001").created_at, title="later"))
    app = DisputeApp(seeded, cfg)
    async with running(app, (120, 40)) as pilot:
        assert seeded.count() == 41
        subprocess.run([*env_run, "restore", str(copy), "--db", str(db_path)], check=True, cwd=ROOT, timeout=60)
        await one_tick(app, pilot, poll=True)
        assert seeded.count() == 40
        assert "Later Co" not in screen_text(app)
