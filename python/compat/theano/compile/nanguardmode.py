"""theano.compile.nanguardmode: NanGuardMode (theon.nanguardmode)."""
from theon.nanguardmode import NanGuardError, NanGuardMode  # noqa: F401
