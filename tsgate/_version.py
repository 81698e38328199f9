"""The version of tsgate, in a module of its own so that any module can read
it without importing the package ``__init__`` (which imports everything)."""
__version__ = "0.2.0.dev0"
