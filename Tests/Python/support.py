"""Makes the embedded ``jinn`` package importable from the source tree for these tests."""

import os
import sys

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "Jinn", "Python")
if SOURCE not in sys.path:
    sys.path.insert(0, os.path.normpath(SOURCE))
