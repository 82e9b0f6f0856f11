"""theano.compile.monitormode: MonitorMode (theon.monitormode)."""
from theon.monitormode import MonitorMode  # noqa: F401
