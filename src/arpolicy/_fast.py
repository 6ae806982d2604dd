"""Build many immutable records quickly, for the loaders' hot paths.

A frozen slotted class (attrs, or :class:`~arpolicy.money.Money`) sets each
field through ``object.__setattr__``: about 70 ns a field, so 1 µs for an
invoice before any work is done. :func:`fast_constructor` returns a plain
slotted *twin* of the class with the same slots: its ``__init__`` stores the
fields with ordinary attribute assignments (a few ns each) and then turns the
instance into the real class, which CPython allows because both have the
same memory layout. The result is an ordinary instance of the real class,
frozen as ever: equal, hashable and picklable like one built the normal way.

No validation runs: callers validate their input first, or call the class's
``__attrs_post_init__`` on the result. This is internal; the public way to
build a record is its class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["fast_constructor"]

T = TypeVar("T")


def fast_constructor(cls: type[T], names: tuple[str, ...]) -> Callable[..., T]:
    """A class whose call ``twin(*values)`` returns a ``cls`` with those fields.

    Args:
        cls: a slotted class without ``__weakref__`` or ``__dict__``.
        names: every slot of ``cls``, in the order the values will be given.

    Raises:
        TypeError: ``names`` is not exactly the slots of ``cls`` (a model
            change must not leave a field unset), or the layouts differ.
    """
    slots = tuple(cls.__slots__)  # type: ignore[attr-defined]
    if sorted(slots) != sorted(names) or len(set(names)) != len(names):
        raise TypeError(f"{cls.__name__} has slots {slots}, not {names}")
    args = ", ".join(names)
    body = "".join(f"    self.{name} = {name}\n" for name in names)
    source = f"def __init__(self, {args}):\n{body}    self.__class__ = _cls\n"
    namespace: dict[str, Any] = {"_cls": cls}
    exec(source, namespace)
    twin: Callable[..., T] = type(
        f"_Fast{cls.__name__}", (object,), {"__slots__": slots, "__init__": namespace["__init__"]}
    )
    return twin
