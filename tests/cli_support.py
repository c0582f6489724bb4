"""What the command-line tests share: running prcm with its output echoed, and
checking an exit code and the message."""
import subprocess


def run_prcm(prcm_path, *args, **kwargs):
    r = subprocess.run([prcm_path, *args], capture_output=True, text=True, errors="replace", **kwargs)
    print(f"$ prcm {' '.join(args)}\n{r.stdout}{r.stderr}exit {r.returncode}")
    return r


def expect(r, code, *needles):
    assert r.returncode == code, f"exit {r.returncode}, expected {code}"
    for needle in needles:
        assert needle in r.stdout + r.stderr, f"message lacks {needle!r}"
