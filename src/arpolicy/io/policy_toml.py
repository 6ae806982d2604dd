"""Playbooks as TOML files: load with :mod:`tomllib`, write with ``tomli-w``.

The schema is documented in ``docs/reference/policy-files.md``. In short::

    [playbook]
    name = "example"
    by_profile = { business = "business-standard" }

    [[policy]]
    name = "business-standard"
    profiles = ["business"]
    minimum_amount = { EUR = "5.00" }

    [[policy.step]]
    name = "call"
    offset_days = 1
    channel = "phone"
    tone = "friendly"

Money amounts are strings (``"5.00"``), never floats. Unknown keys are
errors, so that a typo never silently changes a policy. Every problem is a
:class:`~arpolicy.errors.LoadError` whose ``line`` is the line of the
offending key (or of its table), whose ``column`` is the dotted key path
(``policy[0].step[2].tone``) and whose ``value`` is the rejected value.

>>> text = '''
... [[policy]]
... name = "gentle"
... profiles = ["business"]
... [[policy.step]]
... name = "call"
... offset_days = 1
... channel = "phone"
... '''
>>> book = loads_playbook(text)
>>> book.policy("gentle").steps[0].channels
('phone',)
>>> loads_playbook(dumps_playbook(book)) == book
True
"""

from __future__ import annotations

import enum
import os
import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import tomli_w

from .. import law
from ..actions import ActionKind
from ..channels import close_names
from ..errors import ArpolicyError, InvalidFieldError, LoadError, UnknownChannelError
from ..fees import (
    CUSTOMER,
    CollectionCosts,
    FeeCaps,
    FeeRule,
    FixedCompensation,
    StatutoryInterest,
    Tier,
    TieredFee,
)
from ..model import InvoiceKind, Profile
from ..money import Money, minor_unit
from ..policy import (
    Anchor,
    CalendarRule,
    CatchUp,
    EndBehaviour,
    Fee,
    FeeBasis,
    Grouping,
    Playbook,
    Policy,
    Step,
    Tone,
)
from ._files import write_text_atomic

if TYPE_CHECKING:
    from ..plugins import Plugins

__all__ = ["dump_playbook", "dumps_playbook", "load_playbook", "loads_playbook"]

_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")

PLAYBOOK_KEYS: Final = frozenset(
    {"name", "by_profile", "by_tag", "deposit_policy", "trial_notice_days", "credit_hold"}
)
POLICY_KEYS: Final = frozenset(
    {
        "name",
        "description",
        "profiles",
        "kinds",
        "minimum_amount",
        "grace_days",
        "grace_days_by_currency",
        "min_days_between",
        "calendar",
        "grouping",
        "end",
        "repeat_every_days",
        "presumed_receipt_days",
        "fee_cap_invoice",
        "fee_cap_customer",
        "dun_interest_only",
        "closed_interest_days",
        "catch_up",
        "min_reminders",
        "step",
    }
)
STEP_KEYS: Final = frozenset(
    {
        "name",
        "offset_days",
        "channel",
        "tone",
        "anchor",
        "template",
        "deadline_days",
        "requires_acknowledgement",
        "formal",
        "calendar",
        "action",
        "fee",
    }
)
FEE_KINDS: Final = ("fee", "tiered", "statutory_interest", "fixed_compensation", "collection_costs")
FEE_KEYS: Final = {
    "fee": frozenset({"kind", "name", "fixed", "percent", "minimum", "maximum", "basis"}),
    "tiered": frozenset({"kind", "name", "tier", "basis"}),
    "statutory_interest": frozenset({"kind", "name", "jurisdiction", "day_count"}),
    "fixed_compensation": frozenset({"kind", "name", "jurisdiction"}),
    "collection_costs": frozenset({"kind", "name", "jurisdiction", "vat"}),
}
TIER_KEYS: Final = frozenset({"from", "fixed", "percent", "maximum"})
TAG_KEYS: Final = frozenset({"tag", "policy"})
TOP_KEYS: Final = frozenset({"playbook", "policy"})

# Constructor field names that differ from the TOML key.
_FIELD_KEYS: Final = {"channels": "channel", "fees": "fee", "steps": "step", "amounts": ""}


# ---------------------------------------------------------------------------
# where things are in the source text
# ---------------------------------------------------------------------------

_KEY_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_RE: Final = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY_RE: Final = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART_RE: Final = re.compile(_KEY_PART)


_PLAIN_DECIMAL: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
"""How an amount is written in a policy file: digits with an optional decimal
point; no exponent (``"1e1"``), no separators (``"1_000"``, ``"1,000.00"``)."""


def _decimals(value: Decimal) -> int:
    """The decimals needed to write ``value`` exactly (``7.500`` needs 1).

    >>> _decimals(Decimal("7.505")), _decimals(Decimal("7.500")), _decimals(Decimal("100"))
    (3, 1, 0)
    """
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places = -exponent
    end = len(digits)
    while places and end and digits[end - 1] == 0:
        places -= 1
        end -= 1
    return places


def _parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in _PART_RE.findall(dotted)]


def line_index(text: str) -> dict[str, int]:
    """Map dotted key paths (``policy[0].step[2].tone``) to 1-based source lines.

    Best effort: a line scanner that understands table headers, arrays of
    tables and ``key = value`` lines (not keys inside inline tables, which
    are found through their parent key). Multi-line strings are skipped.

    >>> index = line_index('[[policy]]\\nname = "a"\\n[[policy.step]]\\ntone = "firm"\\n')
    >>> index["policy[0]"], index["policy[0].name"], index["policy[0].step[0].tone"]
    (1, 2, 4)
    """
    index: dict[str, int] = {}
    counts: dict[str, int] = {}
    current = ""
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER_RE.match(line)
        if header is not None:
            parts = _parts(header[2])
            path = ""
            for part in parts[:-1]:
                path = f"{path}.{part}" if path else part
                if path in counts:
                    path = f"{path}[{counts[path]}]"
            path = f"{path}.{parts[-1]}" if path else parts[-1]
            if header[1] == "[[":
                counts[path] = counts.get(path, -1) + 1
                path = f"{path}[{counts[path]}]"
            current = path
            index.setdefault(current, number)
            continue
        key = _KEY_RE.match(line)
        if key is not None:
            path = ".".join(_parts(key[1]))
            index.setdefault(f"{current}.{path}" if current else path, number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
                    break
    return index


_TRAILER_RE: Final = re.compile(r"(\.[^.\[\]]*|\[\d+\])$")


def find_line(index: Mapping[str, int], path: str) -> int | None:
    """The line of ``path``, else of its nearest enclosing key or table."""
    while path:
        if path in index:
            return index[path]
        shorter = _TRAILER_RE.sub("", path)
        if shorter == path:
            break
        path = shorter
    return None


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


class _Reader:
    """Checks the parsed TOML and builds the objects; raises :class:`LoadError`."""

    def __init__(
        self,
        source: str,
        index: Mapping[str, int],
        fee_kinds: Mapping[str, type[FeeRule]] | None = None,
        channels: Collection[str] | None = None,
    ) -> None:
        self.source = source
        self.index = index
        self.fee_kinds = dict(fee_kinds or {})
        self.channels = None if channels is None else sorted(channels)

    def fail(self, path: str, reason: str, value: Any = None) -> LoadError:
        return LoadError(
            self.source, reason, line=find_line(self.index, path), column=path, value=value
        )

    # -- shapes -------------------------------------------------------------

    def table(self, value: Any, path: str, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "expected a table", value)
        for key in value:
            if key not in allowed:
                raise self.fail(
                    f"{path}.{key}" if path else key,
                    f"unknown key {key!r}; expected one of {', '.join(sorted(allowed))}",
                    key,
                )
        return value

    def tables(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, "expected an array of tables", value)
        return value

    def string(self, table: Mapping[str, Any], key: str, path: str) -> str | None:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{path}.{key}", "expected a string", value)
        return value

    def name(self, table: Mapping[str, Any], path: str) -> str:
        value = self.string(table, "name", path)
        if value is None:
            raise self.fail(f"{path}.name", "missing required key 'name'")
        if not value.strip() or value != value.strip():
            raise self.fail(f"{path}.name", "a name must be non-empty, without outer spaces", value)
        return value

    def integer(
        self, table: Mapping[str, Any], key: str, path: str, *, low: int | None = None
    ) -> Any:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{path}.{key}", "expected an integer", value)
        if low is not None and value < low:
            raise self.fail(f"{path}.{key}", f"must be >= {low}", value)
        return value

    def boolean(self, table: Mapping[str, Any], key: str, path: str) -> bool | None:
        value = table.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.fail(f"{path}.{key}", "expected true or false", value)
        return value

    def strings(self, table: Mapping[str, Any], key: str, path: str) -> list[str] | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise self.fail(f"{path}.{key}", "expected a string or an array of strings", value)
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail(f"{path}.{key}[{i}]", "expected a string", item)
        return value

    def choice(self, value: Any, enum_type: type[_E], path: str, what: str) -> _E:
        for member in enum_type:
            if member.value == value:
                return member
        allowed = ", ".join(str(m.value) for m in enum_type)
        raise self.fail(path, f"unknown {what} {value!r}; expected one of {allowed}", value)

    def option(
        self, table: Mapping[str, Any], key: str, path: str, enum_type: type[_E], what: str
    ) -> _E | None:
        value = self.string(table, key, path)
        if value is None:
            return None
        return self.choice(value, enum_type, f"{path}.{key}", what)

    def calendar(self, table: Mapping[str, Any], path: str) -> str | None:
        value = self.string(table, "calendar", path)
        if value is None:
            return None
        try:
            return CalendarRule.check(value)
        except InvalidFieldError as exc:
            raise self.fail(f"{path}.calendar", exc.reason, value) from None

    def amount(self, value: Any, path: str) -> Decimal:
        if isinstance(value, float):
            raise self.fail(path, 'write amounts as strings such as "5.00", never floats', value)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(path, 'expected an amount as a string such as "5.00"', value)
        try:
            result = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise self.fail(path, "not a decimal number", value) from None
        if not result.is_finite():
            raise self.fail(path, "not a finite number", value)
        if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value.strip()):
            raise self.fail(
                path,
                'write amounts as plain decimals such as "5.00" or "1500", '
                "without an exponent or separators",
                value,
            )
        return result

    def money(self, raw: Any, currency: str, path: str) -> Money:
        """An exact amount of ``currency``: never rounded to its minor unit."""
        amount = self.amount(raw, path)
        try:
            places = minor_unit(currency)
        except ArpolicyError as exc:
            raise self.fail(path, str(exc), currency) from None
        if _decimals(amount) > places:
            raise self.fail(
                path,
                f"{currency} amounts have at most {places} decimal"
                f"{'' if places == 1 else 's'}; write the exact amount "
                "(it would otherwise be rounded)",
                raw,
            )
        try:
            return Money(amount, currency)
        except ArpolicyError as exc:
            raise self.fail(path, str(exc), currency) from None

    def money_map(self, table: Mapping[str, Any], key: str, path: str) -> list[Money] | None:
        value = table.get(key)
        if value is None:
            return None
        where = f"{path}.{key}"
        if not isinstance(value, dict):
            raise self.fail(where, 'expected a table of currency = "amount"', value)
        return [self.money(raw, currency, f"{where}.{currency}") for currency, raw in value.items()]

    def guard(self, path: str, build: Callable[[], _T]) -> _T:
        """Run a constructor; turn its :class:`InvalidFieldError` into a LoadError."""
        try:
            return build()
        except InvalidFieldError as exc:
            key = _FIELD_KEYS.get(exc.field, exc.field)
            raise self.fail(f"{path}.{key}" if key else path, exc.reason, exc.value) from None

    # -- objects ------------------------------------------------------------

    def fee(self, raw: Any, path: str) -> FeeRule:
        kind = raw.get("kind", "fee") if isinstance(raw, dict) else "fee"
        if kind not in FEE_KEYS and kind in self.fee_kinds:
            return self.plugin_fee(self.fee_kinds[kind], raw, path)
        if kind not in FEE_KEYS:
            choices = ", ".join(repr(k) for k in (*FEE_KINDS, *sorted(self.fee_kinds)))
            raise self.fail(f"{path}.kind", f"unknown fee kind; expected one of {choices}", kind)
        table = self.table(raw, path, FEE_KEYS[kind])
        kwargs: dict[str, Any] = {}
        name = self.string(table, "name", path)
        if name is not None:
            kwargs["name"] = name
        if kind in ("fee", "tiered"):
            basis = self.option(table, "basis", path, FeeBasis, "fee basis")
            if basis is not None:
                kwargs["basis"] = basis
        if kind == "fee":
            for key in ("fixed", "minimum", "maximum"):
                amounts = self.money_map(table, key, path)
                if amounts is not None:
                    kwargs[key] = amounts
            if "percent" in table:
                kwargs["percent"] = self.amount(table["percent"], f"{path}.percent")
            return self.guard(path, lambda: Fee(**kwargs))
        if kind == "tiered":
            raw_tiers = self.tables(table.get("tier", []), f"{path}.tier")
            kwargs["tiers"] = [self.tier(t, f"{path}.tier[{i}]") for i, t in enumerate(raw_tiers)]
            return self.guard(path, lambda: TieredFee(**kwargs))
        jurisdiction = self.string(table, "jurisdiction", path)
        if jurisdiction is not None:
            kwargs["jurisdiction"] = self.jurisdiction(jurisdiction, f"{path}.jurisdiction")
        if kind == "statutory_interest":
            day_count = self.string(table, "day_count", path)
            if day_count is not None:
                kwargs["day_count"] = day_count
            return self.guard(path, lambda: StatutoryInterest(**kwargs))
        if kind == "fixed_compensation":
            return self.guard(path, lambda: FixedCompensation(**kwargs))
        if "vat" in table:
            kwargs["vat"] = self.amount(table["vat"], f"{path}.vat")
        return self.guard(path, lambda: CollectionCosts(**kwargs))

    def plugin_fee(self, cls: type[FeeRule], raw: dict[str, Any], path: str) -> FeeRule:
        """A fee rule of a kind a plugin registered: its ``from_table`` builds it."""
        table = {k: v for k, v in raw.items() if k != "kind"}
        try:
            rule = cls.from_table(table)  # type: ignore[attr-defined]
        except Exception as exc:  # the plugin's own check, reported with the place
            reason = str(exc) or type(exc).__name__
            raise self.fail(path, f"{raw['kind']!r} fee: {reason}", table) from None
        if not isinstance(rule, FeeRule):
            raise self.fail(path, f"{raw['kind']!r} fee: from_table gave no fee rule", table)
        return rule

    def tier(self, raw: Any, path: str) -> Tier:
        table = self.table(raw, path, TIER_KEYS)
        kwargs: dict[str, Any] = {}
        threshold = self.money_map(table, "from", path)
        if threshold is None:
            raise self.fail(f"{path}.from", "missing required key 'from'")
        kwargs["threshold"] = threshold
        for key in ("fixed", "maximum"):
            amounts = self.money_map(table, key, path)
            if amounts is not None:
                kwargs[key] = amounts
        if "percent" in table:
            kwargs["percent"] = self.amount(table["percent"], f"{path}.percent")
        return self.guard(path, lambda: Tier(**kwargs))

    def jurisdiction(self, value: str, path: str) -> str:
        if value == CUSTOMER:
            return value
        try:
            return law.jurisdiction(value).code
        except ArpolicyError as exc:
            raise self.fail(
                path, f"expected 'customer' or a jurisdiction code: {exc}", value
            ) from None

    def step(self, raw: Any, path: str) -> Step:
        table = self.table(raw, path, STEP_KEYS)
        name = self.name(table, path)
        offset = self.integer(table, "offset_days", path)
        if offset is None:
            raise self.fail(f"{path}.offset_days", "missing required key 'offset_days'")
        channels = self.strings(table, "channel", path)
        if not channels:
            raise self.fail(f"{path}.channel", "a step needs at least one channel", channels)
        for i, channel in enumerate(channels):
            if not channel.strip() or channel != channel.strip():
                raise self.fail(
                    f"{path}.channel[{i}]", "a channel must be a non-empty word", channel
                )
        kwargs: dict[str, Any] = {"name": name, "offset_days": offset, "channels": channels}
        tone = self.option(table, "tone", path, Tone, "tone")
        if tone is not None:
            kwargs["tone"] = tone
        anchor = self.option(table, "anchor", path, Anchor, "anchor")
        if anchor is not None:
            kwargs["anchor"] = anchor
        template = self.string(table, "template", path)
        if template is not None:
            kwargs["template"] = template
        deadline = self.integer(table, "deadline_days", path, low=0)
        if deadline is not None:
            kwargs["deadline_days"] = deadline
        for key in ("requires_acknowledgement", "formal"):
            flag = self.boolean(table, key, path)
            if flag is not None:
                kwargs[key] = flag
        calendar = self.calendar(table, path)
        if calendar is not None:
            kwargs["calendar"] = calendar
        action = self.option(table, "action", path, ActionKind, "action")
        if action is not None:
            kwargs["action"] = action.value
        if "fee" in table:
            fees = self.tables(table["fee"], f"{path}.fee")
            kwargs["fees"] = [self.fee(f, f"{path}.fee[{i}]") for i, f in enumerate(fees)]
        return self.guard(path, lambda: Step(**kwargs))

    def known_channels(self, policy: str, step: Step, path: str) -> None:
        """Refuse a channel no plugin provides, with the closest known names."""
        if self.channels is None:
            return
        for channel in step.channels:
            if channel not in self.channels:
                raise UnknownChannelError(
                    channel,
                    suggestions=close_names(channel, self.channels),
                    known=tuple(self.channels),
                    policy=policy,
                    step=step.name,
                    file=self.source,
                    line=find_line(self.index, path),
                )

    def policy(self, raw: Any, path: str) -> Policy:
        table = self.table(raw, path, POLICY_KEYS)
        name = self.name(table, path)
        kwargs: dict[str, Any] = {"name": name}
        description = self.string(table, "description", path)
        if description is not None:
            kwargs["description"] = description
        profiles = self.strings(table, "profiles", path)
        if profiles is not None:
            kwargs["profiles"] = [
                self.choice(p, Profile, f"{path}.profiles[{i}]", "profile")
                for i, p in enumerate(profiles)
            ]
        kinds = self.strings(table, "kinds", path)
        if kinds is not None:
            kwargs["kinds"] = [
                self.choice(k, InvoiceKind, f"{path}.kinds[{i}]", "invoice kind")
                for i, k in enumerate(kinds)
            ]
        minimum = self.money_map(table, "minimum_amount", path)
        if minimum is not None:
            kwargs["minimum_amount"] = minimum
        for key in (
            "grace_days",
            "min_days_between",
            "presumed_receipt_days",
            "closed_interest_days",
        ):
            number = self.integer(table, key, path, low=0)
            if number is not None:
                kwargs[key] = number
        min_reminders = self.integer(table, "min_reminders", path, low=0)
        if min_reminders is not None:
            kwargs["min_reminders"] = min_reminders
        repeat = self.integer(table, "repeat_every_days", path, low=1)
        if repeat is not None:
            kwargs["repeat_every_days"] = repeat
        interest_only = self.boolean(table, "dun_interest_only", path)
        if interest_only is not None:
            kwargs["dun_interest_only"] = interest_only
        cap_invoice = self.money_map(table, "fee_cap_invoice", path)
        cap_customer = self.money_map(table, "fee_cap_customer", path)
        if cap_invoice is not None or cap_customer is not None:
            kwargs["fee_caps"] = self.guard(
                path, lambda: FeeCaps(cap_invoice or (), cap_customer or ())
            )
        by_currency = table.get("grace_days_by_currency")
        if by_currency is not None:
            where = f"{path}.grace_days_by_currency"
            if not isinstance(by_currency, dict):
                raise self.fail(where, "expected a table of currency = days", by_currency)
            for currency in by_currency:
                self.integer(by_currency, currency, where, low=0)
                try:
                    Money.zero(currency)
                except ArpolicyError as exc:
                    raise self.fail(f"{where}.{currency}", str(exc), currency) from None
            kwargs["grace_days_by_currency"] = by_currency
        calendar = self.calendar(table, path)
        if calendar is not None:
            kwargs["calendar"] = calendar
        grouping = self.option(table, "grouping", path, Grouping, "grouping")
        if grouping is not None:
            kwargs["grouping"] = grouping
        end = self.option(table, "end", path, EndBehaviour, "end behaviour")
        if end is not None:
            kwargs["end"] = end
        catch_up = self.option(table, "catch_up", path, CatchUp, "catch-up mode")
        if catch_up is not None:
            kwargs["catch_up"] = catch_up
        raw_steps = self.tables(table.get("step", []), f"{path}.step")
        steps: list[Step] = []
        seen: set[str] = set()
        for i, raw_step in enumerate(raw_steps):
            step = self.step(raw_step, f"{path}.step[{i}]")
            self.known_channels(name, step, f"{path}.step[{i}].channel")
            if step.name in seen:
                raise self.fail(
                    f"{path}.step[{i}].name",
                    f"duplicate step name {step.name!r} in policy {name!r}",
                    step.name,
                )
            seen.add(step.name)
            steps.append(step)
        kwargs["steps"] = steps
        return self.guard(path, lambda: Policy(**kwargs))

    def playbook(self, data: Mapping[str, Any]) -> Playbook:
        self.table(data, "", TOP_KEYS)
        raw_policies = self.tables(data.get("policy", []), "policy")
        policies: list[Policy] = []
        names: set[str] = set()
        for i, raw_policy in enumerate(raw_policies):
            policy = self.policy(raw_policy, f"policy[{i}]")
            if policy.name in names:
                raise self.fail(
                    f"policy[{i}].name", f"duplicate policy name {policy.name!r}", policy.name
                )
            names.add(policy.name)
            policies.append(policy)
        head = self.table(data.get("playbook", {}), "playbook", PLAYBOOK_KEYS)
        kwargs: dict[str, Any] = {"policies": policies}
        name = self.string(head, "name", "playbook")
        if name is not None:
            kwargs["name"] = name

        def known(value: Any, where: str) -> str:
            if not isinstance(value, str):
                raise self.fail(where, "expected a policy name", value)
            if value not in names:
                raise self.fail(where, f"no policy called {value!r} in this file", value)
            return value

        by_profile = head.get("by_profile")
        if by_profile is not None:
            if not isinstance(by_profile, dict):
                raise self.fail(
                    "playbook.by_profile", "expected a table profile = policy", by_profile
                )
            pairs = []
            for profile, target in by_profile.items():
                where = f"playbook.by_profile.{profile}"
                self.choice(profile, Profile, where, "profile")
                pairs.append((profile, known(target, where)))
            kwargs["by_profile"] = pairs
        if "by_tag" in head:
            tags = []
            for i, raw in enumerate(self.tables(head["by_tag"], "playbook.by_tag")):
                where = f"playbook.by_tag[{i}]"
                entry = self.table(raw, where, TAG_KEYS)
                tag = self.string(entry, "tag", where)
                if tag is None:
                    raise self.fail(f"{where}.tag", "missing required key 'tag'")
                if not tag.strip() or " " in tag:
                    raise self.fail(f"{where}.tag", "a tag is a non-empty word without spaces", tag)
                if "policy" not in entry:
                    raise self.fail(f"{where}.policy", "missing required key 'policy'")
                tags.append((tag, known(entry["policy"], f"{where}.policy")))
            kwargs["by_tag"] = tags
        if "deposit_policy" in head:
            kwargs["deposit_policy"] = known(head["deposit_policy"], "playbook.deposit_policy")
        days = head.get("trial_notice_days")
        if days is not None:
            if not isinstance(days, list):
                raise self.fail("playbook.trial_notice_days", "expected an array of integers", days)
            for i, day in enumerate(days):
                if isinstance(day, bool) or not isinstance(day, int) or day < 0:
                    raise self.fail(
                        f"playbook.trial_notice_days[{i}]", "expected an integer >= 0", day
                    )
            kwargs["trial_notice_days"] = days
        credit_hold = self.boolean(head, "credit_hold", "playbook")
        if credit_hold is not None:
            kwargs["credit_hold"] = credit_hold
        return self.guard("playbook", lambda: Playbook(**kwargs))


_TOML_POSITION: Final = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse(text: str, source: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse ``text`` as TOML; return the data and its :func:`line_index`.

    Raises:
        LoadError: the text is not valid TOML (with the line of the problem).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line = int(found[1]) if found else None
        reason = _TOML_POSITION.sub("", message).strip()
        raise LoadError(source, f"invalid TOML: {reason}", line=line) from None
    return data, line_index(text)


def build(
    data: Mapping[str, Any],
    source: str,
    index: Mapping[str, int],
    plugins: Plugins | None = None,
    *,
    check_channels: bool = True,
) -> Playbook:
    """Build a playbook from parsed TOML ``data`` (see :func:`parse`).

    With ``check_channels`` a channel that ``plugins`` (the built-in ones
    when ``None``) do not provide is an :class:`UnknownChannelError`;
    ``lint`` turns it off and reports such channels as findings instead.
    """
    from ..plugins import builtin_plugins  # noqa: PLC0415 - the plugins import the policies

    kinds = plugins.fee_rule_types() if plugins is not None else None
    channels = (plugins or builtin_plugins()).channels() if check_channels else None
    return _Reader(source, index, kinds, channels).playbook(data)


def loads_playbook(
    text: str, *, source: str = "<string>", plugins: Plugins | None = None
) -> Playbook:
    """Read a playbook from TOML text.

    Args:
        text: the TOML document.
        source: the name used in error messages (a file name).
        plugins: plugins whose fee-rule kinds (``arpolicy_register_fee_rules``)
            and channels (``arpolicy_register_channels``) the file may use;
            only the built-in ones when ``None``.

    Returns:
        The playbook.

    Raises:
        LoadError: invalid TOML, an unknown key, a wrong type or value, a
            missing name, a duplicate name or a reference to an unknown
            policy. ``line`` is the line of the offending key or table,
            ``column`` the dotted key path, ``value`` the rejected value.
        UnknownChannelError: a step names a channel no plugin provides, with
            the file, the line of its ``channel`` key and the closest known
            names ("did you mean 'email'?").

    >>> loads_playbook('[[policy]]\\nname = "p"\\ntone = "x"\\n')
    Traceback (most recent call last):
    ...
    arpolicy.errors.LoadError: <string>:3: column 'policy[0].tone' = 'tone': unknown key 'tone'; ...
    """
    data, index = parse(text, source)
    return build(data, source, index, plugins)


def load_playbook(path: str | os.PathLike[str], *, plugins: Plugins | None = None) -> Playbook:
    """Read a playbook from a TOML file (UTF-8, with or without a byte-order mark).

    Args:
        path: the file.
        plugins: as for :func:`loads_playbook`.

    Returns:
        The playbook.

    Raises:
        LoadError: the file cannot be read or is invalid (see
            :func:`loads_playbook`).
        UnknownChannelError: as for :func:`loads_playbook`.
    """
    target = Path(path)
    try:
        text = target.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LoadError(target, f"cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise LoadError(target, f"not UTF-8 text: {exc.reason}") from None
    return loads_playbook(text, source=str(target), plugins=plugins)


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------


def _amounts(items: tuple[Money, ...]) -> dict[str, str]:
    return {m.currency: format(m.amount, "f") for m in items}


def _fee_data(rule: FeeRule) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(rule, Fee):
        out["name"] = rule.name
        if rule.fixed:
            out["fixed"] = _amounts(rule.fixed)
        if rule.percent is not None:
            out["percent"] = str(rule.percent)
        if rule.minimum:
            out["minimum"] = _amounts(rule.minimum)
        if rule.maximum:
            out["maximum"] = _amounts(rule.maximum)
        out["basis"] = rule.basis.value
        return out
    if isinstance(rule, TieredFee):
        out = {"kind": "tiered", "name": rule.name, "basis": rule.basis.value, "tier": []}
        for tier in rule.tiers:
            row: dict[str, Any] = {"from": _amounts(tier.threshold)}
            if tier.fixed:
                row["fixed"] = _amounts(tier.fixed)
            if tier.percent is not None:
                row["percent"] = str(tier.percent)
            if tier.maximum:
                row["maximum"] = _amounts(tier.maximum)
            out["tier"].append(row)
        return out
    if isinstance(rule, StatutoryInterest):
        return {
            "kind": "statutory_interest",
            "name": rule.name,
            "jurisdiction": rule.jurisdiction,
            "day_count": rule.day_count,
        }
    if isinstance(rule, FixedCompensation):
        return {"kind": "fixed_compensation", "name": rule.name, "jurisdiction": rule.jurisdiction}
    if isinstance(rule, CollectionCosts):
        out = {"kind": "collection_costs", "name": rule.name, "jurisdiction": rule.jurisdiction}
        if rule.vat is not None:
            out["vat"] = str(rule.vat)
        return out
    kind = getattr(rule, "kind_name", None)
    to_table = getattr(rule, "to_table", None)
    if isinstance(kind, str) and callable(to_table):
        return {"kind": kind, **to_table()}
    raise InvalidFieldError(
        "fee",
        "kind",
        type(rule).__name__,
        "a policy file holds the built-in fee rules and those with kind_name and to_table()",
    )


def _step_data(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": step.name,
        "offset_days": step.offset_days,
        "channel": step.channels[0] if len(step.channels) == 1 else list(step.channels),
        "tone": step.tone.value,
    }
    if step.anchor is not Anchor.DUE:
        out["anchor"] = step.anchor.value
    if step.template is not None:
        out["template"] = step.template
    if step.deadline_days is not None:
        out["deadline_days"] = step.deadline_days
    if step.requires_acknowledgement:
        out["requires_acknowledgement"] = True
    if step.formal:
        out["formal"] = True
    if step.calendar is not None:
        out["calendar"] = step.calendar
    if step.action != "reminder":
        out["action"] = step.action
    if step.fees:
        out["fee"] = [_fee_data(f) for f in step.fees]
    return out


def _policy_data(policy: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {"name": policy.name}
    if policy.description:
        out["description"] = policy.description
    out["profiles"] = sorted(p.value for p in policy.profiles)
    if policy.kinds != frozenset({InvoiceKind.INVOICE}):
        out["kinds"] = sorted(k.value for k in policy.kinds)
    if policy.minimum_amount:
        out["minimum_amount"] = _amounts(policy.minimum_amount)
    out["grace_days"] = policy.grace_days
    if policy.grace_days_by_currency:
        out["grace_days_by_currency"] = dict(policy.grace_days_by_currency)
    out["min_days_between"] = policy.min_days_between
    out["calendar"] = policy.calendar
    out["grouping"] = policy.grouping.value
    out["end"] = policy.end.value
    out["repeat_every_days"] = policy.repeat_every_days
    out["presumed_receipt_days"] = policy.presumed_receipt_days
    out["catch_up"] = policy.catch_up.value
    if policy.min_reminders is not None:
        out["min_reminders"] = policy.min_reminders
    if policy.fee_caps is not None:
        if policy.fee_caps.per_invoice:
            out["fee_cap_invoice"] = _amounts(policy.fee_caps.per_invoice)
        if policy.fee_caps.per_customer:
            out["fee_cap_customer"] = _amounts(policy.fee_caps.per_customer)
    if policy.dun_interest_only:
        out["dun_interest_only"] = True
    out["closed_interest_days"] = policy.closed_interest_days
    out["step"] = [_step_data(s) for s in policy.steps]
    return out


def _playbook_data(playbook: Playbook) -> dict[str, Any]:
    head: dict[str, Any] = {"name": playbook.name}
    if playbook.deposit_policy is not None:
        head["deposit_policy"] = playbook.deposit_policy
    head["trial_notice_days"] = list(playbook.trial_notice_days)
    head["credit_hold"] = playbook.credit_hold
    if playbook.by_profile:
        head["by_profile"] = dict(playbook.by_profile)
    if playbook.by_tag:
        head["by_tag"] = [{"tag": t, "policy": p} for t, p in playbook.by_tag]
    return {"playbook": head, "policy": [_policy_data(p) for p in playbook.policies]}


def dumps_playbook(playbook: Playbook) -> str:
    """The playbook as TOML text; :func:`loads_playbook` reads it back equal.

    Args:
        playbook: the playbook.

    Returns:
        A TOML document (defaults that are rarely changed are left out).

    Raises:
        InvalidFieldError: ``by_profile`` names one profile twice (a TOML
            table cannot hold that).
    """
    profiles = [p for p, _ in playbook.by_profile]
    if len(set(profiles)) != len(profiles):
        raise InvalidFieldError(
            "playbook", "by_profile", profiles, "a profile may be mapped only once"
        )
    return tomli_w.dumps(_playbook_data(playbook))


def dump_playbook(playbook: Playbook, path: str | os.PathLike[str]) -> Path:
    """Write the playbook to a TOML file, atomically (write a temporary file, then rename).

    Args:
        playbook: the playbook.
        path: the target file; replaced if it exists.

    Returns:
        The path written.
    """
    target = Path(path)
    text = dumps_playbook(playbook)
    return write_text_atomic(target, text)
