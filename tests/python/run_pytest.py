"""ctest's entry to a pytest file: runs it with this interpreter and exits with
pytest's status. With --needs MODULE, a missing optional MODULE (torch) is a skip:
one "SKIPPED  <test>: <reason>" line and exit 77, which ctest counts as skipped,
never as passed (pytest itself would pass a file whose every test it skipped).
Usage: run_pytest.py [--needs MODULE] CTEST_NAME FILE [PYTEST_ARGS...]"""
import importlib.util
import sys

SKIPPED = 77

args = sys.argv[1:]
needs = None
if args[:1] == ["--needs"]:
    needs, args = args[1], args[2:]
name, path, rest = args[0], args[1], args[2:]
if needs and importlib.util.find_spec(needs) is None:
    print(f"SKIPPED  {name}: {needs} is not installed in {sys.prefix} "
          "(pip install -r scripts/requirements-peers.txt)")
    sys.exit(SKIPPED)

import pytest  # noqa: E402

# No cache folder in the source tree; -rs lists the reasons of any test skipped inside.
sys.exit(pytest.main(["-q", "-rs", "-p", "no:cacheprovider", path, *rest]))
