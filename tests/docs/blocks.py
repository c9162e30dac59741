"""The code blocks of README.md and docs/, as the reader sees them.

Conventions the pages follow (and tests/docs/test_code_blocks.py enforces):

- A ```python block is a whole program. One whose first line is ``# continued`` continues
  the block above it on the same page: it runs after it, in the same program.
- ``# prints: TEXT`` (a line of its own, or at the end of a line) says the program's output
  contains TEXT; the checks of one program are found in its output in their order.
- A ```bash block whose first line is ``# runnable`` runs as it is; other ```bash and
  ```console blocks are shell sessions to read, not run.
- Other fences (text, json, yaml, toml, ...) show data and are not run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTINUED = "# continued"
RUNNABLE = "# runnable"
_FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.M | re.S
)
_PRINTS = re.compile(r"#\s*prints:\s*(?P<text>.+?)\s*$", re.M)


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    lang: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(page: Path) -> list[Block]:
    text = page.read_text()
    found = []
    for match in _FENCE.finditer(text):
        indent = len(match["indent"])
        body = "".join(line[indent:] + "\n" for line in match["body"].splitlines())
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(str(page.relative_to(ROOT)), line, match["lang"], body))
    return found


def programs(lang: str = "python") -> list[tuple[Block, str]]:
    """Every program of ``lang``: its first block and its code, continuations included."""
    result: list[tuple[Block, str]] = []
    for page in pages():
        for block in blocks(page):
            if block.lang != lang:
                continue
            if block.code.startswith(CONTINUED):
                if not result or result[-1][0].page != block.page:
                    raise ValueError(f"{block.id}: '{CONTINUED}' with no block above it")
                first, code = result[-1]
                result[-1] = (first, code + "\n" + block.code)
            else:
                result.append((block, block.code))
    return result


def expected_output(code: str) -> list[str]:
    return [match["text"].strip() for match in _PRINTS.finditer(code)]
