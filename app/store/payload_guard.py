"""What a payload may hold so that the store can always read it back.

Qdrant's engine decodes payloads with a recursion limit (about 128 levels) and keeps numbers as
64-bit integers or doubles: a deeper value is written but can never be read again, and a wider
integer comes back as a rounded float. These checks run before anything is written.
"""

import math
from typing import Any

MAX_DEPTH = 16  # levels of objects/lists inside one client field (metadata); far below the engine's limit
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def payload_problem(value: Any, path: str = "metadata", max_depth: int = MAX_DEPTH) -> str | None:
    """Why `value` cannot be stored and read back unchanged, or None when it can. Iterative, so that a
    hostile depth cannot exhaust Python's own stack either."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        v, where, depth = stack.pop()
        if isinstance(v, bool) or v is None or isinstance(v, str):
            continue
        if isinstance(v, int):
            if not INT64_MIN <= v <= INT64_MAX:
                return f"{where} holds an integer outside the 64-bit range; send it as a string"
            continue
        if isinstance(v, float):
            if not math.isfinite(v):
                return f"{where} holds a non-finite number ({v}); JSON has no NaN or Infinity"
            continue
        if isinstance(v, dict | list):
            if depth >= max_depth:
                return f"{where} is nested more than {max_depth} levels deep; flatten it"
            items = v.items() if isinstance(v, dict) else enumerate(v)
            for k, child in items:
                sub = f"{where}.{k}" if isinstance(v, dict) else f"{where}[{k}]"
                stack.append((child, sub, depth + 1))
            continue
        return f"{where} holds a value of type {type(v).__name__}, which JSON cannot carry"
    return None
