"""Fields added to the saved state classes after files were written without them.

A checkpoint's dataclass is read field by field, exactly its fields (see
:mod:`evonet.io._state`); a field listed here may be missing from an older
file and then takes its default.
"""

__all__ = ["ADDED_FIELDS", "expected_fields", "fill_added"]

ADDED_FIELDS = {"NEATState": {"species_sizes": dict},
                "OpenESState": {"noise_seed": lambda: None, "step_cuts": int}}
"""Class name -> {field: factory of its default}, for fields older files lack."""


def expected_fields(name, names, saved):
    """Whether the ``saved`` field names fit class ``name`` whose fields are ``names``.

    Examples
    --------
    >>> expected_fields("NEATState", ["a", "species_sizes"], ["a"])
    True
    >>> expected_fields("GAState", ["a", "b"], ["a"])
    False
    """
    added = ADDED_FIELDS.get(name, {})
    return set(names) - set(added) <= set(saved) <= set(names)


def fill_added(name, obj, saved):
    """Give ``obj`` (of class ``name``) the defaults of the added fields not ``saved``."""
    for key, make in ADDED_FIELDS.get(name, {}).items():
        if key not in saved:
            obj.__dict__[key] = make()
