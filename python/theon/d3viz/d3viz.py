"""d3viz: a graph as one self-contained interactive HTML page (Theano's theano.d3viz).

The page needs no network: Graphviz lays the graph out here (`dot -Tsvg`) and the SVG is
inlined, with a small viewer (viewer.py, inlined too) that zooms (wheel),
pans (drag), shows a node's details on hover (op, props, types, the user's line) and
expands a fused kernel (click) into its inner expression, laid out by Graphviz as well.
"""
import html
import os
import re

from .. import _theon
from ..graph_pictures import dot_text
from .viewer import page


def _svg_element(svg_document, strip_ids=False):
    """The <svg> element of dot's SVG document, without the XML prolog and doctype."""
    text = svg_document.decode("utf-8") if isinstance(svg_document, bytes) else svg_document
    start = text.find("<svg")
    if start < 0:
        raise RuntimeError("d3viz: Graphviz returned no SVG document")
    text = text[start:]
    if strip_ids:  # an inner picture must not repeat the page's element ids
        text = re.sub(r'\sid="[^"]*"', "", text)
    return text


def _title(fct):
    name = getattr(fct, "name", None)
    return f"Theon graph: {name}" if isinstance(name, str) and name else "Theon graph"


def d3write(fct, path, *args, **kwargs):
    """Writes the graph of `fct` (a compiled function, a variable or a list of them) as
    Graphviz DOT text to `path`. Keyword arguments are pydotprint's (compact, with_ids,
    high_contrast, colorCodes, max_label_size, var_with_name_simple)."""
    text, _ = dot_text(fct, *args, who="d3write", **kwargs)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def d3viz(fct, outfile="graph.html", copy_deps=True, *args, **kwargs):
    """Writes the graph of `fct` as one HTML file with an interactive picture of it:
    wheel to zoom, drag to pan, hover a node for its details, click a fused kernel to
    show its inner expression (click again to hide it). The page holds everything it
    needs, so copy_deps has no effect. Keyword arguments are pydotprint's. Returns the
    path written."""
    del copy_deps
    kwargs.pop("match_version", None)
    main, fused = dot_text(fct, *args, who="d3viz", **kwargs)
    svg = _svg_element(_theon._render_graph(main, "svg"))
    templates = []
    for node_id, inner in sorted(fused.items()):
        inner_svg = _svg_element(_theon._render_graph(inner, "svg"), strip_ids=True)
        templates.append(f'<template id="theon-fused-{html.escape(node_id)}">{inner_svg}</template>')
    text = page(html.escape(_title(fct)), svg, "\n".join(templates))
    outfile = os.fspath(outfile)
    directory = os.path.dirname(os.path.abspath(outfile))
    os.makedirs(directory, exist_ok=True)
    with open(outfile, "w", encoding="utf-8") as f:
        f.write(text)
    return outfile
