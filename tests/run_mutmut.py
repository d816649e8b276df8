"""`make mutation`: mutmut (pinned, see the `mutation` extra) taught to mutate certcheck's rules.

mutmut 3 leaves every decorated function alone, and every rule is registered with ``@rule(...)``: as shipped it
would mutate the rules' helpers but none of the rules. The two changes below make it treat a function whose only
decorators are ``@rule(...)`` like an undecorated one:

* the "skip decorated functions" test sees such a function without its decorators;
* of the copies mutmut makes (the trampoline, the original, one per mutant), only the trampoline keeps the
  decorator, so each rule is still registered exactly once, under its own name (the trampoline wraps the
  function with functools.wraps), and the engine runs whichever copy is active.

Anything else is mutmut's own command line: ``python tests/run_mutmut.py run --max-children 2``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

import libcst as cst
from mutmut import __main__ as mutmut_main
from mutmut.mutation import file_mutation

REGISTERING_DECORATORS = {"rule"}


def _only_registration(function: cst.FunctionDef) -> bool:
    return bool(function.decorators) and all(
        isinstance(d.decorator, cst.Call)
        and isinstance(d.decorator.func, cst.Name)
        and d.decorator.func.value in REGISTERING_DECORATORS
        for d in function.decorators
    )


def _patch() -> None:
    visitor = next(
        v
        for v in vars(file_mutation).values()
        if isinstance(v, type) and hasattr(v, "_skip_node_and_children") and v.__module__ == file_mutation.__name__
    )
    original_skip = visitor._skip_node_and_children

    def skip(self: Any, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.FunctionDef) and _only_registration(node):
            decorators = node.decorators
            object.__setattr__(node, "decorators", ())  # the same node (its metadata is keyed by identity)
            try:
                return bool(original_skip(self, node))
            finally:
                object.__setattr__(node, "decorators", decorators)
        return bool(original_skip(self, node))

    visitor._skip_node_and_children = skip

    original_arrangement = file_mutation.function_trampoline_arrangement

    def arrangement(function: cst.FunctionDef, mutants: Iterable[Any], class_name: str | None) -> Any:
        declarations, methods, assignments, names = original_arrangement(function, mutants, class_name)
        if _only_registration(function):
            trampoline, *copies = methods
            methods = [trampoline, *(c.with_changes(decorators=()) for c in copies)]
        return declarations, methods, assignments, names

    file_mutation.function_trampoline_arrangement = arrangement


def main(argv: Sequence[str] | None = None) -> int:
    _patch()
    try:
        mutmut_main.cli(args=list(sys.argv[1:] if argv is None else argv), prog_name="mutmut")
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
