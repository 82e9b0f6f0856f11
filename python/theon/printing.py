"""theon.printing: pp (infix form) and debugprint (the graph as an indented tree)."""
import sys

from . import _theon


def _outputs_of(obj):
    if isinstance(obj, _theon.Function):
        return None
    if isinstance(obj, (list, tuple)):
        return list(obj)
    return [obj]


def pp(obj):
    """The expression in infix form: pp(T.exp(x) + 1) -> '(exp(x) + 1)'. For a compiled
    function, its outputs after rewriting."""
    if isinstance(obj, _theon.Function):
        return obj._pp()
    if isinstance(obj, (list, tuple)):
        return "\n".join(_theon._pp(v) for v in obj)
    return _theon._pp(obj)


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR", stop_on_name=False,
               done=None, print_storage=False, print_clients=False, used_ids=None):
    """Prints the graph of a variable, a list of variables or a compiled function.
    With file='str' the text is returned instead; otherwise it goes to `file` (stdout
    by default), which is returned, as in Theano."""
    outputs = _outputs_of(obj)
    text = obj._debugprint() if outputs is None else _theon._debugprint(outputs)
    if file == "str":
        return text
    out = sys.stdout if file is None else file
    out.write(text if text.endswith("\n") else text + "\n")
    return out


__all__ = ["pp", "debugprint"]
