"""theon.ifelse: the lazy conditional. Only the branch taken is computed.

    from theon.ifelse import ifelse
    a = ifelse(T.lt(z, 0), 0, 1)
"""
from ._theon import ifelse  # noqa: F401

__all__ = ["ifelse"]
