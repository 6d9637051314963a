"""wallboard: a real-time command-center wall display for Indonesian local governments."""

__version__ = "0.1.0"
