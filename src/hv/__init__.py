"""hv: verify the rosters of health poverty-alleviation work."""

__version__ = "0.1.0"
