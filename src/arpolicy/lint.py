"""Check a playbook for mistakes before it reaches a customer.

:func:`lint` inspects a :class:`~arpolicy.policy.Playbook`;
:func:`lint_file` loads a TOML policy file and adds the line of every
finding (and reports problems that stop the file from loading, such as
duplicate names, as findings instead of raising); :func:`lint_ledger` checks
that every customer can be reached on the channels of its policies.

Codes (severity):

* ``out-of-order`` (error): a step falls before an earlier step with the
  same anchor.
* ``same-day`` (warning): a step has the same anchor and offset as the step
  before it, which it then always supersedes (``catch_up = "highest"``) or
  follows a day late (``"resume"``).
* ``receipt-anchor-first`` (error): the first step is anchored on the
  receipt of a previous step that does not exist.
* ``after-handover`` (error): a step after a hand-over step.
* ``few-reminders`` (error; a warning when the policy states its own
  ``min_reminders``): fewer than three reminders after the due date before
  the first formal step (steps before the due date do not count); an error
  too when there are fewer than the policy's own ``min_reminders``.
* ``step-inside-deadline`` (error after a formal step, else warning): a
  step falls on or before the last day of the payment deadline the step
  before it states, so the engine holds it back until that deadline has
  passed.
* ``fee-before-letter`` (error): a policy for consumers charges a fee or
  collection costs before its 14-day letter (the first formal step that
  requires acknowledgement), a fee on the letter itself (which may only
  announce the collection costs), or has such charges and no letter.
* ``letter-term-too-short`` (error): the 14-day letter sets a
  ``deadline_days`` below 14.
* ``letter-without-costs`` (error): the policy charges collection costs but
  its 14-day letter does not state them.
* ``costs-within-letter-term`` (warning): a step after the letter charges
  costs and may fire before the letter's term has run.
* ``first-reminder-not-free`` (warning): a policy for consumers charges on
  its first reminder after the due date (free for Belgian consumers).
* ``private-formal-without-acknowledgement`` (warning): a policy for
  consumers whose first formal step does not require acknowledgement.
* ``unknown-channel`` (error): a channel no plugin provides (the
  built-in ones are :data:`KNOWN_CHANNELS`), with the closest known names;
  loading a policy file and ``plan`` refuse it (``UnknownChannelError``).
* ``unused-policy`` (warning): a policy serving no profile that the
  playbook never refers to.
* ``profile-without-policy`` (warning): a customer profile no policy serves.
* ``unreachable-channel`` (warning, :func:`lint_ledger`): a customer lacks
  the contact a channel of its policy needs.
* ``not-by-law`` (warning, :func:`lint_ledger`): a statutory fee rule the
  law of a customer's country does not give (no consumer interest in GB, no
  compensation from consumers, no collection-cost scale outside NL and BE).
* ``no-jurisdiction`` (warning, :func:`lint_ledger`): a statutory rule for
  customers in a country no jurisdiction pack covers.
* ``not-in-default-yet`` (warning, :func:`lint_ledger`): interest on the
  first reminder to German consumers.
* ``first-reminder-not-free`` (error, :func:`lint_ledger`): charges on the
  first reminder to Belgian consumers.
* ``duplicate-policy``, ``duplicate-step``, ``invalid`` (error,
  :func:`lint_file`): the file does not load.
* ``template-missing`` (warning, :func:`lint_templates`): a locale lacks a
  step's template; its customers get another locale's or ``default``.
* ``template-error`` (error, :func:`lint_templates`): a template fails to
  render with the sample portfolio's data.
* ``template-unsafe`` (error, :func:`lint_templates`): the sandbox refused a
  template (it reaches for Python internals).
* ``template-legal`` (error, :func:`lint_templates`): a rendered message
  lacks an element the law requires (see
  ``arpolicy.messages.missing_legal_elements``).

>>> from arpolicy.playbooks import default_playbook
>>> lint(default_playbook())
[]
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from . import law
from .actions import ActionKind
from .channels import Channel, close_names
from .errors import LoadError, UnknownJurisdictionError
from .fees import CUSTOMER, ChargeKind
from .io.policy_toml import build, find_line, parse
from .model import Customer, Ledger, Profile
from .plugins import Plugins, builtin_plugins
from .policy import Anchor, Playbook, Policy, Step

if TYPE_CHECKING:
    from .actions import Action
    from .messages import Renderer

__all__ = [
    "CHANNEL_CONTACTS",
    "KNOWN_CHANNELS",
    "Finding",
    "Severity",
    "deadline_overlap",
    "format_findings",
    "lint",
    "lint_file",
    "lint_ledger",
    "lint_templates",
]

KNOWN_CHANNELS: Final = frozenset(
    {
        "email",
        "letter",
        "registered_letter",
        "phone",
        "sms",
        "whatsapp",
        "payment_link",
        "agency",
        "portal",
        "internal",
    }
)
"""Channel names arpolicy knows; others get an ``unknown-channel`` error."""

CHANNEL_CONTACTS: Final[Mapping[str, str]] = {
    "email": "email",
    "phone": "phone",
    "sms": "phone",
    "whatsapp": "whatsapp",
    "letter": "address",
    "registered_letter": "address",
}
"""The :class:`~arpolicy.model.Contacts` field each channel needs."""


MIN_REMINDERS: Final = 3
"""Reminders expected before the first formal notice."""


class Severity(enum.StrEnum):
    """How bad a finding is."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Finding:
    """One problem found in a playbook.

    Attributes:
        severity: ``"error"`` (the playbook is wrong) or ``"warning"``
            (probably not what you meant).
        code: a stable code such as ``"out-of-order"``.
        message: a sentence for people.
        policy: the policy concerned, or ``None``.
        step: the step concerned, or ``None``.
        line: the line in the policy file (:func:`lint_file` only).
        customer: the customer concerned (:func:`lint_ledger` only).
    """

    severity: Severity = attrs.field(converter=Severity)
    code: str
    message: str
    policy: str | None = None
    step: str | None = None
    line: int | None = None
    customer: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.policy is not None:
            where.append(f"policy {self.policy!r}")
        if self.step is not None:
            where.append(f"step {self.step!r}")
        if self.customer is not None:
            where.append(f"customer {self.customer!r}")
        place = f" ({', '.join(where)})" if where else ""
        return f"{self.severity.value} {self.code}{place}: {self.message}"


def _error(code: str, message: str, policy: Policy, step: Step | None = None) -> Finding:
    return Finding(Severity.ERROR, code, message, policy.name, step.name if step else None)


def _warning(code: str, message: str, policy: Policy, step: Step | None = None) -> Finding:
    return Finding(Severity.WARNING, code, message, policy.name, step.name if step else None)


def _serves(playbook: Playbook, policy: Policy, profile: Profile) -> bool:
    if profile in policy.profiles:
        return True
    return any(p == profile.value and n == policy.name for p, n in playbook.by_profile)


def _check_order(policy: Policy) -> Iterator[Finding]:
    last: dict[Anchor, Step] = {}
    handover: Step | None = None
    for i, step in enumerate(policy.steps):
        if i == 0 and step.anchor is Anchor.RECEIPT:
            yield _error(
                "receipt-anchor-first",
                "the first step cannot count from the receipt of a previous step",
                policy,
                step,
            )
        if handover is not None:
            yield _error(
                "after-handover",
                f"comes after the hand-over step {handover.name!r}; the agency has the claim",
                policy,
                step,
            )
        if step.action == ActionKind.HANDOVER and handover is None:
            handover = step
        if step.anchor is Anchor.RECEIPT:
            continue
        before = last.get(step.anchor)
        last[step.anchor] = step
        if before is None:
            continue
        if step.offset_days < before.offset_days:
            yield _error(
                "out-of-order",
                f"offset {step.offset_days} is before the offset {before.offset_days} of "
                f"the earlier step {before.name!r} ({step.anchor.value} anchor)",
                policy,
                step,
            )
        elif step.offset_days == before.offset_days and not before.mandatory:
            yield _warning(
                "same-day",
                f"falls on the same day as step {before.name!r}, which it therefore always "
                "supersedes (catch_up 'highest') or follows a day late (catch_up 'resume')",
                policy,
                step,
            )


def _check_reminders(policy: Policy) -> Iterator[Finding]:
    """Reminders after the due date before the first formal step: at least
    three, or the policy's own ``min_reminders`` when it states one."""
    count = 0
    for step in policy.steps:
        if step.formal:
            break
        if not step.pre_due:
            count += 1
    else:
        return
    stated = policy.min_reminders
    said = f"only {count} reminder(s) after the due date before the first formal notice"
    if stated is None and count < MIN_REMINDERS:
        yield _error(
            "few-reminders",
            f"{said}; at least {MIN_REMINDERS} are expected (reminders before the due date "
            "do not count); state `min_reminders` to choose fewer on purpose",
            policy,
            step,
        )
    elif stated is not None and count < stated:
        yield _error(
            "few-reminders",
            f"{said}; the policy's min_reminders is {stated}",
            policy,
            step,
        )
    elif stated is not None and count < MIN_REMINDERS:
        yield _warning(
            "few-reminders",
            f"{said}; the policy states min_reminders = {stated}, below the "
            f"{MIN_REMINDERS} that are good practice",
            policy,
            step,
        )


def deadline_overlap(policy: Policy, step: Step, later: Step) -> tuple[int, int] | None:
    """Where ``later`` falls and where the payment deadline of ``step`` ends,
    in days from a common origin, when ``later`` falls on or before that end;
    else ``None`` (also when the two cannot be compared without an invoice).

    Counted by the offsets (and the policy's grace and presumed-receipt
    days), before calendars move dates to business days.
    """
    days = step.deadline_days
    if days is None:
        return None
    if later.anchor is Anchor.RECEIPT:
        # ``later`` counts from the receipt of ``step``: day 0 is that receipt.
        # A deadline counted from the sending day ends ``presumed_receipt_days``
        # earlier at least.
        end = days if step.requires_acknowledgement else days - policy.presumed_receipt_days
        return (later.offset_days, end) if later.offset_days <= end else None
    if step.anchor is Anchor.RECEIPT or later.anchor is not step.anchor:
        return None
    if step.requires_acknowledgement:
        days += policy.presumed_receipt_days
    at = step.offset_days + (policy.grace_days if step.offset_days > 0 else 0)
    later_at = later.offset_days + (policy.grace_days if later.offset_days > 0 else 0)
    end = at + days
    return (later_at, end) if later_at <= end else None


def _check_deadlines(policy: Policy) -> Iterator[Finding]:
    """No step may fall inside the payment deadline of the step before it."""
    steps = policy.steps
    for i, step in enumerate(steps):
        for j in range(i + 1, len(steps)):
            later = steps[j]
            if later.anchor is Anchor.RECEIPT and j > i + 1:
                break  # counts from another step's receipt
            found = deadline_overlap(policy, step, later)
            if found is None:
                break
            at, end = found
            anchor = (
                "after receipt" if later.anchor is Anchor.RECEIPT else f"({later.anchor.value})"
            )
            text = (
                f"falls on day {at} {anchor}, inside the {step.deadline_days}-day deadline of "
                f"step {step.name!r}, which runs until day {end}; the engine holds it back "
                "until the day after, so choose a shorter deadline or a later offset"
            )
            make = _error if step.formal else _warning
            yield make("step-inside-deadline", text, policy, later)


_LETTER_TERM_DAYS: Final = law.nl.LETTER_TERM_DAYS
"""The Dutch consumer letter's term (art. 6:96(6) BW), from the day after receipt."""


def _costs(step: Step) -> list[str]:
    """Names of the rules of ``step`` that charge a consumer fees or costs."""
    return [
        rule.name
        for rule in step.fees
        if rule.kind in (ChargeKind.FEE, ChargeKind.COLLECTION_COSTS)
    ]


def _contractual(step: Step) -> list[str]:
    return [rule.name for rule in step.fees if rule.kind is ChargeKind.FEE]


def _check_consumer(playbook: Playbook, policy: Policy) -> Iterator[Finding]:
    if not _serves(playbook, policy, Profile.PRIVATE):
        return
    letter = policy.letter_index()
    for i, step in enumerate(policy.steps):
        # The letter itself may announce the collection costs, nothing more.
        charged = _contractual(step) if i == letter else _costs(step)
        if charged and (letter is None or i <= letter):
            where = (
                "this policy has no 14-day letter (a formal step that requires acknowledgement)"
                if letter is None
                else f"comes no later than the 14-day letter {policy.steps[letter].name!r}"
            )
            yield _error(
                "fee-before-letter",
                f"charges consumers {', '.join(map(repr, charged))} but {where}; fees and "
                "collection costs are due only after that letter's term has run out",
                policy,
                step,
            )
    if letter is not None:
        yield from _check_letter_term(policy, letter)
    yield from _check_first_reminder(policy)
    first_formal = next((s for s in policy.steps if s.formal), None)
    if first_formal is not None and not first_formal.requires_acknowledgement:
        yield _warning(
            "private-formal-without-acknowledgement",
            "the first formal notice to consumers should be a 14-day letter that requires "
            "acknowledgement (its term counts from the day after receipt)",
            policy,
            first_formal,
        )


def _check_letter_term(policy: Policy, letter: int) -> Iterator[Finding]:
    """The 14-day letter gives 14 days, and no cost is charged inside them."""
    step = policy.steps[letter]
    if step.deadline_days is not None and step.deadline_days < _LETTER_TERM_DAYS:
        yield _error(
            "letter-term-too-short",
            f"the 14-day letter gives {step.deadline_days} days to pay; Dutch law "
            f"requires {_LETTER_TERM_DAYS} counted from the day after receipt",
            policy,
            step,
        )
    has_costs = any(r.kind is ChargeKind.COLLECTION_COSTS for s in policy.steps for r in s.fees)
    announced = any(r.kind is ChargeKind.COLLECTION_COSTS for r in step.fees)
    if has_costs and not announced:
        yield _error(
            "letter-without-costs",
            "the policy charges collection costs but its 14-day letter does not state them "
            "(add a collection_costs rule to the letter: it is announced there, not charged)",
            policy,
            step,
        )
    if step.deadline_days is not None:
        # The letter states the term's last day (for Dutch consumers
        # nl.consumer_letter_term_end, moved off weekends and general
        # holidays) and no later step goes out before the day after it.
        return
    # No stated deadline: a step that charges costs must fall after the term's
    # end on whatever day the letter goes out, by the same function.
    from_sent, from_receipt = law.nl.longest_letter_term()
    for later in policy.steps[letter + 1 :]:
        if not _costs(later):
            continue
        if later.anchor is Anchor.RECEIPT:
            early = later.offset_days <= from_receipt
        else:
            early = later.offset_days - step.offset_days <= from_sent
        if early:
            yield _warning(
                "costs-within-letter-term",
                "may fire before the 14-day letter's term has run (the term can end "
                f"{from_receipt} days after receipt, {from_sent} after sending, when a "
                "weekend and holidays move its last day); the engine then leaves the costs "
                "out (give the letter deadline_days = 14, so that later steps wait for its "
                f"term, or anchor the step on the letter's receipt with an offset of "
                f"{from_receipt + 1} days or more)",
                policy,
                later,
            )


def _check_first_reminder(policy: Policy) -> Iterator[Finding]:
    """Belgian consumers: the first reminder after the due date is free."""
    first = next((s for s in policy.steps if s.anchor is Anchor.DUE and s.offset_days > 0), None)
    if first is not None and first.fees:
        yield _warning(
            "first-reminder-not-free",
            "charges on the first reminder after the due date; for Belgian consumers the "
            "first reminder is free and fees and interest wait 14 days (the engine leaves "
            "them out)",
            policy,
            first,
        )


def _check_channels(policy: Policy, channels: Mapping[str, Channel]) -> Iterator[Finding]:
    for step in policy.steps:
        for channel in step.channels:
            known = channels.get(channel)
            if known is None:
                close = close_names(channel, channels)
                hint = (
                    (" did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
                )
                yield _error(
                    "unknown-channel",
                    f"unknown channel {channel!r};{hint} known: {', '.join(sorted(channels))}"
                    " (plan and policy loading refuse it)",
                    policy,
                    step,
                )


def lint(playbook: Playbook, *, plugins: Plugins | None = None) -> list[Finding]:
    """Check ``playbook`` and return what is wrong with it.

    Args:
        playbook: the playbook.
        plugins: where channels come from; the built-in plugins when ``None``.

    Returns:
        The findings (empty when the playbook is clean), policy by policy in
        the playbook's order, then playbook-wide findings.

    Examples:
        >>> from arpolicy.policy import Policy, Step
        >>> book = Playbook(
        ...     [Policy("p", [Step("a", 5, "email"), Step("b", 2, "email")], profiles=["business"])]
        ... )
        >>> [f.code for f in lint(book)]
        ['out-of-order', 'profile-without-policy', 'profile-without-policy']
    """
    findings: list[Finding] = []
    channels = (plugins or builtin_plugins()).channels()
    referenced = {n for _, n in playbook.by_profile} | {n for _, n in playbook.by_tag}
    if playbook.deposit_policy is not None:
        referenced.add(playbook.deposit_policy)
    for policy in playbook.policies:
        findings.extend(_check_order(policy))
        findings.extend(_check_reminders(policy))
        findings.extend(_check_deadlines(policy))
        findings.extend(_check_consumer(playbook, policy))
        findings.extend(_check_channels(policy, channels))
        if not policy.profiles and policy.name not in referenced:
            findings.append(
                _warning(
                    "unused-policy",
                    "serves no profile and the playbook never refers to it "
                    "(only customers or invoices that name it use it)",
                    policy,
                )
            )
    for profile in Profile:
        if not any(_serves(playbook, p, profile) for p in playbook.policies):
            findings.append(
                Finding(
                    Severity.WARNING,
                    "profile-without-policy",
                    f"no policy serves {profile.value} customers; they get no dunning",
                )
            )
    return findings


def _statutory_scale(code: str, profile: Profile) -> bool:
    """Whether :func:`arpolicy.law.collection_costs` has a scale for this debtor."""
    return code == "NL" or (code == "BE" and profile is Profile.PRIVATE)


def _law_findings(policy: Policy, customer: Customer) -> Iterator[Finding]:
    """What the law of ``customer``'s country says about ``policy``'s fee rules.

    The engine never charges what these findings describe; they say that a
    rule will be left out for such customers, or (for Belgian consumers) that
    the ladder breaks a rule.
    """
    profile = customer.profile
    try:
        home = law.jurisdiction_for_country(customer.country)
    except UnknownJurisdictionError:
        home = None
    where = f"{profile.value} customers in {customer.country}"
    first = next((s for s in policy.steps if s.anchor is Anchor.DUE and s.offset_days > 0), None)
    for step in policy.steps:
        for rule in step.fees:
            setting = getattr(rule, "jurisdiction", None)
            if setting is None:
                continue
            code = home if setting == CUSTOMER else law.jurisdiction(setting).code
            if code is None:
                yield _warning(
                    "no-jurisdiction",
                    f"{rule.name!r} has no law to follow for {where}: no jurisdiction pack "
                    "covers the country, so the engine leaves it out",
                    policy,
                    step,
                )
                continue
            pack = law.jurisdiction(code)
            missing = None
            if rule.kind is ChargeKind.INTEREST and pack.interest_rule(profile) is None:
                missing = f"{code} law gives {where} no statutory interest"
            elif rule.kind is ChargeKind.COMPENSATION and profile is Profile.PRIVATE:
                missing = "consumers owe no fixed compensation"
            elif rule.kind is ChargeKind.COLLECTION_COSTS and not _statutory_scale(code, profile):
                missing = f"{code} law has no statutory collection-cost scale for {where}"
            if missing is not None:
                yield _warning(
                    "not-by-law",
                    f"{rule.name!r}: {missing}; the engine leaves it out",
                    policy,
                    step,
                )
            elif (
                step is first
                and profile is Profile.PRIVATE
                and code == "DE"
                and rule.kind is ChargeKind.INTEREST
            ):
                yield _warning(
                    "not-in-default-yet",
                    f"{rule.name!r} on the first reminder: German consumers are in default only "
                    "after it (unless the invoice pointed out the 30-day rule)",
                    policy,
                    step,
                )
        if step is first and step.fees and profile is Profile.PRIVATE and home == "BE":
            yield _error(
                "first-reminder-not-free",
                "charges Belgian consumers on the first reminder, which the law makes free "
                "(Code of Economic Law, Book XIX)",
                policy,
                step,
            )


def lint_ledger(
    playbook: Playbook, ledger: Ledger, *, plugins: Plugins | None = None
) -> list[Finding]:
    """Report customers who cannot be reached on a channel of their policies,
    and fee rules the law of a customer's country does not allow.

    A customer's policies are the one the playbook chooses for the customer
    and those it chooses for each of its invoices (deposit requests, invoice
    overrides). Each channel names the contact it needs: e-mail and payment
    links need ``contacts.email``; phone and SMS need ``contacts.phone``;
    WhatsApp needs ``contacts.whatsapp``; letters need ``contacts.address``.

    Args:
        playbook: the playbook.
        ledger: the customers and invoices.
        plugins: where channels (and the contact each needs) come from; the
            built-in plugins when ``None``.

    The law checks (``not-by-law``, ``no-jurisdiction``,
    ``not-in-default-yet``, ``first-reminder-not-free``) run once per policy,
    country and profile and name the first such customer.

    Returns:
        One ``unreachable-channel`` warning per customer, policy and channel,
        naming the first step that uses the channel, then the law findings;
        sorted by customer.
    """
    findings: list[Finding] = []
    channels = (plugins or builtin_plugins()).channels()
    checked: set[tuple[str, str, Profile]] = set()
    for customer in sorted(ledger.customers, key=lambda c: c.id):
        policies: dict[str, Policy] = {}
        chosen = playbook.policy_for(customer)
        if chosen is not None:
            policies[chosen.name] = chosen
        for invoice in ledger.invoices_of(customer.id):
            for_invoice = playbook.policy_for(customer, invoice)
            if for_invoice is not None:
                policies.setdefault(for_invoice.name, for_invoice)
        for name in sorted(policies):
            seen: set[str] = set()
            for step in policies[name].steps:
                for channel in step.channels:
                    known = channels.get(channel)
                    contact = known.contact if known is not None else None
                    if channel in seen or contact is None or customer.contacts.has(contact):
                        continue
                    seen.add(channel)
                    findings.append(
                        Finding(
                            Severity.WARNING,
                            "unreachable-channel",
                            f"channel {channel!r} needs a contact {contact!r}, which the "
                            "customer does not have",
                            name,
                            step.name,
                            customer=customer.id,
                        )
                    )
            if (name, customer.country, customer.profile) not in checked:
                checked.add((name, customer.country, customer.profile))
                findings.extend(
                    attrs.evolve(f, customer=customer.id)
                    for f in _law_findings(policies[name], customer)
                )
    return findings


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------


_TEMPLATE_SAMPLE_DAYS: Final = 60
"""Days of the sample portfolio simulated for :func:`lint_templates`: in the
built-in playbook, every step the full ten months reach is reached."""


def _known_channels_only(playbook: Playbook, plugins: Plugins | None) -> Playbook:
    """``playbook`` without the channels no plugin provides (``unknown-channel``
    reports them), so that its templates can still be checked; a step left
    without a channel goes to ``internal``."""
    known = (plugins or builtin_plugins()).channels()
    if all(c in known for p in playbook.policies for s in p.steps for c in s.channels):
        return playbook
    fallback = "internal" if "internal" in known else next(iter(known), "internal")
    policies = []
    for policy in playbook.policies:
        steps = []
        for step in policy.steps:
            kept = [c for c in step.channels if c in known] or [fallback]
            steps.append(attrs.evolve(step, channels=kept))
        policies.append(attrs.evolve(policy, steps=steps))
    return attrs.evolve(playbook, policies=policies)


def _sample_actions(playbook: Playbook, plugins: Plugins | None) -> tuple[Ledger, list[Action]]:
    """The sample portfolio and its actions of the days before the sample date."""
    from datetime import timedelta  # noqa: PLC0415

    from .engine import simulate  # noqa: PLC0415 - the engine imports lint's neighbours
    from .sample import SAMPLE_AS_OF, sample_ledger  # noqa: PLC0415

    ledger = sample_ledger()
    start = SAMPLE_AS_OF - timedelta(days=_TEMPLATE_SAMPLE_DAYS)
    result = simulate(ledger, start=start, end=SAMPLE_AS_OF, playbook=playbook, plugins=plugins)
    return ledger, list(result.actions)


def _example(actions: list[Action], policy: Policy, step: Step, channel: str) -> Action:
    """A sample action for ``step`` on ``channel``: a real one when the sample
    reaches it, else one of the same policy (or any) dressed as the step."""
    from .messages import family_of  # noqa: PLC0415

    family = family_of(channel)
    same = [a for a in actions if a.policy == policy.name and a.step == step.name]
    for action in same:
        if family_of(action.channel) == family:
            return action
    if same:
        return attrs.evolve(same[0], channel=channel)
    stand_in = next((a for a in actions if a.policy == policy.name), actions[0])
    return attrs.evolve(
        stand_in,
        step=step.name,
        template=step.template_key,
        channel=channel,
        formal=step.formal,
        requires_acknowledgement=step.requires_acknowledgement,
    )


def _legal_check() -> Any:
    """``arpolicy.messages.missing_legal_elements`` when it exists, else ``None``.

    The legal checks live with the templates (another part of
    :mod:`arpolicy.messages`); until that function exists, ``template-legal``
    is not reported.
    """
    from . import messages  # noqa: PLC0415

    return getattr(messages, "missing_legal_elements", None)


def lint_templates(
    playbook: Playbook,
    *,
    templates: str | os.PathLike[str] | None = None,
    plugins: Plugins | None = None,
    locales: Iterable[str] | None = None,
    renderer: Renderer | None = None,
) -> list[Finding]:
    """Check the message templates of every step of ``playbook``.

    For each step template, channel family and locale (``locales``, or every
    locale the templates offer), it reports a template that is missing
    (``template-missing``), one that fails to render the sample portfolio's
    actions (``template-error``), one the sandbox refuses
    (``template-unsafe``) and a message that lacks a required legal element
    (``template-legal``). Each action is the sample portfolio's own for the
    step when the sample reaches it; otherwise another action of the policy
    stands in. Needs the ``messages`` extra.

    >>> from arpolicy.playbooks import default_playbook
    >>> len(lint_templates(default_playbook(), locales=("en",)))
    0

    Args:
        playbook: the playbook whose steps to check.
        templates: a directory of user templates, or ``None``.
        plugins: plugins whose templates to include, or ``None``.
        locales: the locales to check; ``None``: all that the templates offer.
        renderer: a :class:`~arpolicy.messages.Renderer` to use instead of
            building one from ``templates`` and ``plugins``.

    Returns:
        The findings, by locale, template and channel family.

    Raises:
        MissingExtraError: the ``messages`` extra is not installed.
        LoadError: ``templates`` is not a directory of templates.
    """
    from .errors import TemplateError, UnsafeTemplateError  # noqa: PLC0415
    from .messages import Renderer, family_of  # noqa: PLC0415

    if renderer is None:
        user = Path(templates) if templates is not None else None
        renderer = Renderer(templates=user, plugins=plugins)
    playbook = _known_channels_only(playbook, plugins)
    ledger, actions = _sample_actions(playbook, plugins)
    legal = _legal_check()
    offered = renderer.available_templates()
    wanted = sorted(set(locales)) if locales is not None else list(renderer.locales())
    # (template, family) -> the first policy, step and channel that use it
    uses: dict[tuple[str, str], tuple[Policy, Step, str]] = {}
    for policy in playbook.policies:
        for step in policy.steps:
            for channel in step.channels:
                uses.setdefault((step.template_key, family_of(channel)), (policy, step, channel))
    findings: list[Finding] = []
    for locale in wanted:
        reported: set[str] = set()
        for (template, family), (policy, step, channel) in sorted(
            uses.items(), key=lambda item: item[0]
        ):
            if template not in offered.get(locale, ()):
                if template not in reported:
                    reported.add(template)
                    elsewhere = [loc for loc, names in offered.items() if template in names]
                    instead = (
                        f"the {renderer.choose_locale(template, locale)!r} one"
                        if elsewhere
                        else "the 'default' template"
                    )
                    findings.append(
                        _warning(
                            "template-missing",
                            f"no template {locale}/{template}: {locale} customers get {instead}",
                            policy,
                            step,
                        )
                    )
                continue
            action = _example(actions, policy, step, channel)
            where = f"{locale}/{template} on {channel} ({family})"
            try:
                message = renderer.render(action, ledger, locale=locale)
            except UnsafeTemplateError as error:
                findings.append(_error("template-unsafe", f"{where}: {error}", policy, step))
                continue
            except TemplateError as error:
                findings.append(_error("template-error", f"{where}: {error}", policy, step))
                continue
            if legal is None:
                continue  # missing_legal_elements is not there yet: no legal check
            missing = list(legal(message, action, ledger))
            if missing:
                lacks = ", ".join(str(m) for m in missing)
                findings.append(_error("template-legal", f"{where} lacks: {lacks}", policy, step))
    return findings


def _policy_tables(data: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    raw = data.get("policy")
    if not isinstance(raw, list):
        return []
    return [(i, p) for i, p in enumerate(raw) if isinstance(p, dict)]


def _step_tables(policy: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    raw = policy.get("step")
    if not isinstance(raw, list):
        return []
    return [(i, s) for i, s in enumerate(raw) if isinstance(s, dict)]


def _drop_duplicates(
    data: dict[str, Any], index: Mapping[str, int]
) -> tuple[dict[str, Any], list[Finding]]:
    """Remove later duplicates of policy and step names; report each one."""
    findings: list[Finding] = []
    policies: list[Any] = []
    policy_names: set[str] = set()
    raw = data.get("policy")
    if not isinstance(raw, list):
        return data, findings
    tables = dict(_policy_tables(data))
    for i, item in enumerate(raw):
        table = tables.get(i)
        if table is None:
            policies.append(item)
            continue
        name = table.get("name")
        if isinstance(name, str) and name in policy_names:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "duplicate-policy",
                    f"a policy called {name!r} comes earlier in the file; this one is ignored",
                    name,
                    line=find_line(index, f"policy[{i}].name"),
                )
            )
            continue
        if isinstance(name, str):
            policy_names.add(name)
        steps: list[Any] = []
        step_names: set[str] = set()
        step_tables = dict(_step_tables(table))
        raw_steps = table.get("step")
        for j, step in enumerate(raw_steps if isinstance(raw_steps, list) else []):
            step_name = step_tables.get(j, {}).get("name")
            if isinstance(step_name, str) and step_name in step_names:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "duplicate-step",
                        f"a step called {step_name!r} comes earlier in this policy; "
                        "this one is ignored",
                        name if isinstance(name, str) else None,
                        step_name,
                        line=find_line(index, f"policy[{i}].step[{j}].name"),
                    )
                )
                continue
            if isinstance(step_name, str):
                step_names.add(step_name)
            steps.append(step)
        policies.append({**table, "step": steps} if isinstance(raw_steps, list) else table)
    return {**data, "policy": policies}, findings


def _lines(data: Mapping[str, Any], index: Mapping[str, int]) -> dict[tuple[str, str | None], int]:
    lines: dict[tuple[str, str | None], int] = {}
    for i, table in _policy_tables(data):
        name = table.get("name")
        if not isinstance(name, str):
            continue
        line = find_line(index, f"policy[{i}].name")
        if line is not None:
            lines.setdefault((name, None), line)
        for j, step in _step_tables(table):
            step_name = step.get("name")
            line = find_line(index, f"policy[{i}].step[{j}].name")
            if isinstance(step_name, str) and line is not None:
                lines.setdefault((name, step_name), line)
                channel = find_line(index, f"policy[{i}].step[{j}].channel")
                if channel is not None:
                    lines.setdefault((name, f"{step_name}\0channel"), channel)
    return lines


def lint_file(
    path: str | os.PathLike[str],
    *,
    check_templates: bool = False,
    templates: str | os.PathLike[str] | None = None,
    plugins: Plugins | None = None,
    locales: Iterable[str] | None = None,
) -> list[Finding]:
    """Load and lint a TOML policy file; findings carry their line.

    Problems that stop the file from loading become findings too:
    duplicate policy or step names (``duplicate-policy``,
    ``duplicate-step``; the later duplicate is ignored and the rest is still
    linted) and any other load error (``invalid``, with the error's line).

    Args:
        path: the policy file.
        check_templates: also run :func:`lint_templates` (needs the
            ``messages`` extra) with ``templates``, ``plugins`` and
            ``locales``.
        templates: a directory of user templates.
        plugins: plugins whose templates to include.
        locales: the locales to check (``None``: all offered).

    Returns:
        The findings: load problems first, then those of :func:`lint`, then
        those of :func:`lint_templates`.

    Raises:
        MissingExtraError: ``check_templates`` without the ``messages`` extra.
        LoadError: ``templates`` is not a directory of templates.
    """
    source = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
        data, index = parse(text, source)
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding(Severity.ERROR, "invalid", f"cannot read the file: {exc}")]
    except LoadError as exc:
        return [_load_finding(exc)]
    data, findings = _drop_duplicates(data, index)
    try:
        playbook = build(data, source, index, plugins, check_channels=False)
    except LoadError as exc:
        return [*findings, _load_finding(exc)]
    lines = _lines(data, index)
    found = lint(playbook, plugins=plugins)
    if check_templates:
        found += lint_templates(playbook, templates=templates, plugins=plugins, locales=locales)
    for finding in found:
        line = None
        if finding.policy is not None and finding.code == "unknown-channel":
            line = lines.get((finding.policy, f"{finding.step}\0channel"))
        if finding.policy is not None and line is None:
            line = lines.get((finding.policy, finding.step)) or lines.get((finding.policy, None))
        findings.append(attrs.evolve(finding, line=line))
    return findings


def _load_finding(exc: LoadError) -> Finding:
    where = f"{exc.column}: " if exc.column else ""
    return Finding(Severity.ERROR, "invalid", f"{where}{exc.reason}", line=exc.line)


def format_findings(findings: Iterable[Finding]) -> str:
    """One finding per line, for people (see :meth:`Finding.__str__`)."""
    return "\n".join(str(f) for f in findings)
