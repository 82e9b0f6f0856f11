"""theano.d3viz.formatting.PyDotFormatter without pydot: the graph it returns has the
methods Theano's documentation calls on a pydot graph (write_png, write_svg, write_pdf,
write, create_png, to_string), drawn by Graphviz's `dot` from Theon's DOT text."""
from .. import _theon
from ..graph_pictures import dot_text


class DotGraph:
    """A graph's DOT text with pydot's writing methods."""

    def __init__(self, text):
        self._text = text

    def to_string(self):
        return self._text

    def create(self, prog="dot", format="png"):
        """The picture as bytes (prog other than 'dot' is not offered)."""
        if prog != "dot":
            raise ValueError(f"DotGraph.create: only prog='dot' is offered, got {prog!r}")
        return _theon._render_graph(self._text, format)

    def write(self, path, prog="dot", format="raw"):
        if prog != "dot":
            raise ValueError(f"DotGraph.write: only prog='dot' is offered, got {prog!r}")
        _theon._write_graph_picture(self._text, str(path), "dot" if format == "raw" else format)
        return True

    def __getattr__(self, name):
        # write_png(path), write_svg(path), create_png(), create_pdf(), ... as pydot has them.
        for prefix, method in (("write_", self.write), ("create_", self.create)):
            if name.startswith(prefix) and len(name) > len(prefix):
                fmt = name[len(prefix):]
                if prefix == "write_":
                    return lambda path, prog="dot": method(path, prog=prog, format=fmt)
                return lambda prog="dot": method(prog=prog, format=fmt)
        raise AttributeError(name)


class PyDotFormatter:
    """PyDotFormatter(compact=True)(fct) -> a graph with pydot's write_png & co."""

    def __init__(self, compact=True):
        self.compact = compact

    def __call__(self, fct, graph=None):
        text, _ = dot_text(fct, compact=self.compact, who="PyDotFormatter")
        return DotGraph(text)


__all__ = ["PyDotFormatter", "DotGraph"]
