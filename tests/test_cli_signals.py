"""Ctrl-C (SIGINT) and SIGTERM stop `evonet fit` and `evonet resume` with the run saved.

The command runs in a real subprocess and gets a real signal once it has
printed the progress line of a complete generation, long before the first
periodic checkpoint write (the default interval is 60 s): the checkpoint must
exist all the same, the exit code is 130 (SIGINT) or 143 (SIGTERM), and
`evonet resume` continues the run.
"""

import os
import signal
import subprocess
import sys

import pytest

from evonet.io import read_checkpoint_metadata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _default_sigint():
    # a process started in the background inherits SIGINT ignored, and Python then leaves
    # it ignored; a terminal's Ctrl-C reaches a process whose SIGINT is the default
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(argv, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "evonet.cli", *argv], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)


def signal_after_a_generation(process, signum):
    """Wait for a progress line (a complete generation), send ``signum``; ``(code, err)``."""
    lines = []
    while True:
        line = process.stdout.readline()
        assert line, ("the command ended before its first generation", lines,
                      process.stderr.read())
        lines.append(line)
        if line.startswith("generation "):
            break
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, err


def test_sigint_and_sigterm_save_the_run_before_the_first_checkpoint_write(tmp_path):
    checkpoint = tmp_path / "run.ckpt"
    # a small network on digits: generations of milliseconds, a run far longer than the test
    fit = ["fit", "--dataset", "digits", "--hidden", "4", "--generations", "100000",
           "--checkpoint", str(checkpoint), "--out", str(tmp_path / "m.evonet")]
    code, err = signal_after_a_generation(start(fit, tmp_path), signal.SIGINT)
    assert code == 130, err
    assert err.splitlines()[-1] == f"evonet: interrupted; continue with: evonet resume {checkpoint}"
    first = read_checkpoint_metadata(checkpoint)["generation"]
    assert first >= 1

    # SIGTERM during the resumed run: saved again, further on, exit code 143
    code, err = signal_after_a_generation(start(["resume", str(checkpoint)], tmp_path),
                                          signal.SIGTERM)
    assert code == 143, err
    assert err.splitlines()[-1] == f"evonet: terminated; continue with: evonet resume {checkpoint}"
    assert read_checkpoint_metadata(checkpoint)["generation"] > first
    assert not (tmp_path / "m.evonet").exists()

    # SIGTERM during a plain fit (no checkpoint): exit code 143, nothing left behind
    code, err = signal_after_a_generation(start(fit[:7], tmp_path), signal.SIGTERM)
    assert (code, err.splitlines()[-1]) == (143, "evonet: terminated")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.ckpt"]


def test_a_signal_while_code_swallows_keyboard_interrupt_is_raised_after_it():
    # scikit-learn's MLP ends its training quietly on KeyboardInterrupt: a Ctrl-C during
    # evonet fit's comparison MLP ended in exit code 0 and a half-trained MLP's score
    from evonet.cli.signals import handle_signals, raised_after

    def swallowing_fit():   # as MLPClassifier.fit does
        try:
            os.kill(os.getpid(), signal.SIGINT)  # it stops the training at once
            for _ in range(10**6):
                pass
        except KeyboardInterrupt:
            return "interrupted"
        return "finished"

    with handle_signals(), pytest.raises(KeyboardInterrupt):
        with raised_after():
            outcome = swallowing_fit()
    assert outcome == "interrupted"
