"""theano.compat: the Python 2/3 shims Theano scripts import (all Python 3 here)."""
from collections import OrderedDict  # noqa: F401
from functools import partial, reduce  # noqa: F401
import pickle as cPickle  # noqa: F401

PY3 = True
izip, imap, ifilter = zip, map, filter
string_types = (str,)
integer_types = (int,)
text_type = str
xrange = range
iteritems = dict.items
itervalues = dict.values
iterkeys = dict.keys


def get_unbound_function(f):
    return f


def decode(x):
    return x.decode() if isinstance(x, bytes) else x
