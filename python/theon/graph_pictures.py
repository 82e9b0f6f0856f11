"""Pictures of graphs through Graphviz: Theano's pydotprint over Theon's DOT text.

No pydot is needed: the DOT text comes from C++ (theon::dot_graph) and Graphviz's `dot`
program, found on PATH when a picture is made, renders it (docs/graph_pictures.md).
"""
import os

from . import _theon

# Theano programs test this before drawing; rendering needs only the `dot` program,
# whose absence is reported when a picture is asked for.
pydot_imported = True
pydot_imported_msg = ""


def graph_outputs(obj, who="graph_outputs"):
    """(outputs, toposort or []) of a compiled function (or its maker.fgraph), an Apply
    node, a variable or a list of variables."""
    if isinstance(getattr(obj, "_fn", None), _theon.Function):
        obj = obj._fn
    if isinstance(obj, _theon.Apply):
        return list(obj.outputs), []
    if isinstance(obj, _theon.Function):
        return list(obj._fgraph_outputs), list(obj._toposort())
    if hasattr(obj, "_fgraph_outputs"):  # theon.compile's wrappers keep the Function inside
        return list(obj._fgraph_outputs), list(obj._toposort())
    if isinstance(obj, (list, tuple)):
        return list(obj), []
    if isinstance(obj, _theon.TensorVariable):
        return [obj], []
    raise TypeError(f"{who}: expected a compiled function, a variable or a list of variables, "
                    f"got {type(obj).__name__}")


def dot_text(obj, compact=True, with_ids=False, high_contrast=True, colorCodes=None,
             max_label_size=70, var_with_name_simple=False, who="pydotprint"):
    """(DOT text of the graph, {fused node id: DOT text of its expression})."""
    outputs, _ = graph_outputs(obj, who)
    colors = {str(k): str(v) for k, v in (colorCodes or {}).items()}
    return _theon._dot_graph(outputs, compact, with_ids, high_contrast, int(max_label_size),
                             var_with_name_simple, colors)


FORMATS = ("png", "svg", "pdf", "dot", "jpg", "jpeg", "gif", "ps", "eps", "plain", "json")


def pydotprint(fct, outfile=None, compact=True, format="png", with_ids=False,
               high_contrast=True, cond_highlight=None, colorCodes=None, max_label_size=70,
               scan_graphs=False, var_with_name_simple=False, print_output_file=True,
               return_image=False):
    """Draws the graph of a compiled function (after rewrites), a variable or a list of
    variables with Graphviz, as Theano's pydotprint. Boxes are variables (inputs green,
    shared cyan, constants pale green, outputs blue, unused grey), ellipses apply nodes
    (element-wise pink; fused kernels rounded boxes showing the expression they compute);
    edges carry the input index and the type.

    outfile defaults to theano.pydotprint.cpu.<format> in the current directory. With
    return_image=True nothing is written and the image is returned (bytes; str for
    format='dot'). cond_highlight and scan_graphs are accepted and have no effect."""
    del cond_highlight, scan_graphs  # no lazy-branch colouring, no inner scan pictures
    if format not in FORMATS:
        raise ValueError(f"pydotprint: format must be one of {', '.join(FORMATS)}, got {format!r}")
    text, _ = dot_text(fct, compact, with_ids, high_contrast, colorCodes, max_label_size,
                       var_with_name_simple)
    if return_image:
        if format == "dot":
            return text
        return _theon._render_graph(text, format)
    if outfile is None:
        outfile = os.path.join(os.getcwd(), "theano.pydotprint.cpu." + format)
    outfile = os.fspath(outfile)
    _theon._write_graph_picture(text, outfile, format)
    if print_output_file:
        print("The output file is available at", outfile)
    return None


__all__ = ["pydotprint", "pydot_imported", "pydot_imported_msg"]
