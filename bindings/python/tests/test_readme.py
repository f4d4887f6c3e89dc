"""The README's examples run as written."""

from __future__ import annotations

import contextlib
import io
import os
import re
import unittest

from tests.support import HERE

README = os.path.join(HERE, "..", "README.md")


class ReadmeTest(unittest.TestCase):
    def test_python_examples_run(self) -> None:
        with open(README, encoding="utf-8") as f:
            blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
        self.assertGreaterEqual(len(blocks), 2)
        for i, block in enumerate(blocks):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, f"README.md python block {i + 1}", "exec"), {"__name__": "readme"})
            self.assertTrue(out.getvalue())
        self.assertIn("ClusterNotFoundException", "".join(blocks))


if __name__ == "__main__":
    unittest.main()
