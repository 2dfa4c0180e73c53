"""No import cycle in participation: module by module, function-level imports included.

The layers themselves (core below the features, no feature importing another's views) are
import-linter contracts in pyproject.toml, run by `make lint`. Cycles between two modules of
any layer are checked here, on the same graph (grimp, import-linter's graph library): a
function-level import counts like any other, so one cannot hide a cycle.
"""
from __future__ import annotations

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("participation", cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, without recursion),
    and modules that import themselves."""
    imports = {module: sorted(graph.find_modules_directly_imported_by(module))
               for module in graph.modules}
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(imports[root]))]
        index[root] = lowest[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, pending = work[-1]
            for imported in pending:
                if imported not in index:
                    index[imported] = lowest[imported] = len(index)
                    stack.append(imported)
                    on_stack.add(imported)
                    work.append((imported, iter(imports[imported])))
                    break
                if imported in on_stack:
                    lowest[module] = min(lowest[module], index[imported])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowest[parent] = min(lowest[parent], lowest[module])
                if lowest[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1 or module in imports[module]:
                        components.append(sorted(component))
    return components


@pytest.mark.once
def test_no_module_is_part_of_an_import_cycle(graph):
    cycles = _cycles(graph)
    details = [
        f"{importer} -> {imported} (line {', '.join(str(d['line_number']) for d in found)})"
        for cycle in cycles for importer in cycle for imported in cycle
        if (found := graph.get_import_details(importer=importer, imported=imported))]
    assert cycles == [], "\n".join(details)


@pytest.mark.once
def test_the_graph_counts_function_level_imports(graph):
    # The app factory imports the schema inside create_app: were such imports missed, the test
    # above would pass over every cycle hidden in a function.
    assert "participation.models" in graph.find_modules_directly_imported_by("participation")


@pytest.mark.once
def test_a_cycle_is_found():
    """The search itself, on a graph with one cycle of three modules and a module beside it."""
    graph = grimp.ImportGraph()
    for importer, imported in [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]:
        graph.add_import(importer=importer, imported=imported)
    assert _cycles(graph) == [["a", "b", "c"]]
