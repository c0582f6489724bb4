"""pytest set-up for the Python package's tests: prcm_kernels comes from the build
tree (ctest sets PYTHONPATH=build/python) or from an installed package; the notebook
classes from scripts/prcm_torch.py."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
