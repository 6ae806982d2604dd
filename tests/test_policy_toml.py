"""Policy files: TOML load and dump, round trip, and errors that say where."""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy.errors import LoadError
from arpolicy.fees import (
    CollectionCosts,
    FeeCaps,
    FixedCompensation,
    StatutoryInterest,
    Tier,
    TieredFee,
)
from arpolicy.io import dump_playbook, dumps_playbook, load_playbook, loads_playbook
from arpolicy.io.policy_toml import (
    FEE_KEYS,
    PLAYBOOK_KEYS,
    POLICY_KEYS,
    STEP_KEYS,
    TIER_KEYS,
    find_line,
    line_index,
)
from arpolicy.model import InvoiceKind, Profile
from arpolicy.money import Money
from arpolicy.policy import (
    Anchor,
    EndBehaviour,
    Fee,
    FeeBasis,
    Grouping,
    Playbook,
    Policy,
    Step,
    Tone,
)

# ---------------------------------------------------------------------------
# strategies: every field of Fee, Step, Policy and Playbook
# ---------------------------------------------------------------------------

CURRENCIES = ["EUR", "USD", "JPY", "KWD", "GBP"]

names = st.text(min_size=1, max_size=12).filter(lambda s: s == s.strip() and bool(s))
words = st.sampled_from(["email", "letter", "phone", "sms", "x-fax", "vip", "key.account"])
# steps name channels a plugin provides (the built-in ones): others do not load
channel_names = st.sampled_from(["email", "letter", "phone", "sms", "registered_letter"])
calendars = st.sampled_from(["none", "customer", "NL", "DE", "GB"])


@st.composite
def money_maps(draw: st.DrawFn, *, min_size: int = 0) -> list[Money]:
    currencies = draw(st.lists(st.sampled_from(CURRENCIES), min_size=min_size, unique=True))
    amounts = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False)
    return [Money(draw(amounts), c) for c in currencies]


@st.composite
def fees(draw: st.DrawFn) -> Fee:
    low = draw(money_maps())
    high = [Money(m.amount + draw(st.integers(0, 100)), m.currency) for m in low]
    extra = draw(money_maps())
    high += [m for m in extra if m.currency not in {h.currency for h in high}]
    return Fee(
        name=draw(names),
        fixed=draw(money_maps()),
        percent=draw(
            st.none() | st.decimals(min_value=0, max_value=100, places=4, allow_nan=False)
        ),
        minimum=low,
        maximum=high,
        basis=draw(st.sampled_from(FeeBasis)),
    )


@st.composite
def tiered(draw: st.DrawFn) -> TieredFee:
    count = draw(st.integers(1, 3))
    tiers = []
    for n in range(count):
        # thresholds grow with n, so no currency has two tiers with one threshold
        threshold = [Money(m.amount + 1000 * n, m.currency) for m in draw(money_maps(min_size=1))]
        tiers.append(
            Tier(
                threshold=threshold,
                fixed=draw(money_maps(min_size=1)),
                percent=draw(st.none() | st.decimals(min_value=0, max_value=10, places=2)),
                maximum=draw(money_maps()),
            )
        )
    return TieredFee(name=draw(names), tiers=tiers, basis=draw(st.sampled_from(FeeBasis)))


jurisdictions = st.sampled_from(["customer", "EU", "NL", "DE", "GB", "FR", "BE"])
fee_rules = st.one_of(
    fees(),
    tiered(),
    st.builds(
        StatutoryInterest,
        name=names,
        jurisdiction=jurisdictions,
        day_count=st.sampled_from(["actual/365", "actual/360", "actual/actual"]),
    ),
    st.builds(FixedCompensation, name=names, jurisdiction=jurisdictions),
    st.builds(
        CollectionCosts,
        name=names,
        jurisdiction=jurisdictions,
        vat=st.none() | st.decimals(min_value=0, max_value=30, places=2),
    ),
)


def steps(name: st.SearchStrategy[str] = names) -> st.SearchStrategy[Step]:
    return st.builds(
        Step,
        name=name,
        offset_days=st.integers(-60, 400),
        channels=st.lists(channel_names, min_size=1, max_size=3).map(tuple),
        tone=st.sampled_from(Tone),
        anchor=st.sampled_from(Anchor),
        template=st.none() | st.text(max_size=10),
        fees=st.lists(fee_rules, max_size=2).map(tuple),
        deadline_days=st.none() | st.integers(0, 60),
        requires_acknowledgement=st.booleans(),
        formal=st.booleans(),
        calendar=st.none() | calendars,
        action=st.sampled_from(["reminder", "handover", "work_on_hold"]),
    )


@st.composite
def policies(draw: st.DrawFn, name: st.SearchStrategy[str] = names) -> Policy:
    step_names = draw(st.lists(names, max_size=4, unique=True))
    ladder = [draw(steps(st.just(n))) for n in step_names]
    return Policy(
        name=draw(name),
        steps=ladder,
        profiles=draw(st.frozensets(st.sampled_from(Profile))),
        kinds=draw(st.frozensets(st.sampled_from(InvoiceKind), min_size=1)),
        minimum_amount=draw(money_maps()),
        grace_days=draw(st.integers(0, 30)),
        grace_days_by_currency=draw(
            st.dictionaries(st.sampled_from(CURRENCIES), st.integers(0, 30))
        ),
        min_days_between=draw(st.integers(0, 10)),
        calendar=draw(calendars),
        grouping=draw(st.sampled_from(Grouping)),
        end=draw(st.sampled_from(EndBehaviour)),
        repeat_every_days=draw(st.integers(1, 60)),
        presumed_receipt_days=draw(st.integers(0, 5)),
        description=draw(st.text(max_size=30)),
        fee_caps=draw(st.none() | st.builds(FeeCaps, money_maps(), money_maps())),
    )


@st.composite
def playbooks(draw: st.DrawFn) -> Playbook:
    policy_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    book = [draw(policies(st.just(n))) for n in policy_names]
    targets = st.sampled_from(policy_names)
    profiles = draw(st.lists(st.sampled_from([p.value for p in Profile]), unique=True))
    return Playbook(
        book,
        by_profile=[(p, draw(targets)) for p in profiles],
        by_tag=draw(st.lists(st.tuples(words, targets), max_size=3)),
        deposit_policy=draw(st.none() | targets),
        trial_notice_days=draw(st.lists(st.integers(0, 60), max_size=4)),
        credit_hold=draw(st.booleans()),
        name=draw(st.text(max_size=10)),
    )


@given(playbooks())
def test_round_trip_is_lossless_and_stable(book: Playbook) -> None:
    text = dumps_playbook(book)
    again = loads_playbook(text)
    assert again == book
    assert dumps_playbook(again) == text


# ---------------------------------------------------------------------------
# reading what people write
# ---------------------------------------------------------------------------


def load(text: str) -> Playbook:
    return loads_playbook(textwrap.dedent(text), source="p.toml")


def test_minimal_form() -> None:
    book = load(
        """
        [[policy]]
        name = "business-standard"
        profiles = ["business"]
        calendar = "none"
        [[policy.step]]
        name = "call"
        offset_days = 1
        channel = "phone"
        tone = "friendly"
        """
    )
    policy = book.policy("business-standard")
    assert policy.profiles == {Profile.BUSINESS}
    assert policy.calendar == "none"
    assert policy.steps == (Step("call", 1, ("phone",), tone=Tone.FRIENDLY),)
    assert book.by_profile == ()
    assert book.deposit_policy is None


FULL = """\
[playbook]
name = "acme"
deposit_policy = "deposits"
trial_notice_days = [1, 14]
credit_hold = false
by_tag = [{ tag = "vip", policy = "gentle" }]

[playbook.by_profile]
business = "gentle"

[[policy]]
name = "gentle"
description = "for friends"
profiles = ["business", "government"]
kinds = ["invoice", "deposit"]
minimum_amount = { EUR = "10.00", JPY = 500 }
grace_days = 2
grace_days_by_currency = { USD = 5 }
min_days_between = 3
calendar = "customer"
grouping = "highest"
end = "repeat"
repeat_every_days = 10
presumed_receipt_days = 3

[[policy.step]]
name = "nudge"
offset_days = -2
channel = ["email", "sms"]
tone = "courtesy"
anchor = "issue"
template = "soft"
deadline_days = 7
requires_acknowledgement = true
formal = true
calendar = "NL"
action = "handover"

[[policy.step.fee]]
name = "admin"
fixed = { EUR = "5.00" }
percent = "1.5"
minimum = { EUR = "6" }
maximum = { EUR = "50.00" }
basis = "invoice"

[[policy]]
name = "deposits"
kinds = ["deposit"]

[[policy.step]]
name = "due"
offset_days = 0
channel = "email"
"""


def test_every_key_is_read() -> None:
    book = load(FULL)
    assert book.name == "acme"
    assert book.deposit_policy == "deposits"
    assert book.trial_notice_days == (14, 1)
    assert book.credit_hold is False
    assert book.by_tag == (("vip", "gentle"),)
    assert book.by_profile == (("business", "gentle"),)
    policy = book.policy("gentle")
    assert policy.description == "for friends"
    assert policy.profiles == {Profile.BUSINESS, Profile.GOVERNMENT}
    assert policy.kinds == {InvoiceKind.INVOICE, InvoiceKind.DEPOSIT}
    assert policy.minimum_for("EUR") == Money("10.00", "EUR")
    assert policy.minimum_for("JPY") == Money(500, "JPY")
    assert policy.grace_for("USD") == 5
    assert policy.grace_for("EUR") == 2
    assert (policy.min_days_between, policy.calendar) == (3, "customer")
    assert (policy.grouping, policy.end) == (Grouping.HIGHEST, EndBehaviour.REPEAT)
    assert (policy.repeat_every_days, policy.presumed_receipt_days) == (10, 3)
    (step,) = policy.steps
    assert step == Step(
        "nudge",
        -2,
        ("email", "sms"),
        tone=Tone.COURTESY,
        anchor=Anchor.ISSUE,
        template="soft",
        deadline_days=7,
        requires_acknowledgement=True,
        formal=True,
        calendar="NL",
        action="handover",
        fees=(
            Fee(
                name="admin",
                fixed=[Money("5.00", "EUR")],
                percent=Decimal("1.5"),
                minimum=[Money("6", "EUR")],
                maximum=[Money("50.00", "EUR")],
                basis=FeeBasis.INVOICE,
            ),
        ),
    )
    assert loads_playbook(dumps_playbook(book)) == book


def test_defaults_when_keys_are_left_out() -> None:
    book = load('[[policy]]\nname = "p"\n')
    assert book.policy("p") == Policy("p", [])
    assert book == Playbook([Policy("p", [])])


def test_file_round_trip_is_atomic(tmp_path: Path) -> None:
    book = load(FULL)
    target = tmp_path / "policy.toml"
    target.write_text("old", encoding="utf-8")
    assert dump_playbook(book, target) == target
    assert load_playbook(target) == book
    assert [p.name for p in tmp_path.iterdir()] == ["policy.toml"]


def test_failed_dump_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "policy.toml"
    target.write_text("old", encoding="utf-8")
    twice = Playbook([Policy("p", [])], by_profile=[("business", "p"), ("business", "p")])
    with pytest.raises(ValueError, match="only once"):
        dump_playbook(twice, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["policy.toml"]


def test_amounts_are_written_as_strings() -> None:
    book = Playbook([Policy("p", [], minimum_amount=[Money("5", "EUR"), Money("700", "JPY")])])
    text = dumps_playbook(book)
    assert 'EUR = "5.00"' in text
    assert 'JPY = "700"' in text


# ---------------------------------------------------------------------------
# errors: file, line, dotted key path, value
# ---------------------------------------------------------------------------

STEP = """\
[[policy]]
name = "p"
profiles = ["business"]

[[policy.step]]
name = "one"
offset_days = 1
channel = "email"

[[policy.step]]
name = "two"
offset_days = 3
channel = "email"
{extra}
"""


def error_of(text: str) -> LoadError:
    with pytest.raises(LoadError) as info:
        loads_playbook(text, source="p.toml")
    assert info.value.path == "p.toml"
    return info.value


def test_unknown_step_key_names_key_and_line() -> None:
    err = error_of(STEP.format(extra='tonne = "firm"'))
    assert (err.line, err.column, err.value) == (14, "policy[0].step[1].tonne", "tonne")
    assert "unknown key 'tonne'" in str(err)
    assert str(err).startswith("p.toml:14:")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('colour = "red"\n', 1, "colour"),
        ('[playbook]\nowner = "me"\n', 2, "playbook.owner"),
        ('[[policy]]\nname = "p"\n\nsteps = []\n', 4, "policy[0].steps"),
        (
            '[[policy]]\nname = "p"\n[[policy.step]]\nname = "s"\noffset_days = 1\n'
            'channel = "email"\n[[policy.step.fee]]\nfixd = { EUR = "1.00" }\n',
            8,
            "policy[0].step[0].fee[0].fixd",
        ),
    ],
)
def test_unknown_keys_everywhere(text: str, line: int, column: str) -> None:
    err = error_of(text)
    assert (err.line, err.column) == (line, column)
    assert err.value == column.rsplit(".", 1)[-1]


def test_bad_tone() -> None:
    err = error_of(STEP.format(extra='tone = "angry"'))
    assert (err.line, err.column, err.value) == (14, "policy[0].step[1].tone", "angry")
    assert "expected one of courtesy, friendly, firm, formal, final" in err.reason


def test_missing_step_name_points_at_the_step() -> None:
    text = STEP.replace('name = "two"\n', "")
    err = error_of(text.format(extra=""))
    assert (err.line, err.column) == (10, "policy[0].step[1].name")
    assert "missing required key 'name'" in err.reason


def test_missing_policy_name() -> None:
    err = error_of('[[policy]]\nprofiles = ["business"]\n')
    assert (err.line, err.column) == (1, "policy[0].name")


def test_duplicate_step_names() -> None:
    text = STEP.replace('name = "two"', 'name = "one"').format(extra="")
    err = error_of(text)
    assert (err.line, err.column, err.value) == (11, "policy[0].step[1].name", "one")
    assert "duplicate step name 'one'" in err.reason


def test_duplicate_policy_names() -> None:
    err = error_of('[[policy]]\nname = "p"\n[[policy]]\nname = "p"\n')
    assert (err.line, err.column, err.value) == (4, "policy[1].name", "p")


def test_unknown_policy_in_by_profile() -> None:
    text = '[playbook.by_profile]\nbusiness = "nope"\n\n[[policy]]\nname = "p"\n'
    err = error_of(text)
    assert (err.line, err.column, err.value) == (2, "playbook.by_profile.business", "nope")
    assert "no policy called 'nope'" in err.reason


def test_unknown_policy_in_inline_by_profile_points_at_the_key() -> None:
    text = '[playbook]\nname = "x"\nby_profile = { business = "nope" }\n[[policy]]\nname = "p"\n'
    err = error_of(text)
    assert (err.line, err.column) == (3, "playbook.by_profile.business")


def test_unknown_profile_in_by_profile() -> None:
    err = error_of('[playbook.by_profile]\nconsumer = "p"\n[[policy]]\nname = "p"\n')
    assert (err.line, err.column, err.value) == (2, "playbook.by_profile.consumer", "consumer")


@pytest.mark.parametrize(
    ("key", "line", "column"),
    [
        ('by_tag = [{ tag = "vip", policy = "nope" }]', 2, "playbook.by_tag[0].policy"),
        ('deposit_policy = "nope"', 2, "playbook.deposit_policy"),
    ],
)
def test_unknown_policy_references(key: str, line: int, column: str) -> None:
    err = error_of(f'[playbook]\n{key}\n[[policy]]\nname = "p"\n')
    assert (err.line, err.column, err.value) == (line, column, "nope")


def test_float_money_is_refused() -> None:
    err = error_of('[[policy]]\nname = "p"\nminimum_amount = { EUR = 5.0 }\n')
    assert (err.line, err.column, err.value) == (3, "policy[0].minimum_amount.EUR", 5.0)
    assert "never floats" in err.reason


def test_float_percent_is_refused() -> None:
    text = STEP.format(extra='[[policy.step.fee]]\npercent = 1.5\nfixed = { EUR = "1.00" }')
    err = error_of(text)
    assert (err.line, err.column) == (15, "policy[0].step[1].fee[0].percent")


# -- exact amounts (issue 14, item 9): never rounded on the way in -----------------


@pytest.mark.parametrize(
    ("where", "literal", "reason"),
    [
        # more decimals than the currency has: 7.505 became 7.51 silently
        ("minimum_amount", '{ EUR = "7.505" }', "EUR amounts have at most 2 decimals"),
        ("minimum_amount", '{ JPY = "500.5" }', "JPY amounts have at most 0 decimals"),
        ("minimum_amount", '{ KWD = "1.0005" }', "KWD amounts have at most 3 decimals"),
        ("fee_cap_invoice", '{ EUR = "0.001" }', "EUR amounts have at most 2 decimals"),
        # exponent notation and separators
        ("minimum_amount", '{ EUR = "1e1" }', "without an exponent"),
        ("minimum_amount", '{ EUR = "1E-2" }', "without an exponent"),
        ("fee_cap_customer", '{ EUR = "1_000" }', "without an exponent or separators"),
        # a TOML float
        ("minimum_amount", "{ EUR = 7.5 }", "never floats"),
        ("minimum_amount", "{ EUR = 1e1 }", "never floats"),
    ],
)
def test_an_inexact_policy_amount_is_refused_with_file_line_and_value(
    where: str, literal: str, reason: str
) -> None:
    err = error_of(f'[[policy]]\nname = "p"\n\n{where} = {literal}\n')
    currency = literal.split()[1]
    raw = literal.split("= ", 1)[1].rstrip(" }")
    value = raw.strip('"') if raw.startswith('"') else float(raw)
    assert (err.path, err.line, err.column, err.value) == (
        "p.toml",
        4,
        f"policy[0].{where}.{currency}",
        value,
    )
    assert reason in err.reason
    assert str(err).startswith(f"p.toml:4: column 'policy[0].{where}.{currency}' = {value!r}: ")


@pytest.mark.parametrize(
    ("fee", "column", "value"),
    [
        ('fixed = { EUR = "2.505" }', "policy[0].step[1].fee[0].fixed.EUR", "2.505"),
        ('fixed = { EUR = "2e0" }', "policy[0].step[1].fee[0].fixed.EUR", "2e0"),
        (
            'percent = "1"\nfixed = { EUR = "1.00" }\nmaximum = { EUR = "25.001" }',
            "policy[0].step[1].fee[0].maximum.EUR",
            "25.001",
        ),
        ('percent = "1e1"', "policy[0].step[1].fee[0].percent", "1e1"),
        (
            'kind = "tiered"\ntier = [{ from = { EUR = "0.005" }, fixed = { EUR = "5.00" } }]',
            "policy[0].step[1].fee[0].tier[0].from.EUR",
            "0.005",
        ),
    ],
)
def test_inexact_fee_amounts_are_refused(fee: str, column: str, value: str) -> None:
    err = error_of(STEP.format(extra=f"[[policy.step.fee]]\n{fee}"))
    assert (err.column, err.value) == (column, value)
    assert err.line is not None
    assert err.line >= 15


def test_exact_amounts_load_unchanged() -> None:
    book = load(
        """
        [[policy]]
        name = "p"
        minimum_amount = { EUR = "7.50", JPY = "500", KWD = "1.005", USD = 5, GBP = "7.500" }
        """
    )
    assert set(book.policy("p").minimum_amount) == {
        Money("7.50", "EUR"),
        Money("500", "JPY"),
        Money("1.005", "KWD"),
        Money("5.00", "USD"),
        Money("7.50", "GBP"),
    }


def test_unknown_currency() -> None:
    err = error_of('[[policy]]\nname = "p"\nminimum_amount = { EURO = "5.00" }\n')
    assert (err.column, err.value) == ("policy[0].minimum_amount.EURO", "EURO")


def second_step(**values: str) -> str:
    """STEP with the second step's keys replaced by ``values`` (TOML literals)."""
    keys = {"name": '"two"', "offset_days": "3", "channel": '"email"', **values}
    head = STEP.split('[[policy.step]]\nname = "two"', maxsplit=1)[0]
    body = "".join(f"{k} = {v}\n" for k, v in keys.items())
    return f"{head}[[policy.step]]\n{body}"


@pytest.mark.parametrize(
    ("key", "literal", "column", "value"),
    [
        ("offset_days", "1.5", "policy[0].step[1].offset_days", 1.5),
        ("offset_days", "true", "policy[0].step[1].offset_days", True),
        ("deadline_days", "-1", "policy[0].step[1].deadline_days", -1),
        ("formal", "1", "policy[0].step[1].formal", 1),
        ("channel", "[]", "policy[0].step[1].channel", []),
        ("channel", "[1]", "policy[0].step[1].channel[0]", 1),
        ("channel", '" email"', "policy[0].step[1].channel[0]", " email"),
        ("anchor", '"paid"', "policy[0].step[1].anchor", "paid"),
        ("action", '"shout"', "policy[0].step[1].action", "shout"),
        ("calendar", '"holland"', "policy[0].step[1].calendar", "holland"),
        ("template", "3", "policy[0].step[1].template", 3),
        ("name", '" two"', "policy[0].step[1].name", " two"),
    ],
)
def test_bad_step_values(key: str, literal: str, column: str, value: object) -> None:
    text = second_step(**{key: literal})
    err = error_of(text)
    assert (err.column, err.value) == (column, value)
    assert err.line == text.split("\n").index(f"{key} = {literal}") + 1


@pytest.mark.parametrize(
    ("extra", "column", "value"),
    [
        ("grace_days = -1", "policy[0].grace_days", -1),
        ("repeat_every_days = 0", "policy[0].repeat_every_days", 0),
        ('grouping = "lowest"', "policy[0].grouping", "lowest"),
        ('end = "forever"', "policy[0].end", "forever"),
        ('profiles = ["consumer"]', "policy[0].profiles[0]", "consumer"),
        ('kinds = ["bill"]', "policy[0].kinds[0]", "bill"),
        ('calendar = "nl"', "policy[0].calendar", "nl"),
        ('grace_days_by_currency = { EUR = "3" }', "policy[0].grace_days_by_currency.EUR", "3"),
    ],
)
def test_bad_policy_values(extra: str, column: str, value: object) -> None:
    err = error_of(f'[[policy]]\nname = "p"\n{extra}\n')
    assert (err.line, err.column, err.value) == (3, column, value)


def test_fee_minimum_above_maximum_is_located() -> None:
    text = STEP.format(
        extra='[[policy.step.fee]]\nminimum = { EUR = "9.00" }\nmaximum = { EUR = "1.00" }'
    )
    err = error_of(text)
    assert err.column == "policy[0].step[1].fee[0].maximum"
    assert err.line == 16


def test_invalid_toml_reports_its_line() -> None:
    err = error_of('[[policy]]\nname = "p"\noffset_days = = 3\n')
    assert err.line == 3
    assert "invalid TOML" in err.reason


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot read") as info:
        load_playbook(tmp_path / "nope.toml")
    assert info.value.path == str(tmp_path / "nope.toml")


def test_errors_carry_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(STEP.format(extra='tone = "angry"'), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_playbook(path)
    assert (info.value.path, info.value.line) == (str(path), 14)


def test_line_index_skips_multiline_strings() -> None:
    text = '[[policy]]\ndescription = """\nname = "fake"\n"""\nname = "real"\n'
    index = line_index(text)
    assert index["policy[0].name"] == 5
    assert find_line(index, "policy[0].step[3].tone") == 1
    assert find_line(index, "nothing") is None


# ---------------------------------------------------------------------------
# the documented example
# ---------------------------------------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "reference" / "policy-files.md"


def documented_example() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## A complete example", 1)[1]
    return section.split("```toml\n", 1)[1].split("```", 1)[0]


def test_documented_example_loads_and_uses_every_key() -> None:
    text = documented_example()
    book = loads_playbook(text, source=str(DOC))
    assert book.policy("business").steps[2].fees[0].name == "administration"
    index = line_index(text)
    used = {".".join(part.split("[")[0] for part in path.split(".")) for path in index}
    # inline tables: their keys are not lines of their own
    used |= {"playbook.by_tag.tag", "playbook.by_tag.policy"}
    schema = (
        {f"playbook.{k}" for k in PLAYBOOK_KEYS}
        | {f"policy.{k}" for k in POLICY_KEYS}
        | {f"policy.step.{k}" for k in STEP_KEYS}
        | {f"policy.step.fee.{k}" for keys in FEE_KEYS.values() for k in keys}
        | {f"policy.step.fee.tier.{k}" for k in TIER_KEYS}
    )
    assert schema - used == set()


def test_documented_tables_list_every_key() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading, keys in [
        ("## `[playbook]`", PLAYBOOK_KEYS),
        ("## `[[policy]]`", POLICY_KEYS),
        ("## `[[policy.step]]`", STEP_KEYS),
        ("## `[[policy.step.fee]]`", {k for kind in FEE_KEYS.values() for k in kind}),
    ]:
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        listed = set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE))
        assert listed == set(keys), heading


def test_by_tag_entries_are_checked() -> None:
    err = error_of('[playbook]\nby_tag = [{ policy = "p" }]\n[[policy]]\nname = "p"\n')
    assert (err.line, err.column) == (2, "playbook.by_tag[0].tag")
    err = error_of('[playbook]\nby_tag = [{ tag = "a b", policy = "p" }]\n[[policy]]\nname = "p"\n')
    assert (err.column, err.value) == ("playbook.by_tag[0].tag", "a b")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'[[policy]]\nname = "p"\n')
    assert load_playbook(path) == Playbook([Policy("p", [])])
