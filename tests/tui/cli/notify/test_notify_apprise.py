"""`disputes notify` through apprise URLs, against a real HTTP server on 127.0.0.1, in real processes."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tests.support.cli import run


class Hook:
    """A webhook receiver: records each POST; answers ``status``."""

    def __init__(self):
        self.posts: list[dict] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if hook.status == 200:
                    hook.posts.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                       "body": json.loads(raw) if raw.startswith(b"{") else
                                       raw.decode("utf-8", "replace")})
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def hook():
    h = Hook()
    h.thread.start()
    yield h
    h.server.shutdown()
    h.server.server_close()


def config(tmp_path: Path, text: str) -> dict:
    path = tmp_path / "config.toml"
    path.write_text("[notify]\nthresholds_hours = [48, 24, 3]\n" + text, encoding="utf-8")
    return {"DISPUTES_CONFIG": str(path)}


def test_url_gets_the_warning_once_and_a_500_is_one_line_exit_5_then_retried(db, hook, tmp_path):
    url = f"json://board:s3cretpw@127.0.0.1:{hook.port}/hooks/disputes"
    env = config(tmp_path, f'urls = ["{url}"]\n')
    hook.status = 500
    r = run(db, "notify", real=True, env=env)
    assert r.returncode == 5
    assert len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""
    assert "not sent, tried again next run" in r.stderr and "s3cretpw" not in r.stderr
    assert f"127.0.0.1:{hook.port}" in r.stderr  # which URL failed, masked
    assert hook.posts == []

    hook.status = 200
    r = run(db, "notify", real=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "" and "s3cretpw" not in r.stdout
    assert len(hook.posts) == 1
    post = hook.posts[0]
    assert post["path"].startswith("/hooks/disputes") and post["auth"]  # basic auth from the URL
    assert "D-0001" in post["body"]["title"]
    text = post["body"]["message"]
    assert "Case D-0001" in text and "due 2026-11-27 23:00 +08:00 (2026-11-27 15:00 UTC)" in text
    assert r.stdout.startswith("D-0001: 48 h warning") and "****" in r.stdout

    again = run(db, "notify", real=True, env=env)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert len(hook.posts) == 1
    shown = json.loads(run(db, "show", "D-0001", "--json", real=True).stdout)
    assert "s3cretpw" not in json.dumps(shown)


def test_urls_from_the_environment_and_with_email_refusals(db, hook, tmp_path):
    env = config(tmp_path, 'urls_env = "TEAM_HOOKS"\n')
    env["TEAM_HOOKS"] = f"form://127.0.0.1:{hook.port}/one\njson://127.0.0.1:{hook.port}/two"
    r = run(db, "notify", real=True, env=env)
    assert r.returncode == 0, r.stderr
    assert sorted(p["path"].split("?")[0] for p in hook.posts) == ["/one", "/two"]
    form = parse_qs(next(p["body"] for p in hook.posts if p["path"].startswith("/one")))["message"][0]
    assert "Case D-0001" in form and "2026-11-27 15:00 UTC" in form
    assert r.stdout.count("\n") == 1 and "D-0001: 48 h warning" in r.stdout
    assert run(db, "notify", real=True, env=env).stdout == "" and len(hook.posts) == 2
    # an unknown form is refused before anything is sent, without showing the URL's secret
    bad = config(tmp_path, 'urls = ["nosuchscheme://user:topsecret@host/x"]\n')
    r = run(db, "notify", real=True, env=bad)
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1
    assert "topsecret" not in r.stderr and "not a notification URL" in r.stderr
