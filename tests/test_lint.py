"""lint: one deliberately broken playbook per check; the built-in one is clean."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import attrs
import pytest

from arpolicy.errors import InvalidFieldError
from arpolicy.fees import CollectionCosts, FixedCompensation, StatutoryInterest
from arpolicy.lint import Finding, Severity, format_findings, lint, lint_file, lint_ledger
from arpolicy.model import Contacts, Customer, Invoice, Ledger
from arpolicy.money import Money
from arpolicy.playbooks import builtin_playbook_path, default_playbook
from arpolicy.policy import Anchor, Fee, Playbook, Policy, Step


def ladder(*steps: Step) -> list[Step]:
    return list(steps)


# Three reminders and a formal notice: clean for business and government.
CLEAN = ladder(
    Step("r1", 1, "email"),
    Step("r2", 5, "email"),
    Step("r3", 10, "phone"),
    Step("notice", 20, "letter", formal=True),
)
CLEAN_PRIVATE = ladder(
    Step("r1", 1, "email"),
    Step("r2", 5, "email"),
    Step("r3", 10, "sms"),
    Step("letter", 20, "letter", formal=True, requires_acknowledgement=True, deadline_days=14),
    Step(
        "costs",
        15,
        "letter",
        anchor=Anchor.RECEIPT,
        fees=[Fee(name="collection", fixed=[Money("40.00", "EUR")])],
    ),
)


def book_with(policy: Policy, *others: Policy, **kwargs: object) -> Playbook:
    """A playbook with ``policy`` and clean policies for the profiles it does not serve."""
    rest = [
        Policy("biz-clean", CLEAN, profiles=["business"]),
        Policy("gov", CLEAN, profiles=["government"]),
        Policy("priv", CLEAN_PRIVATE, profiles=["private"]),
    ]
    rest = [p for p in rest if not (p.profiles & policy.profiles)]
    return Playbook([policy, *rest, *others], **kwargs)  # type: ignore[arg-type]


def codes(findings: list[Finding]) -> list[tuple[str, str | None, str | None]]:
    return [(f.code, f.policy, f.step) for f in findings]


def test_clean_fixture_is_clean() -> None:
    assert lint(book_with(Policy("biz", CLEAN, profiles=["business"]))) == []


def test_builtin_playbook_is_clean() -> None:
    assert lint(default_playbook()) == []
    assert lint_file(builtin_playbook_path()) == []


def test_steps_out_of_order() -> None:
    steps = [*CLEAN[:2], Step("early", 3, "email"), CLEAN[3]]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert codes(findings) == [("out-of-order", "biz", "early")]
    assert findings[0].severity == "error"
    assert "before the offset 5 of the earlier step 'r2'" in findings[0].message


def test_out_of_order_compares_only_the_same_anchor() -> None:
    steps = [
        Step("a", 10, "email"),
        Step("b", 2, "email", anchor=Anchor.ISSUE),
        Step("c", 12, "email"),
        Step("d", 1, "email", anchor=Anchor.ISSUE),
        Step("notice", 20, "letter", formal=True),
    ]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert codes(findings) == [("out-of-order", "biz", "d")]


def test_same_day_step_is_unreachable_unless_the_earlier_is_mandatory() -> None:
    steps = [*CLEAN[:2], Step("twin", 5, "phone"), CLEAN[3]]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert codes(findings) == [("same-day", "biz", "twin")]
    assert findings[0].severity == "warning"
    after_formal = [*CLEAN, Step("same", 20, "email")]
    assert lint(book_with(Policy("biz", after_formal, profiles=["business"]))) == []


def test_receipt_anchor_on_the_first_step() -> None:
    steps = [Step("first", 1, "email", anchor=Anchor.RECEIPT), *CLEAN[1:]]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert codes(findings) == [("receipt-anchor-first", "biz", "first")]
    assert findings[0].severity == "error"


def test_steps_after_a_handover() -> None:
    steps = [
        *CLEAN,
        Step("agency", 30, "agency", action="handover"),
        Step("late", 40, "email"),
        Step("later", 50, "email"),
    ]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert codes(findings) == [
        ("after-handover", "biz", "late"),
        ("after-handover", "biz", "later"),
    ]
    assert {f.severity for f in findings} == {Severity.ERROR}


def test_unknown_action_is_refused_by_the_step_itself() -> None:
    with pytest.raises(InvalidFieldError) as info:
        Step("sing", 30, "email", action="serenade")
    assert (info.value.field, info.value.value) == ("action", "serenade")


@pytest.mark.parametrize("before", [0, 1, 2])
def test_fewer_than_three_reminders_before_the_formal_notice(before: int) -> None:
    # an error unless the policy states its own min_reminders
    steps = [*CLEAN[:before], CLEAN[3]]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert codes(findings) == [("few-reminders", "biz", "notice")]
    assert findings[0].severity == "error"
    assert f"only {before} reminder(s) after the due date" in findings[0].message


def test_no_formal_step_needs_no_reminders() -> None:
    steps = [Step("only", 1, "email")]
    assert lint(book_with(Policy("biz", steps, profiles=["business"]))) == []


FEE = Fee(name="admin", fixed=[Money("5.00", "EUR")])


@pytest.mark.parametrize("index", [0, 3])
def test_consumer_fee_on_or_before_the_14_day_letter(index: int) -> None:
    steps = list(CLEAN_PRIVATE)
    steps[index] = attrs.evolve(steps[index], fees=[FEE])
    findings = lint(book_with(Policy("priv", steps, profiles=["private"])))
    expected = [("fee-before-letter", "priv", steps[index].name)]
    if index == 0:  # also the first reminder after the due date
        expected.append(("first-reminder-not-free", "priv", "r1"))
    assert codes(findings) == expected
    assert findings[0].severity == "error"


def test_consumer_fee_without_any_14_day_letter() -> None:
    steps = [*CLEAN_PRIVATE[:3], Step("costs", 30, "letter", fees=[FEE])]
    findings = lint(book_with(Policy("priv", steps, profiles=["private"])))
    assert codes(findings) == [("fee-before-letter", "priv", "costs")]
    assert "no 14-day letter" in findings[0].message


def test_fee_rule_applies_to_policies_mapped_to_private_by_profile() -> None:
    steps = [attrs.evolve(CLEAN[0], fees=[FEE]), *CLEAN[1:]]
    policy = Policy("biz", steps, profiles=["business"])
    book = Playbook(
        [policy, Policy("gov", CLEAN, profiles=["government"])],
        by_profile={"private": "biz"},
    )
    assert codes(lint(book)) == [
        ("fee-before-letter", "biz", "r1"),
        ("first-reminder-not-free", "biz", "r1"),
        ("private-formal-without-acknowledgement", "biz", "notice"),
    ]
    # business customers may be charged: the same ladder is fine for them
    assert lint(book_with(policy)) == []


def test_private_formal_step_without_acknowledgement() -> None:
    steps = [*CLEAN_PRIVATE[:3], Step("letter", 20, "letter", formal=True)]
    findings = lint(book_with(Policy("priv", steps, profiles=["private"])))
    assert codes(findings) == [("private-formal-without-acknowledgement", "priv", "letter")]
    assert findings[0].severity == "warning"


def test_unknown_channel() -> None:
    steps = [*CLEAN[:3], Step("notice", 20, ["letter", "pigeon"], formal=True)]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert codes(findings) == [("unknown-channel", "biz", "notice")]
    assert "'pigeon'" in findings[0].message
    # an error: plan and policy loading refuse it (issue 14, item 9)
    assert findings[0].severity == "error"
    assert "did you mean" not in findings[0].message  # nothing close to 'pigeon'


def test_a_misspelt_channel_is_an_error_with_a_suggestion() -> None:
    steps = [*CLEAN[:3], Step("notice", 20, ["letter", "emial"], formal=True)]
    (finding,) = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert (finding.code, finding.severity, finding.step) == ("unknown-channel", "error", "notice")
    assert "unknown channel 'emial'; did you mean 'email'?" in finding.message


def test_policy_serving_nobody() -> None:
    orphan = Policy("orphan", CLEAN)
    book = book_with(Policy("biz", CLEAN, profiles=["business"]), orphan)
    assert codes(lint(book)) == [("unused-policy", "orphan", None)]
    for referenced in (
        {"by_tag": [("vip", "orphan")]},
        {"deposit_policy": "orphan"},
    ):
        assert (
            lint(book_with(Policy("biz", CLEAN, profiles=["business"]), orphan, **referenced)) == []
        )


def test_profile_without_policy() -> None:
    book = Playbook([Policy("biz", CLEAN, profiles=["business"])])
    findings = lint(book)
    assert [(f.code, f.policy) for f in findings] == [("profile-without-policy", None)] * 2
    assert "government" in findings[0].message
    assert "private" in findings[1].message
    mapped = Playbook(
        [Policy("biz", CLEAN, profiles=["business"])],
        by_profile={"government": "biz", "private": "biz"},
    )
    assert "profile-without-policy" not in {f.code for f in lint(mapped)}


def test_finding_text() -> None:
    finding = Finding("error", "out-of-order", "too early", "biz", "r2", line=7)
    assert str(finding) == "error out-of-order (line 7, policy 'biz', step 'r2'): too early"
    assert format_findings([finding, finding]).count("\n") == 1
    with pytest.raises(ValueError, match="fatal"):
        Finding("fatal", "x", "y")


# ---------------------------------------------------------------------------
# ledgers: channels a customer cannot be reached on
# ---------------------------------------------------------------------------


def test_lint_ledger_reports_missing_contacts() -> None:
    customers = [
        Customer("A", "Full", "private", "NL", contacts=Contacts("a@x.nl", "+31", "Street 1")),
        Customer("B", "Mail only", "private", "NL", contacts=Contacts(email="b@x.nl")),
        Customer("C", "Post only", "business", "NL", contacts=Contacts(address="Street 2")),
    ]
    invoices = [
        Invoice(
            "D1", "C", date(2025, 1, 1), date(2025, 1, 10), Money("10.00", "EUR"), kind="deposit"
        ),
    ]
    findings = lint_ledger(default_playbook(), Ledger(customers, invoices))
    got = [(f.customer, f.policy, f.step, f.message.split("'")[1]) for f in findings]
    assert got == [
        ("B", "private-standard", "courtesy-1", "sms"),
        ("B", "private-standard", "fourteen-day-letter", "letter"),
        ("C", "business-standard", "courtesy", "email"),
        ("C", "business-standard", "call", "phone"),
        ("C", "deposit", "deposit-due", "email"),
    ]
    assert {f.severity for f in findings} == {Severity.WARNING}
    assert {f.code for f in findings} == {"unreachable-channel"}


def _reachable(cid: str, country: str, profile: str) -> Customer:
    contacts = Contacts("x@example.com", "+1", "Street 1", "+1")
    return Customer(cid, cid, profile, country, contacts=contacts)


def test_lint_ledger_reports_what_the_law_of_each_country_leaves_out() -> None:
    customers = [
        _reachable("BE1", "BE", "private"),
        _reachable("BE2", "BE", "private"),  # same policy, country, profile: not repeated
        _reachable("DE1", "DE", "private"),
        _reachable("GB1", "GB", "private"),
        _reachable("NL1", "NL", "private"),
        _reachable("US1", "US", "business"),
    ]
    steps = [
        Step("r1", 3, "email", fees=[Fee(fixed=[Money("5", "EUR")]), StatutoryInterest()]),
        Step("notice", 20, "letter", fees=[CollectionCosts(), FixedCompensation()]),
    ]
    book = Playbook([Policy("all", steps, profiles=["private", "business"])])
    got = [(f.customer, f.code, f.step) for f in lint_ledger(book, Ledger(customers, []))]
    assert got == [
        # Belgium: no consumer interest, the first reminder is free, no compensation
        ("BE1", "not-by-law", "r1"),
        ("BE1", "first-reminder-not-free", "r1"),
        ("BE1", "not-by-law", "notice"),
        # Germany: consumers are in default after the first reminder; no cost scale
        ("DE1", "not-in-default-yet", "r1"),
        ("DE1", "not-by-law", "notice"),
        ("DE1", "not-by-law", "notice"),
        # Great Britain: no consumer interest, no scale, no compensation
        ("GB1", "not-by-law", "r1"),
        ("GB1", "not-by-law", "notice"),
        ("GB1", "not-by-law", "notice"),
        # Netherlands: interest and the WIK scale apply; no compensation from consumers
        ("NL1", "not-by-law", "notice"),
        # United States: no jurisdiction pack at all
        ("US1", "no-jurisdiction", "r1"),
        ("US1", "no-jurisdiction", "notice"),
        ("US1", "no-jurisdiction", "notice"),
    ]
    errors = [f for f in lint_ledger(book, Ledger(customers, [])) if f.severity == "error"]
    assert [f.code for f in errors] == ["first-reminder-not-free"]


# ---------------------------------------------------------------------------
# files: lines, and problems that stop loading
# ---------------------------------------------------------------------------

FILE = """\
[playbook.by_profile]
business = "biz"
government = "biz"
private = "biz"

[[policy]]
name = "biz"
profiles = ["business"]

[[policy.step]]
name = "one"
offset_days = 5
channel = "email"

[[policy.step]]
name = "two"
offset_days = 2
channel = "pigeon"

[[policy.step]]
name = "one"
offset_days = 9
channel = "email"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_lint_file_reports_duplicates_and_keeps_linting(tmp_path: Path) -> None:
    findings = lint_file(write(tmp_path, FILE))
    assert [(f.code, f.step, f.line) for f in findings] == [
        ("duplicate-step", "one", 21),
        ("out-of-order", "two", 16),
        ("unknown-channel", "two", 18),  # the line of its `channel` key
    ]


def test_lint_file_duplicate_policies(tmp_path: Path) -> None:
    text = FILE.replace('name = "one"\noffset_days = 9', 'name = "three"\noffset_days = 9')
    text += '\n[[policy]]\nname = "biz"\n'
    findings = lint_file(write(tmp_path, text))
    assert (findings[0].code, findings[0].policy, findings[0].line) == (
        "duplicate-policy",
        "biz",
        26,
    )


def test_lint_file_policy_lines(tmp_path: Path) -> None:
    text = FILE.replace('name = "one"\noffset_days = 9', 'name = "three"\noffset_days = 9')
    text += '\n[[policy]]\nname = "orphan"\n'
    findings = lint_file(write(tmp_path, text))
    assert [(f.code, f.policy, f.line) for f in findings][-1] == ("unused-policy", "orphan", 26)


def test_lint_file_turns_load_errors_into_findings(tmp_path: Path) -> None:
    findings = lint_file(write(tmp_path, FILE.replace('"pigeon"', '"email"\ntone = "rude"')))
    assert len(findings) == 2
    assert findings[0].code == "duplicate-step"
    assert (findings[1].code, findings[1].line) == ("invalid", 19)
    assert "policy[0].step[1].tone" in findings[1].message


def test_lint_file_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    (finding,) = lint_file(write(tmp_path, "[[policy]\n"))
    assert (finding.code, finding.severity, finding.line) == ("invalid", "error", 1)
    (missing,) = lint_file(tmp_path / "nope.toml")
    assert missing.code == "invalid"
    assert "cannot read" in missing.message


def test_courtesy_steps_before_the_due_date_are_not_reminders() -> None:
    steps = [
        Step("c7", -7, "email", tone="courtesy"),
        Step("c3", -3, "email", tone="courtesy"),
        Step("r1", 3, "email"),
        Step("r2", 10, "email"),
        Step("notice", 20, "letter", formal=True),
    ]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert codes(findings) == [("few-reminders", "biz", "notice")]
    assert findings[0].severity == "error"
    assert "only 2 reminder(s) after the due date" in findings[0].message


def test_a_stated_min_reminders_makes_few_reminders_a_warning() -> None:
    steps = [Step("r1", 3, "email"), Step("notice", 20, "letter", formal=True)]
    stated = lint(book_with(Policy("biz", steps, profiles=["business"], min_reminders=1)))
    assert [(f.code, f.severity) for f in stated] == [("few-reminders", "warning")]
    assert "min_reminders = 1" in stated[0].message
    # fewer than the policy's own number is an error again
    short = lint(book_with(Policy("biz", steps, profiles=["business"], min_reminders=2)))
    assert [(f.code, f.severity) for f in short] == [("few-reminders", "error")]


def test_min_reminders_in_a_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        textwrap.dedent(
            """\
            [[policy]]
            name = "biz"
            profiles = ["business", "government", "private"]
            min_reminders = 1

            [[policy.step]]
            name = "r1"
            offset_days = 3
            channel = "email"

            [[policy.step]]
            name = "notice"
            offset_days = 20
            channel = "letter"
            formal = true
            requires_acknowledgement = true
            deadline_days = 14
            """
        ),
        encoding="utf-8",
    )
    assert [(f.code, f.severity, f.line) for f in lint_file(path)] == [
        ("few-reminders", "warning", 12)
    ]


def test_step_inside_the_deadline_of_a_formal_step_is_an_error() -> None:
    steps = [
        *CLEAN[:3],
        Step("notice", 23, "letter", formal=True, deadline_days=14),
        Step("final", 30, "letter", deadline_days=7),
        Step("agency", 37, "agency", action="handover"),
    ]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert [(f.code, f.severity, f.step) for f in findings] == [
        ("step-inside-deadline", "error", "final"),
        ("step-inside-deadline", "error", "agency"),
        ("step-inside-deadline", "warning", "agency"),
    ]
    assert findings[0].message.startswith(
        "falls on day 30 (due), inside the 14-day deadline of step 'notice', which runs "
        "until day 37"
    )


def test_step_inside_the_deadline_of_a_reminder_is_a_warning() -> None:
    steps = [
        Step("r1", 1, "email", deadline_days=7),
        Step("r2", 8, "email"),
        Step("r3", 10, "phone"),
        Step("notice", 20, "letter", formal=True),
    ]
    findings = lint(book_with(Policy("biz", steps, profiles=["business"])))
    assert [(f.code, f.severity, f.step) for f in findings] == [
        ("step-inside-deadline", "warning", "r2")
    ]
    # a deadline that ends the day before the next step is fine
    steps[0] = Step("r1", 1, "email", deadline_days=6)
    assert lint(book_with(Policy("biz", steps, profiles=["business"]))) == []


def test_step_after_receipt_inside_the_letter_term() -> None:
    steps = [
        *CLEAN_PRIVATE[:3],
        Step("letter", 20, "letter", formal=True, requires_acknowledgement=True, deadline_days=14),
        Step("final", 14, "letter", anchor=Anchor.RECEIPT),
    ]
    findings = lint(book_with(Policy("priv", steps, profiles=["private"])))
    assert [(f.code, f.severity, f.step) for f in findings] == [
        ("step-inside-deadline", "error", "final")
    ]
    assert "falls on day 14 after receipt" in findings[0].message


def test_the_old_built_in_ladder_is_caught_and_the_new_one_is_clean(tmp_path: Path) -> None:
    # The built-in business ladder before the fix: notice of default at +23 with
    # 14 days to pay, final notice at +30, hand-over at +37.
    old = builtin_playbook_path().read_text(encoding="utf-8")
    old = old.replace(
        "formal = true\ndeadline_days = 4\n", "formal = true\ndeadline_days = 14\n", 1
    )
    path = tmp_path / "old.toml"
    path.write_text(old, encoding="utf-8")
    errors = [(f.policy, f.step) for f in lint_file(path) if f.code == "step-inside-deadline"]
    assert errors == [
        ("business-standard", "final-notice"),
        ("business-standard", "handover"),
    ]
    assert lint_file(builtin_playbook_path()) == []
