"""theon.printing: pp (infix form), debugprint (the graph as an indented tree) and
pydotprint (a Graphviz picture, graph_pictures.py)."""
import sys

from . import _theon
from .print_op import Print  # noqa: F401  (print_op.py: Theano's printing.Print)
from .graph_pictures import graph_outputs, pydot_imported, pydot_imported_msg, pydotprint  # noqa: F401


def pp(obj):
    """The expression in infix form: pp(T.exp(x) + 1) -> '(exp(x) + 1)'. For a compiled
    function, its outputs after rewriting."""
    if isinstance(obj, _theon.Function):
        return obj._pp()
    if isinstance(obj, (list, tuple)):
        return "\n".join(_theon._pp(v) for v in obj)
    return _theon._pp(obj)


pprint = pp  # Theano's name for its pretty-printer (theano.printing.pprint(x) is pp(x))


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR", stop_on_name=False,
               done=None, print_storage=False, print_clients=False, used_ids=None):
    """Prints the graph of a variable, a list of variables, an Apply node or a compiled
    function as Theano 1.0 does: one line per node with its id, and for a function the
    node's toposort index. depth limits the levels (-1: all), print_type adds each type,
    ids is 'CHAR' (A, B, ...), 'int', 'id' or '' (none), stop_on_name leaves named
    variables unexpanded, print_storage shows shared variables' values. With file='str'
    the text is returned; otherwise it goes to `file` (stdout by default), which is
    returned. done, print_clients and used_ids are accepted and have no effect."""
    del done, print_clients, used_ids
    outputs, order = graph_outputs(obj, "debugprint")
    text = _theon._debugprint_theano(outputs, order, int(depth), bool(print_type), str(ids),
                                     bool(stop_on_name), bool(print_storage))
    if file == "str":
        return text
    out = sys.stdout if file is None else file
    out.write(text if text.endswith("\n") or not text else text + "\n")
    return out


__all__ = ["pp", "pprint", "debugprint", "pydotprint", "pydot_imported"]
