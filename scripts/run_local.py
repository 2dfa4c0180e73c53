"""`make run`: the site, the mail worker, a jobs worker and a local mail catcher, together in
one terminal.

The jobs worker (exports, the analysis, the digest, the purge) uses the embedded queue, a
SQLite file in instance/ (TASK_QUEUE_URL unset), so nothing but Python is needed.

Mail goes to an SMTP server on 127.0.0.1 that prints each message here and saves it as an
.eml file under instance/mail/, so that confirmation and reset links can be followed locally.
Set MAIL_SERVER in the environment to send through a real server instead.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
MAIL_DIR = ROOT / "instance" / "mail"


class PrintingHandler:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        MAIL_DIR.mkdir(parents=True, exist_ok=True)
        path = MAIL_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}-{abs(hash(envelope.content))}.eml"
        path.write_bytes(envelope.content)
        text = message.get_body(preferencelist=("plain",))
        print(f"\n=== mail to {', '.join(envelope.rcpt_tos)}: {message['subject']} ===", flush=True)
        print(text.get_content() if text else "(no text part)", flush=True)
        print(f"=== saved as {path.relative_to(ROOT)} ===\n", flush=True)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    args = parser.parse_args()

    env = dict(os.environ)
    catcher = None
    if not env.get("MAIL_SERVER"):
        port = free_port()
        catcher = Controller(PrintingHandler(), hostname="127.0.0.1", port=port)
        catcher.start()
        env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port))
        print(f"Mail catcher on 127.0.0.1:{port}: mail is printed here and saved in "
              f"{MAIL_DIR.relative_to(ROOT)}/", flush=True)

    flask = [str(Path(sys.executable).parent / "flask"), "--app", "participation"]
    worker = subprocess.Popen(flask + ["mail", "worker", "--interval", "2"], env=env, cwd=ROOT)
    jobs = subprocess.Popen(flask + ["jobs", "worker"], env=env, cwd=ROOT)
    print(f"Serving on http://{args.host}:{args.port} (Ctrl-C stops everything)", flush=True)
    site = subprocess.Popen(flask + ["run", "--host", args.host, "--port", args.port],
                            env=env, cwd=ROOT)
    try:
        return site.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (site, worker, jobs):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if catcher:
            catcher.stop()


if __name__ == "__main__":
    sys.exit(main())
