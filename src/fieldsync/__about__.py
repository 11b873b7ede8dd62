"""The version of fieldsync, in one place: the build (hatch) and ``fieldsync.__version__``
read it from here."""

__version__ = "0.1.0"
