"""theano.d3viz: interactive HTML pictures of graphs (d3viz.py)."""
from .d3viz import d3viz, d3write  # noqa: F401

__all__ = ["d3viz", "d3write"]
