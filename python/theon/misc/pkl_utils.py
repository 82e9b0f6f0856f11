"""Theano's theano.misc.pkl_utils: pickles whose NumPy arrays are stored as .npy files.

    from theano.misc.pkl_utils import dump, load
    with open('model.zip', 'wb') as f:
        dump(classifier, f)          # a zip: 'pkl' (the pickle) and one .npy per array
    with open('model.zip', 'rb') as f:
        classifier = load(f)

As in Theano, the arrays of named shared variables are stored under the variable's name
('W', 'b', a second 'W' as 'W_2'), others as 'array_0', 'array_1'..., so `numpy.load`
reads the parameters from the zip without Theon. Everything else pickles as with pickle
(theon/serialization.py), including the check of the Theon version.
"""
import io
import pickle
import zipfile

import numpy as np

from .. import _theon
from .. import serialization  # noqa: F401  (installs the pickling of Theon objects)

__all__ = ["dump", "load", "StripPickler", "PersistentNdarrayID", "PersistentSharedVariableID",
           "PersistentNdarrayLoad"]


def _zip_add(write, zip_file, name):
    data = io.BytesIO()
    write(data)
    zip_file.writestr(name, data.getvalue())


class PersistentNdarrayID:
    """A persistent_id that writes each NumPy array once into `zip_file`, as a .npy file."""

    def __init__(self, zip_file):
        self.zip_file = zip_file
        self.count = 0
        self.seen = {}
        self._keep = []  # ids stay valid while the arrays they name live

    def _resolve_name(self, obj):
        name = "array_%d" % self.count
        self.count += 1
        return name

    def __call__(self, obj):
        if type(obj) is np.ndarray:
            if id(obj) not in self.seen:
                name = self._resolve_name(obj)
                _zip_add(lambda f: np.lib.format.write_array(f, obj), self.zip_file, name)
                self.seen[id(obj)] = "ndarray.%s" % name
                self._keep.append(obj)
            return self.seen[id(obj)]
        return None


class PersistentSharedVariableID(PersistentNdarrayID):
    """Names the value of a named shared variable after it ('W', then 'W_2', ...).

    allow_unnamed=False refuses shared variables without a name, allow_duplicates=False
    two with one name (ValueError), as in Theano."""

    def __init__(self, zip_file, allow_unnamed=True, allow_duplicates=True):
        super().__init__(zip_file)
        self.allow_unnamed = allow_unnamed
        self.allow_duplicates = allow_duplicates
        self.name_counter = {}
        self._pending = None  # the name for the next array: the shared variable's value

    def _resolve_name(self, obj):
        name, self._pending = self._pending, None
        if name is None:
            return super()._resolve_name(obj)
        if name in self.name_counter:
            if not self.allow_duplicates:
                raise ValueError("pkl_utils.dump: two shared variables are named %r "
                                 "(allow_duplicates=False)" % name)
            self.name_counter[name] += 1
            return "%s_%d" % (name, self.name_counter[name])
        self.name_counter[name] = 1
        return name

    def __call__(self, obj):
        if isinstance(obj, _theon.SharedVariable) and serialization._canonical(obj) is obj:
            if obj.name:
                # Its reduce pickles the version string, then the value: the next array.
                self._pending = obj.name
            elif not self.allow_unnamed:
                raise ValueError("pkl_utils.dump: the shared variable %r has no name "
                                 "(allow_unnamed=False)" % (obj,))
            return None
        return super().__call__(obj)


class PersistentNdarrayLoad:
    """A persistent_load that reads the arrays PersistentNdarrayID wrote."""

    def __init__(self, zip_file):
        self.zip_file = zip_file
        self.cache = {}

    def __call__(self, persid):
        kind, name = persid.split(".", 1)
        if kind != "ndarray":
            raise pickle.UnpicklingError("pkl_utils.load: unknown persistent id %r" % persid)
        if name not in self.cache:
            with self.zip_file.open(name) as f:
                self.cache[name] = np.lib.format.read_array(io.BytesIO(f.read()))
        return self.cache[name]


class StripPickler(pickle.Pickler):
    """Theano's pickler that removes debugging tags (tag.trace) before pickling. Theon's
    variables never pickle their tags, so this is pickle.Pickler; extra_tag_to_remove is
    accepted for compatibility."""

    def __init__(self, file, protocol=0, extra_tag_to_remove=None):
        super().__init__(file, protocol)
        self.tag_to_remove = ["trace", "test_value"] + list(extra_tag_to_remove or [])


def dump(obj, file_handler, protocol=pickle.DEFAULT_PROTOCOL, persistent_id=PersistentSharedVariableID):
    """Pickles `obj` into `file_handler` (opened 'wb') as a zip: the pickle as 'pkl', each
    NumPy array (shared variables' values included) as a .npy file beside it."""
    with zipfile.ZipFile(file_handler, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zip_file:
        def write_pickle(f):
            pickler = pickle.Pickler(f, protocol=protocol)
            pickler.persistent_id = persistent_id(zip_file)
            pickler.dump(obj)
        _zip_add(write_pickle, zip_file, "pkl")


def load(f, persistent_load=PersistentNdarrayLoad):
    """Loads what dump wrote (f opened 'rb')."""
    with zipfile.ZipFile(f, "r") as zip_file:
        unpickler = pickle.Unpickler(io.BytesIO(zip_file.read("pkl")))
        unpickler.persistent_load = persistent_load(zip_file)
        return unpickler.load()
