"""theano.compile.profiling: ProfileStats (theon.profiling)."""
from theon.profiling import ProfileStats, ProfiledApply  # noqa: F401
