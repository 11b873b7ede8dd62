"""The pure core of fieldsync: no I/O, only the standard library and attrs."""
